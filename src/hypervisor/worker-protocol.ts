// The messages between a pool (pool.ts, on the host's main thread) and one of its workers, and
// the worker's side: a Hypervisor of its own that runs the VMs placed on it, reports every
// event, the console output and the statistics of its VMs, and answers the pool's calls.
// Browser-safe: the port and the disk opener are passed in (src/node/vm-worker.ts is Node's).
import { setDefaultJit, type JitOptions } from "../jit/jit.js";
import type { DiskConfig, DiskFile } from "../machine/board.js";
import type { SnapshotFile } from "../machine/machine.js";
import { type ErrorCode, HypervisorError } from "./errors.js";
import { Hypervisor } from "./hypervisor.js";
import type { HostSockets } from "../net/user/sockets.js";
import type { ContainerHost } from "./container-host.js";
import type { Vm, VmConfig, VmEvent, VmState, VmStats } from "./vm.js";

export type WorkerOp = "create" | "start" | "pause" | "resume" | "stop" | "reboot" | "delete" | "input" | "snapshot" | "restore" | "ctrlAltDel" | "shutdown"
  | "migrationPages" | "migrationFinish" | "migrationAbort" | "migrationReceive";

export interface CreateArgs {
  /** The configuration, its disks as diskFiles (backends hold file handles, which cannot be sent). */
  config: VmConfig;
  /** A VM placed again (moved, or its worker died): the restarts it had. */
  restarts?: number;
}

export type ToWorker =
  | { t: "init"; module: WebAssembly.Module; stop: SharedArrayBuffer; sliceInstructions?: number; jit: JitOptions | false }
  | { t: "call"; seq: number; op: WorkerOp; id: string; args?: unknown }
  | { t: "frame"; switch: string; bytes: Uint8Array };

export interface VmReport { id: string; cpuMs: number; stats: VmStats }

export type FromWorker =
  | { t: "reply"; seq: number; value?: unknown; error?: { code: ErrorCode | "internal"; message: string } }
  | { t: "event"; id: string; e: VmEvent; state: VmState; reason: string; restarts: number; exitCode: number; report: VmReport }
  | { t: "out"; id: string; bytes: Uint8Array }
  | { t: "stats"; vms: VmReport[]; code: { installed: number; cache: number } }
  | { t: "frame"; switch: string; bytes: Uint8Array };

/** `bytes` with a buffer of its own, whole, to be sent by transfer (a copy when it is a view into more). */
export function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes as Uint8Array<ArrayBuffer> : bytes.slice();
}

/** The worker's end of its message channel. */
export interface WorkerPort {
  post(m: FromWorker, transfer?: Transferable[]): void;
  onMessage(handler: (m: ToWorker) => void): void;
}

/** How often a worker reports the statistics of the VMs that ran (ms). */
export const STATS_EVERY_MS = 100;

/**
 * Runs the worker side on `port`; `openDisks` opens the disks a VM names (none if absent),
 * `sockets` serve user-mode networking (none: such VMs are refused), `containers` roots and
 * ports for container VMs (none: refused).
 */
export function serveWorker(port: WorkerPort, openDisks?: (files: DiskFile[]) => DiskConfig[], sockets?: HostSockets, containers?: ContainerHost): void {
  let hv: Hypervisor | undefined;
  const pending = new Map<string, Uint8Array[]>();
  let flushQueued = false;
  const sent = new Map<string, number>(); // cpuMs last reported, by VM
  // Console output is sent once per turn of the run loop, not once per slice.
  const flushOutput = () => {
    flushQueued = false;
    for (const [id, parts] of pending) {
      const n = parts.reduce((a, p) => a + p.length, 0), bytes = new Uint8Array(n);
      let o = 0;
      for (const p of parts) { bytes.set(p, o); o += p.length; }
      port.post({ t: "out", id, bytes }, [bytes.buffer]);
    }
    pending.clear();
  };
  const onEvent = (vm: Vm, e: VmEvent) => {
    if (pending.size) flushOutput(); // output before the event that follows it
    // With the figures as of the event: a VM that ended shows its final ones at once.
    sent.set(vm.id, vm.cpuMs);
    port.post({ t: "event", id: vm.id, e, state: vm.state, reason: vm.reason, restarts: vm.restarts, exitCode: vm.exitCode,
      report: { id: vm.id, cpuMs: vm.cpuMs, stats: vm.stats() } });
  };
  const report = () => {
    const h = hv;
    if (!h) return;
    const vms: VmReport[] = [];
    for (const vm of h.vms.values()) {
      if (sent.get(vm.id) === vm.cpuMs) continue;
      sent.set(vm.id, vm.cpuMs);
      vms.push({ id: vm.id, cpuMs: vm.cpuMs, stats: vm.stats() });
    }
    if (vms.length) port.post({ t: "stats", vms, code: h.codeBytes() });
  };

  const call = (op: WorkerOp, id: string, args: unknown): unknown => {
    const h = hv!;
    switch (op) {
      case "create": {
        const a = args as CreateArgs;
        const vm = h.create(a.config);
        vm.restarts = a.restarts ?? 0;
        vm.console.listeners.add((b) => {
          const parts = pending.get(id);
          if (parts) parts.push(b.slice()); else pending.set(id, [b.slice()]);
          if (!flushQueued) { flushQueued = true; queueMicrotask(flushOutput); }
        });
        return undefined;
      }
      case "start": return h.start(id);
      case "pause": return h.pause(id);
      case "resume": return h.resume(id);
      case "stop": return h.stop(id, args as number | undefined);
      case "ctrlAltDel": return h.sendCtrlAltDel(id);
      case "shutdown": return h.close(); // the pool closes: disks flushed and closed
      case "reboot": return h.reboot(id);
      case "delete": sent.delete(id); return h.delete(id);
      case "input": return h.input(id, args as Uint8Array);
      case "snapshot": { const a = args as { body?: unknown; file?: SnapshotFile }; return h.snapshot(id, a.body, a.file); }
      case "restore": { const a = args as { snapshot: Uint8Array; resume: boolean; advanceClockMs?: number }; return h.restore(id, a.snapshot, a.resume, a.advanceClockMs); }
      case "migrationPages": { const a = args as { first: boolean; from: number }; return h.migrationPages(id, a.first, a.from); }
      case "migrationFinish": return h.migrationFinish(id, args);
      case "migrationAbort": return h.migrationAbort(id, args as boolean);
      case "migrationReceive": return h.migrationReceive(id, args as Uint8Array);
    }
  };

  const reply = (seq: number, value: unknown) => {
    if (pending.size) flushOutput();
    report(); // the statistics as of the reply (a paused VM's are final)
    if (value instanceof Uint8Array) { // sent by transfer: its own buffer, whole
      const own = ownBuffer(value);
      port.post({ t: "reply", seq, value: own }, [own.buffer]);
    } else {
      port.post({ t: "reply", seq, value });
    }
  };
  const fail = (seq: number, e: unknown) => {
    if (pending.size) flushOutput();
    const code = e instanceof HypervisorError ? e.code : "internal";
    port.post({ t: "reply", seq, error: { code, message: (e as Error).message } });
  };

  port.onMessage((m) => {
    if (m.t === "init") {
      setDefaultJit(m.jit);
      // Frames for VMs on other workers go up to the pool's switches, and come back down.
      const uplink = (sw: string, f: Uint8Array) => { const bytes = f.slice(); port.post({ t: "frame", switch: sw, bytes }, [bytes.buffer]); };
      hv = new Hypervisor(m.module, { memoryLimit: Infinity, sliceInstructions: m.sliceInstructions, onEvent, stopWord: new Int32Array(m.stop), openDisks, uplink, sockets, containers });
      setInterval(report, STATS_EVERY_MS);
      return;
    }
    if (m.t === "frame") { hv?.fromUplink(m.switch, m.bytes); return; }
    let value: unknown;
    try {
      value = call(m.op, m.id, m.args);
    } catch (e) {
      fail(m.seq, e);
      return;
    }
    if (value instanceof Promise) value.then((v) => reply(m.seq, v), (e) => fail(m.seq, e)); // a graceful stop
    else reply(m.seq, value);
  });
}
