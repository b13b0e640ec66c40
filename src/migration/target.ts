// Live migration, the receiving host: verifies the source (channel.ts), defines the VM from the
// definition it sends, fills a fresh board's RAM with the pages as they come, restores the
// devices and the clock from the final state (the guest's clock moves on by the time it spent
// in transit, never back), and runs the VM once the source commits. Everything that arrives
// is untrusted: the pages are checked against the VM's RAM (pages.ts), the state as any
// snapshot is (src/snapshot/format.ts). A migration that fails before the commit removes the
// VM here; the source runs it again. Browser-safe.
import { SOURCE_HASH } from "../core/abi.gen.js";
import type { Host } from "../hypervisor/host.js";
import { ChannelAuthError, SecureChannel, type Transport } from "./channel.js";
import { expectMessage, jsonMessage, jsonObject, MigrationError, Msg, parseState, PROTOCOL_VERSION } from "./protocol.js";

export interface TargetOptions {
  secret: string;
  /** Defines the VM (not started) from the source's definition of it; throws to refuse it. */
  define(id: string, body: unknown, memSize: number): void | Promise<void>;
  /** Removes a VM that define() made, when the migration fails. */
  undefine(id: string): void | Promise<void>;
  now?: () => number;
}

export interface IncomingReport { id: string; batches: number; running: boolean }

export async function acceptMigration(host: Host, transport: Transport, o: TargetOptions): Promise<IncomingReport> {
  const now = o.now ?? (() => performance.now());
  let ch: SecureChannel;
  try {
    ch = await SecureChannel.accept(transport, o.secret);
  } catch (e) {
    transport.close();
    throw e;
  }
  const recv = async (...types: Msg[]) => expectMessage(await ch.receive(), ...types);
  let id: string | undefined;
  let defined = false;
  try {
    const hello = jsonObject((await recv(Msg.HELLO)).payload, "HELLO");
    if (hello.version !== PROTOCOL_VERSION) throw new MigrationError(`protocol version ${String(hello.version)}, this host speaks ${PROTOCOL_VERSION}`);
    if (hello.core !== SOURCE_HASH) throw new MigrationError(`the source runs another core build (0x${(Number(hello.core) >>> 0).toString(16)}, this host 0x${SOURCE_HASH.toString(16)})`);
    if (typeof hello.id !== "string") throw new MigrationError("HELLO names no VM");
    if (typeof hello.memSize !== "number") throw new MigrationError("HELLO gives no memory size");
    id = hello.id;
    if (host.vms.has(id)) throw new MigrationError(`a VM '${id}' exists on this host`);
    await o.define(id, hello.body, hello.memSize);
    defined = true;
    const vm = host.vms.get(id);
    if (!vm || vm.config.memSize !== hello.memSize) throw new MigrationError(`the VM's definition gives ${vm?.config.memSize ?? 0} bytes of RAM, the source's VM has ${hello.memSize}`);
    await ch.send(jsonMessage(Msg.READY, {}));
    let batches = 0;
    for (;;) {
      const m = await recv(Msg.PAGES, Msg.STATE);
      if (m.type === Msg.PAGES) { await host.migrationReceive(id, m.payload); batches++; continue; }
      const tRecv = now();
      const st = parseState(m.payload);
      await host.restore(id, st.state, false, st.sinceSavedMs + (now() - tRecv));
      if (st.consoleRing.length) host.vms.get(id)?.console.push(st.consoleRing);
      break;
    }
    await ch.send(jsonMessage(Msg.RESTORED, {}));
    const go = jsonObject((await recv(Msg.GO)).payload, "GO");
    // Committed: the source will not run the VM again, so this host keeps it whatever follows.
    defined = false;
    // The confirmation first, then the VM runs: resuming may run a whole slice of it at once,
    // which the source would otherwise count as downtime.
    await ch.send(jsonMessage(Msg.RESUMED, {})).catch(() => undefined);
    ch.close();
    if (go.run === true) await host.resume(id);
    return { id, batches, running: go.run === true };
  } catch (e) {
    const err = e instanceof MigrationError || e instanceof ChannelAuthError ? e : new MigrationError((e as Error).message);
    await ch.send(jsonMessage(Msg.REFUSE, { message: err.message.replace(/^migration: /, "") })).catch(() => undefined);
    ch.close();
    if (defined && id !== undefined) await Promise.resolve(o.undefine(id)).catch(() => undefined);
    throw err;
  }
}
