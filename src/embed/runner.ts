// The worker side of an embedded VM: one Machine, run in the worker's own event loop, driven
// by the page's messages. Kept apart from the worker's global scope (worker.ts) so it can run
// over any port. Browser-safe.
import { MemoryDisk, CowOverlay } from "../devices/virtio/blk/backend.js";
import { Machine, type MachineOptions } from "../machine/machine.js";
import type { EmbedState, EmbedStats, PageToWorker, WorkerConfig, WorkerToPage } from "./protocol.js";
import { STATS_INTERVAL_MS } from "./protocol.js";

export interface Port {
  post(m: WorkerToPage, transfer?: Transferable[]): void;
  onMessage(handler: (m: PageToWorker) => void): void;
}

export function serveEmbeddedVm(port: Port): void {
  let m: Machine | undefined;
  let config: WorkerConfig | undefined;
  let overlay: CowOverlay | undefined;
  let abort: AbortController | undefined;
  let state: EmbedState = "stopped";
  let started = 0;
  let last = { t: 0, n: 0 };
  let timer: ReturnType<typeof setInterval> | undefined;
  const out: Uint8Array[] = [];
  let flushing = false;

  const flush = () => {
    flushing = false;
    if (!out.length) return;
    const n = out.reduce((a, b) => a + b.length, 0), bytes = new Uint8Array(n);
    let o = 0;
    for (const b of out) { bytes.set(b, o); o += b.length; }
    out.length = 0;
    port.post({ t: "output", bytes }, [bytes.buffer]);
  };

  // MIPS over the interval since the last periodic report (an on-demand reading leaves it be).
  const stats = (periodic = false): EmbedStats => {
    const now = performance.now();
    const n = m ? m.hart.steps : 0;
    const mips = now > last.t && last.t > 0 ? (n - last.n) / ((now - last.t) * 1000) : 0;
    if (periodic) last = { t: now, n };
    const st = m?.hart.stats();
    return {
      state, instructions: n, jitInstructions: Number(m?.hart.jit?.stats().steps ?? 0n), mips,
      exceptions: st?.exceptions ?? 0, interrupts: st?.interrupts ?? 0, hypercalls: st?.hypercalls ?? 0,
      uptimeMs: started ? now - started : 0,
    };
  };
  const report = () => port.post({ t: "stats", stats: stats(true) });

  const options = (c: WorkerConfig): MachineOptions => {
    overlay = c.disk ? new CowOverlay(new MemoryDisk(c.disk)) : undefined;
    return {
      memSize: c.memSize, mode: c.mode, jit: c.jit ? undefined : false,
      disks: overlay ? [{ backend: overlay, id: "wasmvisor-vda" }] : [],
      net: c.mac ? { mac: c.mac, send: (f: Uint8Array) => { const bytes = f.slice(); port.post({ t: "frame", bytes }, [bytes.buffer]); } } : undefined,
      output: (b) => { out.push(b.slice()); if (!flushing) { flushing = true; setTimeout(flush, 0); } },
    };
  };

  const run = async () => {
    if (!m) return;
    abort = new AbortController();
    state = "running";
    report();
    const r = await m.run({ signal: abort.signal });
    flush();
    if (r.reason === "aborted") return; // paused or stopped by the page
    state = "stopped";
    report();
    port.post({ t: "ended", reason: r.reason, exitCode: r.exitCode });
  };

  const begin = (c: WorkerConfig, snapshot?: Uint8Array) => {
    abort?.abort();
    config = c;
    const images = { kernel: c.images.kernel, initrd: c.images.initrd, firmware: c.images.firmware, cmdline: c.images.cmdline };
    if (snapshot) {
      m = Machine.fromSnapshot(c.core, options(c), snapshot);
      const machine = m;
      machine.onReset = () => { machine.bootLinux(images, c.mode); return true; };
    } else {
      m = new Machine(c.core, options(c));
      m.bootLinux(images, c.mode);
    }
    started = performance.now();
    last = { t: 0, n: 0 };
    if (timer === undefined) timer = setInterval(report, STATS_INTERVAL_MS);
    void run().catch((e: Error) => { state = "stopped"; port.post({ t: "error", message: e.message }); });
  };

  const stop = () => { abort?.abort(); state = "stopped"; report(); };

  port.onMessage((msg) => {
    try {
      switch (msg.t) {
        case "boot": begin(msg.config); break;
        case "restore": begin(msg.config, msg.snapshot); break;
        case "input": m?.input(msg.bytes); break;
        case "frame": m?.netReceive(msg.bytes); break;
        case "pause": if (state === "running") { abort?.abort(); state = "paused"; report(); } break;
        case "resume": if (state === "paused") void run(); break;
        case "reset": if (config) begin(config); break;
        case "stop": stop(); m = undefined; break;
        case "save": {
          if (!m) { port.post({ t: "reply", seq: msg.seq, error: "the VM is not running" }); break; }
          // Between slices: run() is parked at an await, so the machine is consistent.
          const bytes = m.snapshot().slice();
          port.post({ t: "reply", seq: msg.seq, bytes }, [bytes.buffer]);
          break;
        }
        case "stats": port.post({ t: "reply", seq: msg.seq, stats: stats() }); break;
        case "disk": {
          if (!overlay) { port.post({ t: "reply", seq: msg.seq, error: "the VM has no disk" }); break; }
          const bytes = overlay.flatten();
          port.post({ t: "reply", seq: msg.seq, bytes }, [bytes.buffer]);
          break;
        }
      }
    } catch (e) {
      port.post({ t: "error", message: (e as Error).message });
      if ("seq" in msg) port.post({ t: "reply", seq: msg.seq, error: (e as Error).message });
    }
  });
}
