// The embedding API: a Linux VM in a web page, run in a Web Worker of its own so the page stays
// responsive. Create it from bytes or URLs (kernel, initrd, firmware, disk; gzip-compressed or
// not), start, pause, resume, reset, stop; its console is a pair of streams (or an output event
// and write()); its state saves to an ArrayBuffer and restores into a new VM; statistics arrive
// as events; the disk's writes stay in the page (an overlay in the worker) and can be downloaded.
// Browser-safe (it also runs wherever Worker, fetch and DecompressionStream exist).
import { loadCore } from "../core/load.js";
import { DEFAULT_CONSOLE, type BootMode } from "../machine/linux-boot.js";
import { macForId, parseMac, type Switch, type SwitchPort } from "../net/switch.js";
import type { EmbedStats, PageToWorker, WorkerConfig, WorkerToPage } from "./protocol.js";

/** Bytes, or where to fetch them; gzip-compressed images are recognised and decompressed. */
export type Source = ArrayBuffer | Uint8Array | Blob | URL | string;

export interface EmbeddedVmOptions {
  /** The compiled core (loadCore()), or the URL of core.wasm. */
  core: WebAssembly.Module | URL | string;
  kernel: Source;
  initrd?: Source;
  /** M-mode firmware (OpenSBI fw_dynamic.bin); needed in full mode. */
  firmware?: Source;
  /** A raw disk image (virtio-blk /dev/vda); the guest's writes stay in the page. */
  disk?: Source;
  /** "full" (firmware in M-mode, trapped UART console) or "para" (SBI hypercalls, virtio console); default "para". */
  mode?: BootMode;
  /** Guest RAM in MiB (default 256). */
  memoryMiB?: number;
  /** Kernel command line; default the mode's console and `wasmvisor.mode=MODE`. */
  cmdline?: string;
  /** Compile hot guest code to Wasm (default true). */
  jit?: boolean;
  /**
   * Connects the VM's NIC (virtio-net, eth0) to this switch of the page: VMs on one switch reach
   * each other (the guests set their addresses). No NIC without it.
   */
  switch?: Switch;
  /** The NIC's MAC; default derived from a counter of the page's VMs. */
  mac?: string;
  /** Makes the VM's worker; default a module worker of this package's worker.js. */
  worker?: () => Worker;
}

export interface EmbeddedVmEvents {
  output: (bytes: Uint8Array) => void;
  stats: (stats: EmbedStats) => void;
  /** The guest powered off (exit code) or stopped for another reason. */
  ended: (reason: string, exitCode: number) => void;
  error: (message: string) => void;
}

const GZIP = [0x1f, 0x8b];
const MAX_MEMORY_MIB = 2048;

/** The bytes of a source, decompressed if they are gzip. */
export async function sourceBytes(s: Source): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (s instanceof Uint8Array) bytes = s;
  else if (s instanceof ArrayBuffer) bytes = new Uint8Array(s);
  else if (typeof Blob !== "undefined" && s instanceof Blob) bytes = new Uint8Array(await s.arrayBuffer());
  else {
    const r = await fetch(s as URL | string);
    if (!r.ok) throw new Error(`cannot fetch ${String(s)}: ${r.status} ${r.statusText}`);
    bytes = new Uint8Array(await r.arrayBuffer());
  }
  if (bytes[0] !== GZIP[0] || bytes[1] !== GZIP[1]) return bytes;
  const out = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(out).arrayBuffer());
}

let seq = 0;
let macs = 0;

export class EmbeddedVm {
  /** Console output as a stream (one reader at a time), and input as a stream. */
  readonly console: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array | string> };
  /** The latest statistics the worker reported. */
  stats: EmbedStats = { state: "booting", instructions: 0, jitInstructions: 0, mips: 0, exceptions: 0, interrupts: 0, hypercalls: 0, uptimeMs: 0 };
  private readonly worker: Worker;
  private readonly listeners: { [K in keyof EmbeddedVmEvents]: Set<EmbeddedVmEvents[K]> } = { output: new Set(), stats: new Set(), ended: new Set(), error: new Set() };
  private readonly replies = new Map<number, { resolve: (b: Uint8Array | EmbedStats) => void; reject: (e: Error) => void }>();
  private streamOut: ReadableStreamDefaultController<Uint8Array> | undefined;
  private readonly port: SwitchPort | undefined;

  private constructor(private readonly config: WorkerConfig, makeWorker: (() => Worker) | undefined, sw?: Switch) {
    this.worker = makeWorker ? makeWorker() : new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.worker.onmessage = (e: MessageEvent<WorkerToPage>) => this.onMessage(e.data);
    this.worker.onerror = (e) => this.emit("error", e.message || "the VM's worker failed");
    this.port = sw?.attach(`vm${seq}`, (f) => this.post({ t: "frame", bytes: f }));
    this.console = {
      // Bounded: output nobody reads past 4096 chunks is dropped (the output event still has it).
      readable: new ReadableStream<Uint8Array>({ start: (c) => { this.streamOut = c; } }, new CountQueuingStrategy({ highWaterMark: 64 })),
      writable: new WritableStream<Uint8Array | string>({ write: (chunk) => this.write(chunk) }),
    };
  }

  /** Loads the images and boots the guest. */
  static async create(options: EmbeddedVmOptions): Promise<EmbeddedVm> {
    const config = await EmbeddedVm.configure(options);
    const vm = new EmbeddedVm(config, options.worker, options.switch);
    vm.post({ t: "boot", config });
    return vm;
  }

  /** A new VM continuing from `snapshot` (from save()), built with the same options as the saved one. */
  static async restore(options: EmbeddedVmOptions, snapshot: ArrayBuffer | Uint8Array): Promise<EmbeddedVm> {
    const config = await EmbeddedVm.configure(options);
    const vm = new EmbeddedVm(config, options.worker, options.switch);
    vm.post({ t: "restore", config, snapshot: new Uint8Array(snapshot.slice(0)) });
    return vm;
  }

  private static async configure(o: EmbeddedVmOptions): Promise<WorkerConfig> {
    const mode = o.mode ?? "para";
    if (mode !== "full" && mode !== "para") throw new TypeError(`mode must be full or para, got ${String(mode)}`);
    const mib = o.memoryMiB ?? 256;
    if (!Number.isInteger(mib) || mib < 16 || mib > MAX_MEMORY_MIB) throw new RangeError(`memoryMiB must be an integer from 16 to ${MAX_MEMORY_MIB}, got ${mib}`);
    if (mode === "full" && o.firmware === undefined) throw new TypeError("full mode needs firmware (OpenSBI fw_dynamic.bin)");
    const [core, kernel, initrd, firmware, disk] = await Promise.all([
      o.core instanceof WebAssembly.Module ? o.core : loadCore(o.core),
      sourceBytes(o.kernel),
      o.initrd === undefined ? undefined : sourceBytes(o.initrd),
      o.firmware === undefined ? undefined : sourceBytes(o.firmware),
      o.disk === undefined ? undefined : sourceBytes(o.disk),
    ]);
    if (disk && disk.length % 512 !== 0) throw new RangeError(`disk image size ${disk.length} is not a multiple of 512`);
    const mac = o.switch ? (o.mac !== undefined ? parseMac(o.mac) : macForId(`page-vm-${++macs}`)) : undefined;
    return {
      core, mode, memSize: mib * 2 ** 20, jit: o.jit ?? true, disk, mac,
      images: { kernel, initrd, firmware: mode === "full" ? firmware : undefined, cmdline: o.cmdline ?? `${DEFAULT_CONSOLE[mode]} wasmvisor.mode=${mode}` },
    };
  }

  get mode(): BootMode { return this.config.mode; }

  on<K extends keyof EmbeddedVmEvents>(event: K, fn: EmbeddedVmEvents[K]): () => void {
    this.listeners[event].add(fn);
    return () => { this.listeners[event].delete(fn); };
  }

  /** Console input for the guest. */
  write(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data.slice();
    this.post({ t: "input", bytes }, [bytes.buffer]);
  }

  pause(): void { this.post({ t: "pause" }); }
  resume(): void { this.post({ t: "resume" }); }
  /** Boots the same images again (a fresh machine). */
  reset(): void { this.post({ t: "reset" }); }
  /** Stops the guest and ends its worker. */
  stop(): void {
    this.port?.detach();
    this.post({ t: "stop" });
    this.worker.terminate();
    for (const r of this.replies.values()) r.reject(new Error("the VM was stopped"));
    this.replies.clear();
    try { this.streamOut?.close(); } catch { /* already closed */ }
  }

  /** The whole machine (core, RAM, devices) as bytes, for restore(). */
  async save(): Promise<ArrayBuffer> { return (await this.request("save")).buffer as ArrayBuffer; }

  /** The disk as the guest sees it now (the image with the guest's writes), for download. */
  async diskImage(): Promise<Blob> { return new Blob([(await this.request("disk")).buffer as ArrayBuffer], { type: "application/octet-stream" }); }

  /** Statistics as of now (the `stats` event brings them every 500 ms). */
  async currentStats(): Promise<EmbedStats> { return (await this.request("stats")) as EmbedStats; }

  private request(t: "save" | "disk"): Promise<Uint8Array>;
  private request(t: "stats"): Promise<EmbedStats>;
  private request(t: "save" | "disk" | "stats"): Promise<Uint8Array | EmbedStats> {
    const s = ++seq;
    return new Promise((resolve, reject) => {
      this.replies.set(s, { resolve, reject });
      this.post({ t, seq: s });
    });
  }

  private post(m: PageToWorker, transfer: Transferable[] = []): void { this.worker.postMessage(m, transfer); }

  private emit<K extends keyof EmbeddedVmEvents>(event: K, ...args: Parameters<EmbeddedVmEvents[K]>): void {
    for (const fn of this.listeners[event]) (fn as (...a: Parameters<EmbeddedVmEvents[K]>) => void)(...args);
  }

  private onMessage(m: WorkerToPage): void {
    switch (m.t) {
      case "output":
        if (this.streamOut && (this.streamOut.desiredSize ?? 0) > -4096) this.streamOut.enqueue(m.bytes);
        this.emit("output", m.bytes);
        break;
      case "stats": this.stats = m.stats; this.emit("stats", m.stats); break;
      case "frame": this.port?.send(m.bytes); break;
      case "ended": this.emit("ended", m.reason, m.exitCode); break;
      case "error": this.emit("error", m.message); break;
      case "reply": {
        const r = this.replies.get(m.seq);
        if (!r) break;
        this.replies.delete(m.seq);
        if (m.error !== undefined) r.reject(new Error(m.error)); else r.resolve(m.stats ?? m.bytes!);
        break;
      }
    }
  }
}
