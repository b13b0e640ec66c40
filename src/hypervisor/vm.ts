// One VM under the hypervisor: its configuration, lifecycle state (libvirt-like: created,
// running, paused, shutoff, crashed with a reason), event log, console ring buffer, and the
// board + runner it runs on while it has one. Browser-safe.
import type { DiskConfig, DiskFile } from "../machine/board.js";
import type { BootMode, LinuxImages } from "../machine/linux-boot.js";
import { Machine } from "../machine/machine.js";
import { applyPages } from "../migration/pages.js";
import { macForId, parseMac, type SwitchPort } from "../net/switch.js";
import { parseForward } from "../net/user/usernet.js";
import { rateLimiterProblem, type RateLimiterConfig } from "../devices/rate-limiter.js";
import { HypervisorError } from "./errors.js";
import { Container } from "../container/container.js";
import { DEFAULT_PATH, ExecError, findProgram } from "../container/exec.js";
import type { ContainerHost } from "./container-host.js";

export type VmState = "created" | "running" | "paused" | "shutoff" | "crashed";
export type RestartPolicy = "never" | "on-failure" | "always";

/**
 * What the VM boots: a bare-metal image (ELF or raw; in para mode it starts in S-mode with
 * hypercalls), a Linux kernel in a mode, or a container: a static Linux program (argv[0], a
 * path in the root or a name looked up in PATH) whose kernel is the host (src/container), its
 * files from `root` (busybox, a directory or a tar archive, as the host's ContainerHost opens
 * them). A container's memSize is what its processes may use in all.
 */
export type BootSource =
  | { kind: "bare"; image: Uint8Array; mode?: BootMode }
  | { kind: "linux"; images: LinuxImages; mode: BootMode }
  | { kind: "container"; root: string; argv: string[]; env?: string[]; hostname?: string; mode?: undefined };

/** The environment a container's program gets when its boot source names none. */
export const CONTAINER_ENV = [`PATH=${DEFAULT_PATH.join(":")}`, "HOME=/root", "TERM=dumb"];
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})$/;

export interface VmConfig {
  id: string;
  /** Guest RAM in bytes (multiple of 4 KiB, at most 2 GiB). */
  memSize: number;
  boot: BootSource;
  disks?: DiskConfig[];
  /**
   * Disks the host opens from their files when it defines the VM (after these come `disks`);
   * a worker pool takes only these, since open files cannot move between threads.
   */
  diskFiles?: DiskFile[];
  /** Weight in the fair share of CPU (default 100). */
  shares?: number;
  /** At most this percent of one host core (1-100, default 100). */
  cpuCap?: number;
  restart?: RestartPolicy;
  /** Restarts allowed before the VM stays crashed (default 5). */
  maxRestarts?: number;
  /** First restart delay; doubled after each restart, at most 60 s (default 1000 ms). */
  backoffMs?: number;
  /** Use the deterministic virtual clock (tests); default the wall clock. */
  virtualClock?: boolean;
  /** Compile hot guest code (src/jit/); default true. */
  jit?: boolean;
  /** Keep the dirty-page log on, for Diff snapshots (default false). */
  trackDirtyPages?: boolean;
  /**
   * A NIC (virtio-net): on the host's switch of this name, or with user-mode networking (a
   * private router with DHCP, DNS and NAT to the host's sockets, and port forwards such as
   * "tcp:127.0.0.1:8080-:80"). Its MAC is derived from the id unless given ("02:...").
   */
  net?: ({ switch: string; user?: undefined } | { user: { forwards?: string[]; retryForwardsMs?: number }; switch?: undefined }) & { mac?: string; rx?: RateLimiterConfig; tx?: RateLimiterConfig };
}

/** An entry of a VM's event log; `time` is wall-clock ms since the epoch. */
export interface VmEvent { time: number; type: string; detail?: string }

/** What a VM's guest has done since it last booted (after it stops: in its last run). */
export interface VmStats {
  instructions: number;
  jitInstructions: number;
  exceptions: number;
  interrupts: number;
  hypercalls: number;
}

/**
 * A VM as the API and the CLI see it, wherever it runs: in this thread (Vm) or in a worker
 * (pool.ts RemoteVm, a mirror kept up to date by the worker's messages).
 */
export interface VmView {
  readonly id: string;
  readonly config: ReturnType<typeof checkConfig>;
  readonly state: VmState;
  readonly reason: string;
  readonly events: readonly VmEvent[];
  readonly console: ConsoleRing;
  readonly restarts: number;
  readonly exitCode: number;
  /** Host CPU time the VM used (ms). */
  readonly cpuMs: number;
  stats(): VmStats;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SWITCH_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const EVENTS_KEPT = 1000;
export const CONSOLE_RING_BYTES = 64 * 1024;

export const NO_STATS: VmStats = { instructions: 0, jitInstructions: 0, exceptions: 0, interrupts: 0, hypercalls: 0 };

function statsOf(m: Machine): VmStats {
  const st = m.hart.stats();
  return { instructions: m.hart.steps, jitInstructions: Number(m.hart.jit?.stats().steps ?? 0n), exceptions: st.exceptions, interrupts: st.interrupts, hypercalls: st.hypercalls };
}

/** Appends to an event log, keeping the last EVENTS_KEPT. */
export function pushEvent(log: VmEvent[], e: VmEvent): void {
  log.push(e);
  if (log.length > EVENTS_KEPT) log.splice(0, log.length - EVENTS_KEPT);
}

/** Checks a configuration before anything is built; throws HypervisorError(invalid_config). */
export function checkConfig(c: VmConfig): Required<Omit<VmConfig, "disks" | "diskFiles" | "net">> & { disks: DiskConfig[]; diskFiles: DiskFile[]; net?: VmConfig["net"] } {
  const bad = (field: string, why: string): never => { throw new HypervisorError("invalid_config", `${field}: ${why}`); };
  if (typeof c.id !== "string" || !ID.test(c.id)) bad("id", "1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit");
  if (!Number.isInteger(c.memSize) || c.memSize <= 0 || c.memSize % 4096 !== 0 || c.memSize > 2 ** 31) bad("memSize", "a positive multiple of 4 KiB up to 2 GiB");
  if (!c.boot || (c.boot.kind !== "bare" && c.boot.kind !== "linux" && c.boot.kind !== "container")) bad("boot", "kind must be bare, linux or container");
  if (c.boot.kind === "container") {
    const b = c.boot;
    if (typeof b.root !== "string" || b.root === "" || b.root.length > 4096) bad("boot.root", "busybox, or the path of a directory or tar archive");
    const strings = (v: unknown, max: number) => Array.isArray(v) && v.length <= max && v.every((x) => typeof x === "string" && x.length <= 4096 && !x.includes("\0"));
    if (!strings(b.argv, 1024) || b.argv.length === 0 || b.argv[0] === "") bad("boot.argv", "the program and its arguments (1 to 1024 strings)");
    if (b.env !== undefined && !strings(b.env, 1024)) bad("boot.env", "up to 1024 NAME=VALUE strings");
    if (b.hostname !== undefined && (typeof b.hostname !== "string" || !HOSTNAME.test(b.hostname))) bad("boot.hostname", "1-63 characters of A-Z a-z 0-9 -");
    if (c.net?.switch !== undefined) bad("net", "a container publishes ports (net.user.forwards); it has no NIC for a switch");
    if (c.jit === false || c.trackDirtyPages) bad(c.jit === false ? "jit" : "trackDirtyPages", "not for containers");
    if (c.memSize < 1 << 20 || c.memSize > 1 << 30) bad("memSize", "a container's memory: 1 MiB to 1 GiB");
  } else if ((c.boot.kind === "linux" || c.boot.mode !== undefined) && c.boot.mode !== "full" && c.boot.mode !== "para") bad("boot.mode", "full or para");
  const shares = c.shares ?? 100;
  if (!Number.isInteger(shares) || shares < 1 || shares > 10_000) bad("shares", "an integer from 1 to 10000");
  const cpuCap = c.cpuCap ?? 100;
  if (!Number.isFinite(cpuCap) || cpuCap < 1 || cpuCap > 100) bad("cpuCap", "a percentage from 1 to 100");
  const restart = c.restart ?? "never";
  if (restart !== "never" && restart !== "on-failure" && restart !== "always") bad("restart", "never, on-failure or always");
  const maxRestarts = c.maxRestarts ?? 5;
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0 || maxRestarts > 1000) bad("maxRestarts", "an integer from 0 to 1000");
  const backoffMs = c.backoffMs ?? 1000;
  if (!Number.isFinite(backoffMs) || backoffMs < 0 || backoffMs > 60_000) bad("backoffMs", "0 to 60000");
  if (c.jit !== undefined && typeof c.jit !== "boolean") bad("jit", "true or false");
  if (c.trackDirtyPages !== undefined && typeof c.trackDirtyPages !== "boolean") bad("trackDirtyPages", "true or false");
  if (c.net !== undefined) {
    if (c.net?.user !== undefined) {
      if (c.net.switch !== undefined) bad("net", "give a switch or user networking, not both");
      if (c.net.user.forwards !== undefined && !Array.isArray(c.net.user.forwards)) bad("net.user.forwards", "a list of tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT");
      for (const f of c.net.user.forwards ?? []) { try { parseForward(f); } catch (e) { bad("net.user.forwards", (e as Error).message); } }
      const r = c.net.user.retryForwardsMs;
      if (r !== undefined && !(Number.isInteger(r) && r >= 0 && r <= 60_000)) bad("net.user.retryForwardsMs", "ms from 0 to 60000");
    } else if (typeof c.net?.switch !== "string" || !SWITCH_NAME.test(c.net.switch)) bad("net.switch", "1-64 characters of A-Z a-z 0-9 _ . -");
    for (const dir of ["rx", "tx"] as const) { const why = rateLimiterProblem(c.net[dir]); if (why) bad(`net.${dir}`, why); }
    if (c.net.mac !== undefined) { try { parseMac(c.net.mac); } catch (e) { bad("net.mac", (e as Error).message); } }
  }
  const diskFiles = c.diskFiles ?? [];
  if (!Array.isArray(diskFiles) || diskFiles.some((d) => typeof d?.path !== "string" || typeof d.readOnly !== "boolean" || typeof d.writeThrough !== "boolean")) {
    bad("diskFiles", "a list of { path, readOnly, writeThrough }");
  }
  diskFiles.forEach((d, i) => { const why = rateLimiterProblem(d.rateLimiter); if (why) bad(`diskFiles[${i}].rateLimiter`, why); });
  if ((c.disks?.length ?? 0) + diskFiles.length > 7) bad("disks", "at most 7");
  return { ...c, shares, cpuCap, restart, maxRestarts, backoffMs, disks: c.disks ?? [], diskFiles, virtualClock: c.virtualClock ?? false, jit: c.jit ?? true, trackDirtyPages: c.trackDirtyPages ?? false };
}

/** The last bytes of a VM's console output. */
export class ConsoleRing {
  private readonly buf = new Uint8Array(CONSOLE_RING_BYTES);
  private end = 0;
  private total = 0;
  readonly listeners = new Set<(bytes: Uint8Array) => void>();

  push(bytes: Uint8Array): void {
    for (const l of this.listeners) l(bytes);
    const b = bytes.length > this.buf.length ? bytes.subarray(bytes.length - this.buf.length) : bytes;
    const first = Math.min(b.length, this.buf.length - this.end);
    this.buf.set(b.subarray(0, first), this.end);
    this.buf.set(b.subarray(first), 0);
    this.end = (this.end + b.length) % this.buf.length;
    this.total += bytes.length;
  }

  /** Bytes written in all (the ring keeps the last CONSOLE_RING_BYTES). */
  get written(): number { return this.total; }

  contents(): Uint8Array {
    if (this.total < this.buf.length) return this.buf.slice(0, this.total);
    return Uint8Array.from([...this.buf.subarray(this.end), ...this.buf.subarray(0, this.end)]);
  }
}

export class Vm implements VmView {
  readonly config: ReturnType<typeof checkConfig>;
  state: VmState = "created";
  /** Why the VM crashed or stopped. */
  reason = "";
  readonly events: VmEvent[] = [];
  readonly console = new ConsoleRing();
  private board: Machine | undefined;
  private final: VmStats = NO_STATS;
  restarts = 0;
  // Scheduler bookkeeping.
  vruntime = 0;
  cpuMs = 0;
  windowStart = 0;
  windowMs = 0;
  /** While idle: when its timer wakes it (ms, the host clock); Infinity: only input. */
  wakeAt = 0;
  idle = false;
  exitCode = -1;
  /** The host asked the guest to shut down (stop() is waiting for it). */
  stopping = false;

  /** Called with every event as it is logged (a worker forwards them to its pool). */
  onEvent: ((vm: Vm, e: VmEvent) => void) | undefined;
  /** Called when an idle container has work (input, a connection): the host's run loop wakes. */
  onWake: (() => void) | undefined;
  /** A container VM's container while it runs (boot kind "container"; it has no machine). */
  container: Container | undefined;
  private lastContainer: Container | undefined;

  constructor(config: VmConfig, private readonly module: WebAssembly.Module, private readonly now: () => number,
    private readonly containers?: ContainerHost) {
    this.config = checkConfig(config);
  }

  get isContainer(): boolean { return this.config.boot.kind === "container"; }

  get id(): string { return this.config.id; }

  event(type: string, detail?: string): void {
    const e = { time: this.now(), type, detail };
    pushEvent(this.events, e);
    this.onEvent?.(this, e);
  }

  /** The board and runner while the VM has one (running or paused). */
  get machine(): Machine | undefined { return this.board; }
  set machine(m: Machine | undefined) {
    // A VM that stops keeps the figures of its last run until it boots again.
    this.final = m ? NO_STATS : this.board ? statsOf(this.board) : this.final;
    this.board = m;
  }

  stats(): VmStats {
    const c = this.container ?? this.lastContainer;
    if (c) { const st = c.stats(); return { ...NO_STATS, instructions: st.instructions, exceptions: st.systemCalls }; }
    return this.board ? statsOf(this.board) : this.final;
  }

  /** Where the NIC's frames go (set by the host when the VM joins its switch). */
  netPort: SwitchPort | undefined;
  /** With user-mode networking: the host ports its forwards listen on (a host port 0 picks one). */
  forwardedPorts: number[] = [];

  /** The NIC's MAC address. */
  get mac(): Uint8Array | undefined {
    const n = this.config.net;
    return n ? (n.mac ? parseMac(n.mac) : macForId(this.id)) : undefined;
  }

  private machineOptions() {
    const c = this.config;
    const mac = this.mac;
    return { memSize: c.memSize, mode: c.boot.mode ?? "full", disks: c.disks, clock: c.virtualClock ? "virtual" as const : "wall" as const,
      jit: c.jit ? undefined : false as const,
      net: mac ? { mac, send: (f: Uint8Array) => this.netPort?.send(f), rx: c.net?.rx, tx: c.net?.tx } : undefined,
      output: (b: Uint8Array) => this.console.push(b) };
  }

  /** A frame from the switch for this VM's NIC; wakes it if it waits. */
  netReceive(frame: Uint8Array): void {
    if (!this.machine) return;
    this.machine.netReceive(frame);
    this.idle = false;
    this.wakeAt = 0;
  }

  /** Builds a fresh board and boots the guest on it (a container: a new container, its first process started). */
  boot(): void {
    const c = this.config;
    if (c.boot.kind === "container") { this.startContainer(c.boot); return; }
    const m = new Machine(this.module, this.machineOptions());
    if (c.boot.kind === "bare") m.load(c.boot.image);
    else m.bootLinux(this.linuxImages(c.boot.images), c.boot.mode);
    if (c.trackDirtyPages) m.trackDirtyPages();
    this.machine = m;
    this.idle = false;
    this.wakeAt = 0;
  }

  /** The images with the VM's name on the kernel command line (the guest's web page shows it). */
  private linuxImages(images: LinuxImages): LinuxImages {
    const cmdline = images.cmdline ?? "console=ttyS0";
    return /(^| )wasmvisor\.name=/.test(cmdline) ? images : { ...images, cmdline: `${cmdline} wasmvisor.name=${this.id}` };
  }

  /** An incoming live migration's board: its RAM fills with the pages as they arrive. */
  private staging: Machine | undefined;

  /** Live migration, the target: a batch of pages into the board the VM will continue on. */
  receivePages(batch: Uint8Array): void {
    this.staging ??= new Machine(this.module, this.machineOptions());
    applyPages(this.staging.hart.ram, batch);
  }

  /**
   * Builds a fresh board continuing from a snapshot (throws SnapshotError, leaving the VM as it
   * was); after an incoming migration's pages, its board, from the migration's state.
   */
  restore(snapshot: Uint8Array): void {
    const staged = this.staging;
    const m = staged ?? new Machine(this.module, this.machineOptions());
    m.restoreFrom(snapshot, staged !== undefined);
    this.staging = undefined;
    const c = this.config;
    if (c.boot.kind === "linux") { // a reboot of a restored Linux VM boots its images again
      const { mode } = c.boot;
      const images = this.linuxImages(c.boot.images);
      m.onReset = () => { m.bootLinux(images, mode); return true; };
    }
    if (c.trackDirtyPages) m.trackDirtyPages();
    this.machine = m;
    this.idle = false;
    this.wakeAt = 0;
  }

  /** The container's root, its program looked up in it, and the container with its first process. */
  private startContainer(b: Extract<BootSource, { kind: "container" }>): void {
    if (!this.containers) throw new HypervisorError("invalid_config", "boot: this host cannot run containers");
    const tree = this.containers.openRoot(b.root); // throws with the reason
    const forwards = this.config.net?.user?.forwards ?? [];
    const ct = new Container({
      module: this.module, tree, memSize: this.config.memSize, memoryLimit: this.config.memSize, hostname: b.hostname ?? this.id.slice(0, 63),
      stdin: "stream", stdout: (x) => this.console.push(x), stderr: (x) => this.console.push(x),
      network: this.config.net?.user ? this.containers.publish?.(forwards) : undefined,
    });
    try {
      ct.start(findProgram(tree, b.argv[0]), b.argv, b.env ?? CONTAINER_ENV);
    } catch (e) {
      if (e instanceof ExecError) throw new Error(`${b.argv[0]}: ${e.message}`);
      throw e;
    }
    ct.onWake = () => { this.idle = false; this.wakeAt = 0; this.onWake?.(); };
    this.container = this.lastContainer = ct;
    this.idle = false;
    this.wakeAt = 0;
  }

  /** The container has ended (or was dropped): its statistics stay with the VM until it boots again. */
  dropContainer(): void {
    this.container?.dispose();
    this.container = undefined;
  }

  /** Console input for the guest; wakes it if it waits. */
  input(bytes: Uint8Array): void {
    if (this.container) { this.container.input(bytes); return; }
    if (!this.machine) throw new HypervisorError("invalid_state", `VM ${this.id} is ${this.state}: it has no console to type into`);
    this.machine.input(bytes);
    this.idle = false;
    this.wakeAt = 0;
  }
}

