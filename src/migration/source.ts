// Live migration, the sending host: pre-copy (the VM keeps running while its pages go over,
// round after round of the pages it wrote meanwhile, as the core's dirty-page log names them),
// then a short stop-and-copy (paused: the last pages, the devices, the clock, the console), and
// the hand-over. Until the commit point (GO) any failure leaves the VM running here as before;
// after it, a VM whose target did not confirm stays paused here (it may be running there), so
// it never runs on two hosts and is never lost. Browser-safe.
import { SOURCE_HASH } from "../core/abi.gen.js";
import type { Host } from "../hypervisor/host.js";
import { SecureChannel, type Transport } from "./channel.js";
import { checkPages, splitBatch } from "./pages.js";
import { expectMessage, jsonMessage, message, MigrationError, Msg, PROTOCOL_VERSION, stateMessage } from "./protocol.js";

export interface MigrationReport {
  id: string;
  /** Pre-copy rounds, the stop-and-copy included. */
  rounds: number;
  /** Pages sent in each round (the last is the stop-and-copy's). */
  roundPages: number[];
  /** Bytes sent (sealed messages, before TCP/TLS framing). */
  bytes: number;
  totalMs: number;
  /** From the pause here to the target's confirmation that it runs the VM from now (as this host sees it). */
  downtimeMs: number;
  /** Where the downtime went: pausing and collecting the last pages and state, sending them, the target restoring, the hand-over. */
  downtimeParts: { stopMs: number; sendMs: number; restoreMs: number; handOverMs: number };
}

export interface SourceOptions {
  secret: string;
  /** The VM's definition, for the target to define it from (the API's body). */
  body?: unknown;
  /** The console output so far, for the target's console ring. */
  consoleRing?: () => Uint8Array;
  /** Stop pre-copying once a round has at most this many pages (default 64: 256 KiB). */
  stopPages?: number;
  /** Stop after this many rounds, however many pages are dirty (default 30). */
  maxRounds?: number;
  now?: () => number;
}

/** Largest sealed message of pages (1 MiB of pages and their records). */
const PART_BYTES = 1 << 20;

export async function migrateOut(host: Host, id: string, transport: Transport, o: SourceOptions): Promise<MigrationReport> {
  const now = o.now ?? (() => performance.now());
  const t0 = now();
  const vm = host.vms.get(id);
  if (!vm) { transport.close(); throw new MigrationError(`no VM '${id}'`); }
  if (vm.state !== "running" && vm.state !== "paused") { transport.close(); throw new MigrationError(`VM '${id}' is ${vm.state}: only a running or paused VM migrates`); }
  const wasRunning = vm.state === "running";
  let bytes = 0;
  let ch: SecureChannel;
  try {
    ch = await SecureChannel.connect(transport, o.secret);
  } catch (e) {
    transport.close();
    throw e instanceof MigrationError ? e : new MigrationError((e as Error).message);
  }
  const send = async (m: Uint8Array) => { bytes += m.length + 16; await ch.send(m); };
  const recv = async (...types: Msg[]) => expectMessage(await ch.receive(), ...types);

  let started = false, committed = false;
  try {
    await send(jsonMessage(Msg.HELLO, { version: PROTOCOL_VERSION, id, core: SOURCE_HASH, memSize: vm.config.memSize, body: o.body }));
    await recv(Msg.READY);
    const roundPages: number[] = [];
    const stopPages = o.stopPages ?? 64, maxRounds = o.maxRounds ?? 30;
    let best = Infinity, stale = 0;
    for (;;) {
      const first = roundPages.length === 0;
      let pages = 0, from = 0;
      do { // the first round comes in parts; the VM runs between them
        const r = await host.migrationPages(id, first, from);
        started = true;
        for (const p of splitBatch(r.batch, PART_BYTES)) { pages += checkPages(p, vm.config.memSize); await send(message(Msg.PAGES, p)); }
        from = r.next;
      } while (from >= 0);
      roundPages.push(pages);
      if (first) continue; // the next round shows how fast the guest writes
      // Enough: few pages left, or the guest writes as fast as they go (no progress for 3 rounds).
      if (pages < best) { best = pages; stale = 0; } else stale++;
      if (pages <= stopPages || stale >= 3 || roundPages.length >= maxRounds) break;
    }
    // Stop-and-copy.
    const tPause = now();
    const last = await host.migrationFinish(id, o.body);
    const tSaved = now();
    let pages = 0;
    for (const p of splitBatch(last.pages, PART_BYTES)) { pages += checkPages(p, vm.config.memSize); await send(message(Msg.PAGES, p)); }
    roundPages.push(pages);
    await send(stateMessage(now() - tSaved, o.consoleRing?.() ?? new Uint8Array(0), last.state));
    const tSent = now();
    await recv(Msg.RESTORED);
    const tRestored = now();
    committed = true; // from here the VM may run there: never again here
    await send(jsonMessage(Msg.GO, { run: wasRunning }));
    await recv(Msg.RESUMED);
    const tEnd = now();
    const downtimeMs = tEnd - tPause;
    const downtimeParts = { stopMs: tSaved - tPause, sendMs: tSent - tSaved, restoreMs: tRestored - tSent, handOverMs: tEnd - tRestored };
    ch.close();
    await host.migrationAbort(id, false); // the log off: it is going away
    await host.delete(id);
    return { id, rounds: roundPages.length, roundPages, bytes, totalMs: now() - t0, downtimeMs, downtimeParts };
  } catch (e) {
    const why = (e as Error).message;
    if (!committed) {
      await send(jsonMessage(Msg.ABORT, { message: why })).catch(() => undefined);
      ch.close();
      if (started || host.vms.has(id)) await Promise.resolve(host.migrationAbort(id, wasRunning)).catch(() => undefined);
      throw e instanceof MigrationError ? e : new MigrationError(why);
    }
    ch.close();
    await Promise.resolve(host.migrationAbort(id, false)).catch(() => undefined);
    throw new MigrationError(`the target did not confirm that it runs the VM (${why}); it may be running there, so it stays paused here`);
  }
}
