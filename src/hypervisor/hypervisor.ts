// The machine supervisor: many isolated VMs on one host thread. It admits VMs within a memory
// limit, runs them through the fair-share scheduler in bounded slices, contains each one (a
// guest that loops, takes trap storms, floods its console or whose instance traps is that VM's
// problem: it goes to `crashed` with the reason and the others keep running), and restarts
// failed ones by policy with exponential backoff. Browser-safe: the compiled core, the clock
// and the timers are passed in.
import { installedCodeBytes, sharedCodeBytes } from "../jit/jit.js";
import { STEP_DONE, STEP_IDLE } from "../machine/runner.js";
import type { Machine, SnapshotFile } from "../machine/machine.js";
import { SnapshotError } from "../snapshot/error.js";
import { TIMEBASE_HZ } from "../core/hart.js";
import { allPages, encodePages } from "../migration/pages.js";
import { HypervisorError } from "./errors.js";
import type { DiskConfig, DiskFile } from "../machine/board.js";
import { Network, Switch, type SwitchPort } from "../net/switch.js";
import type { HostSockets } from "../net/user/sockets.js";
import { parseForward, UserNet } from "../net/user/usernet.js";
import type { Host } from "./host.js";
import { FairShare } from "./scheduler.js";
import { Vm, type VmConfig, type VmEvent, type VmState } from "./vm.js";
import type { ContainerHost } from "./container-host.js";
import { SIG } from "../container/linux-abi.js";
import type { ContainerSlice } from "../container/container.js";

export interface HostTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface HypervisorOptions {
  /** Guest RAM the host may commit in all (bytes); default 16 GiB. */
  memoryLimit?: number;
  /** Instructions per slice (default DEFAULT_SLICE_INSTRUCTIONS). */
  sliceInstructions?: number;
  /** The loop yields to the event loop at least this often (ms, default 4). */
  yieldMs?: number;
  timers?: HostTimers;
  /** Called with every event of every VM as it is logged. */
  onEvent?: (vm: Vm, e: VmEvent) => void;
  /**
   * A word another thread sets (non-zero) to have the run loop stop slicing and go to the event
   * loop after the current slice, so its message (pause, stop, a move) is handled promptly; the
   * loop clears it when it yields.
   */
  stopWord?: Int32Array;
  /**
   * Frames for VMs elsewhere (a pool's other workers): every switch a VM of this host joins gets
   * an uplink port whose frames go here; frames coming back enter through fromUplink().
   */
  uplink?: (switchName: string, frame: Uint8Array) => void;
  /** The host's sockets, for VMs with user-mode networking (Node: src/node/host-sockets.ts). */
  sockets?: HostSockets;
  /** Opens the disk files a VM names (VmConfig.diskFiles); without it such a VM is refused. */
  openDisks?: (files: DiskFile[]) => DiskConfig[];
  /** Roots and published ports for container VMs (boot kind "container"); without it they are refused. */
  containers?: ContainerHost;
}

const MAX_BACKOFF_MS = 60_000;
// Instructions per slice: 0.3 ms of compiled code, 3 ms interpreted. Shorter slices cost more in
// switching between VMs (200,000: 5 to 10 % less aggregate MIPS with 1 and with 100 busy VMs).
export const DEFAULT_SLICE_INSTRUCTIONS = 1_000_000;
/** How long stop() gives a guest to shut down by itself. */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
/** Pages a migration's first round scans and sends per part (16 MiB: a few ms of the VM's time). */
export const MIGRATION_CHUNK_PAGES = 4096;
const STOP_POLL_MS = 20;
const defaultTimers: HostTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Hypervisor implements Host {
  readonly vms = new Map<string, Vm>();
  readonly memoryLimit: number;
  private readonly sched = new FairShare();
  private readonly slice: number;
  private readonly yieldMs: number;
  private readonly t: HostTimers;
  private loopRunning = false;
  private wakeLoop: (() => void) | undefined;
  private sleepTimer: unknown;
  private readonly restartTimers = new Map<string, unknown>();
  private closed = false;
  private readonly onEvent: HypervisorOptions["onEvent"];
  private readonly stopWord: Int32Array | undefined;
  private readonly openDisks: HypervisorOptions["openDisks"];
  private readonly uplink: HypervisorOptions["uplink"];
  private readonly sockets: HostSockets | undefined;
  private readonly containers: ContainerHost | undefined;
  private readonly userNets = new Map<Vm, UserNet>();
  /** VMs migrating away, with the board whose pages are being sent. */
  private readonly migrating = new Map<string, Machine>();
  private readonly uplinks = new Map<string, SwitchPort>();
  /** The host's virtual switches, by name. */
  readonly network = new Network();

  constructor(private readonly module: WebAssembly.Module, options: HypervisorOptions = {}) {
    this.memoryLimit = options.memoryLimit ?? 16 * 2 ** 30;
    this.slice = options.sliceInstructions ?? DEFAULT_SLICE_INSTRUCTIONS;
    this.yieldMs = options.yieldMs ?? 4;
    this.t = options.timers ?? defaultTimers;
    this.onEvent = options.onEvent;
    this.stopWord = options.stopWord;
    this.openDisks = options.openDisks;
    this.uplink = options.uplink;
    this.sockets = options.sockets;
    this.containers = options.containers;
  }

  /** Guest RAM committed by the VMs that exist. */
  get committed(): number {
    let n = 0;
    for (const vm of this.vms.values()) n += vm.config.memSize;
    return n;
  }

  private get(id: string): Vm {
    const vm = this.vms.get(id);
    if (!vm) throw new HypervisorError("not_found", `no VM '${id}'`);
    return vm;
  }

  /** What containers do not have (their state is the host's kernel's, not a machine's). */
  private notContainer(vm: Vm, what: string): void {
    if (vm.isContainer) throw new HypervisorError("invalid_state", `VM '${vm.id}' is a container: containers have no ${what}`);
  }

  private expect(vm: Vm, action: string, states: VmState[]): void {
    if (!states.includes(vm.state)) {
      throw new HypervisorError("invalid_state", `cannot ${action} VM '${vm.id}': it is ${vm.state} (allowed when ${states.join(" or ")})`);
    }
  }

  /** Defines a VM (not started). Refused when its memory would overcommit the host. */
  create(config: VmConfig): Vm {
    if (this.vms.has(config?.id)) throw new HypervisorError("already_exists", `a VM '${config.id}' exists`);
    let vm = new Vm(config, this.module, () => Date.now(), this.containers); // events carry wall-clock time
    if (vm.isContainer && !this.containers) throw new HypervisorError("invalid_config", "boot: this host cannot run containers");
    const free = this.memoryLimit - this.committed;
    if (vm.config.memSize > free) {
      throw new HypervisorError("insufficient_memory",
        `VM '${vm.id}' needs ${mib(vm.config.memSize)} MiB of RAM; ${mib(Math.max(0, free))} MiB of the host's ${mib(this.memoryLimit)} MiB are free`);
    }
    if (vm.config.diskFiles.length) {
      if (!this.openDisks) throw new HypervisorError("invalid_config", "diskFiles: this host cannot open disk files");
      let opened: DiskConfig[];
      try { opened = this.openDisks(vm.config.diskFiles); } catch (e) { throw new HypervisorError("invalid_config", `diskFiles: ${(e as Error).message}`); }
      vm = new Vm({ ...config, disks: [...vm.config.disks, ...opened] }, this.module, () => Date.now(), this.containers);
    }
    vm.onEvent = this.onEvent;
    vm.onWake = () => this.kick();
    if (vm.isContainer) {
      if (vm.config.disks.length) throw new HypervisorError("invalid_config", "disks: a container's files are its root (no drives)");
      // A container publishes its ports itself (net.user.forwards): no NIC, no user-mode router.
    } else {
      if (vm.config.net?.user && !this.sockets) throw new HypervisorError("invalid_config", "net.user: this host has no sockets for user-mode networking");
      if (vm.config.net?.switch !== undefined) this.join(vm, vm.config.net.switch);
      else if (vm.config.net?.user) this.joinUser(vm, vm.config.net.user.forwards ?? [], vm.config.net.user.retryForwardsMs);
    }
    this.vms.set(vm.id, vm);
    vm.event("created");
    return vm;
  }

  start(id: string): void {
    const vm = this.get(id);
    this.expect(vm, "start", ["created", "shutoff", "crashed"]);
    this.cancelRestart(id);
    this.boot(vm, "started");
  }

  pause(id: string): void {
    const vm = this.get(id);
    this.expect(vm, "pause", ["running"]);
    vm.state = "paused";
    vm.event("paused");
  }

  resume(id: string): void {
    const vm = this.get(id);
    this.expect(vm, "resume", ["paused"]);
    vm.state = "running";
    this.sched.admit(vm, this.vms.values());
    vm.event("resumed");
    this.kick();
  }

  /**
   * Stops a running or paused VM. Gracefully first: a running guest whose keyboard driver is up
   * gets Ctrl-Alt-Del (the bundled Linux powers off) and `timeoutMs` to power off by itself;
   * past that, or with timeoutMs 0, a paused VM, or a guest with no keyboard driver (bare
   * metal), the board is dropped at once. The promise settles when the VM is shut off.
   */
  stop(id: string, timeoutMs = DEFAULT_STOP_TIMEOUT_MS): void | Promise<void> {
    const vm = this.get(id);
    this.expect(vm, "stop", ["running", "paused"]);
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new HypervisorError("invalid_config", "stop timeout: a number of ms >= 0");
    this.cancelRestart(id);
    const m = vm.machine ?? vm.container!;
    if (vm.stopping || timeoutMs === 0 || vm.state !== "running" || !(vm.container ? (vm.container.signal(SIG.TERM), true) : vm.machine!.board.sendCtrlAltDel())) {
      this.shutoff(vm, "stopped by the host");
      return;
    }
    vm.stopping = true;
    vm.event("shutdown-requested", `${vm.container ? "SIGTERM to its first process" : "Ctrl-Alt-Del"}; stopped at once after ${timeoutMs} ms`);
    this.kick();
    const t0 = this.t.now();
    return new Promise((resolve) => {
      const check = () => {
        if ((vm.machine ?? vm.container) !== m || this.vms.get(id) !== vm) { resolve(); return; } // it shut down (or was deleted)
        if (this.t.now() - t0 >= timeoutMs) {
          this.shutoff(vm, `stopped by the host: the guest did not shut down within ${timeoutMs} ms`);
          resolve();
          return;
        }
        this.t.setTimeout(check, Math.min(STOP_POLL_MS, Math.max(1, timeoutMs - (this.t.now() - t0))));
      };
      this.t.setTimeout(check, STOP_POLL_MS);
    });
  }

  /** Ctrl-Alt-Del on a running guest's keyboard; refused when no driver listens. */
  sendCtrlAltDel(id: string): void {
    const vm = this.get(id);
    this.expect(vm, "send Ctrl-Alt-Del to", ["running"]);
    this.notContainer(vm, "Ctrl-Alt-Del (it has no keyboard; Stop sends its first process SIGTERM)");
    if (!vm.machine!.board.sendCtrlAltDel()) {
      throw new HypervisorError("invalid_state", `VM '${id}' has no keyboard driver listening (a bare-metal guest, or Linux not booted that far)`);
    }
    vm.event("ctrl-alt-del");
    this.kick();
  }

  /**
   * A snapshot of a paused VM (a running one keeps changing; pause it first); `file`: it goes
   * to that file, Full or Diff (Machine.snapshot).
   */
  snapshot(id: string, body?: unknown, file?: SnapshotFile): Uint8Array {
    const vm = this.get(id);
    this.notContainer(vm, "snapshots");
    this.expect(vm, "snapshot", ["paused"]);
    if (file && this.migrating.has(id)) throw new HypervisorError("invalid_state", `VM '${id}' is migrating: its dirty-page log belongs to the migration`);
    try {
      return vm.machine!.snapshot({ id, ...(body !== undefined && { body }) }, true, file);
    } catch (e) {
      if (e instanceof SnapshotError) throw new HypervisorError("invalid_state", e.message);
      throw e;
    }
  }

  /**
   * Loads a snapshot into a VM that is not running (created, shutoff or crashed) and whose
   * configuration matches the snapshot's machine; it is then paused, or running with `resume`.
   */
  restore(id: string, snapshot: Uint8Array, resume: boolean, advanceClockMs = 0): void {
    const vm = this.get(id);
    this.notContainer(vm, "snapshots");
    this.expect(vm, "load a snapshot into", ["created", "shutoff", "crashed"]);
    this.cancelRestart(id);
    try {
      vm.restore(snapshot);
    } catch (e) {
      throw new HypervisorError("invalid_config", (e as Error).message);
    }
    // A migrated VM's clock moves on by the time it spent between the hosts (wall-clock guests).
    if (advanceClockMs > 0 && !vm.config.virtualClock) vm.machine!.hart.mtime += BigInt(Math.round(advanceClockMs * (TIMEBASE_HZ / 1000)));
    vm.state = resume ? "running" : "paused";
    vm.reason = "";
    this.sched.admit(vm, this.vms.values());
    vm.event("restored", resume ? "running" : "paused");
    if (resume) this.kick();
  }

  // Live migration (src/migration/). The source's VM keeps running through the pre-copy rounds;
  // its board is remembered at the first, so a reboot or restart meanwhile (a new board, whose
  // pages were never sent) fails the migration instead of sending half of two boards.

  /**
   * Pages for the next pre-copy round of a running or paused VM. The first round takes every
   * page in use, MIGRATION_CHUNK_PAGES at a time from page `from` (the VM runs between the
   * parts, so scanning a large RAM does not stall it); its first part turns on the board's
   * dirty-page log. Later rounds take the pages written since the round before. `next`: the
   * page the first round goes on from, or -1 when the round is complete.
   */
  migrationPages(id: string, first: boolean, from = 0): { batch: Uint8Array; next: number } {
    const vm = this.get(id);
    this.notContainer(vm, "live migration");
    this.expect(vm, "migrate", ["running", "paused"]);
    const m = vm.machine!;
    if (first) {
      if (from === 0) {
        m.hart.dirtyLog(true);
        m.dropDiffBase(); // the rounds restart the log
        this.migrating.set(id, m);
        vm.event("migration-started");
      } else {
        this.sameBoard(id, m);
      }
      const total = vm.config.memSize / 4096;
      if (!Number.isInteger(from) || from < 0 || from >= total) throw new HypervisorError("invalid_config", `migration: no page ${from} in this VM's RAM`);
      const end = Math.min(total, from + MIGRATION_CHUNK_PAGES);
      return { batch: allPages(m.hart.deviceRam(), from, end), next: end < total ? end : -1 };
    }
    this.sameBoard(id, m);
    return { batch: encodePages(m.hart.deviceRam(), m.hart.takeDirtyPages(), false), next: -1 };
  }

  /**
   * The last round: pauses the VM and returns the pages written since the previous round and
   * its state (a snapshot without RAM that names it, with `body`). It stays paused here until
   * the migration ends (migrationAbort, or delete once the target runs it).
   */
  migrationFinish(id: string, body?: unknown): { pages: Uint8Array; state: Uint8Array } {
    const vm = this.get(id);
    this.notContainer(vm, "live migration");
    this.expect(vm, "migrate", ["running", "paused"]);
    const m = vm.machine!;
    this.sameBoard(id, m);
    if (vm.state === "running") this.pause(id);
    for (const d of vm.config.disks) d.backend.flush(); // what it wrote is on disk before another host opens it
    const pages = encodePages(m.hart.deviceRam(), m.hart.takeDirtyPages(), false);
    return { pages, state: m.snapshot({ id, ...(body !== undefined && { body }) }, false) };
  }

  /** The board being migrated must be the one whose pages went first (not a rebooted VM's new one). */
  private sameBoard(id: string, m: Machine): void {
    if (this.migrating.get(id) !== m) throw new HypervisorError("invalid_state", `VM '${id}' rebooted or restarted during its migration`);
  }

  /** The migration failed or ended: the dirty log off; a paused VM runs again if `resume`. */
  migrationAbort(id: string, resume: boolean): void {
    const vm = this.get(id);
    const m = this.migrating.get(id);
    this.migrating.delete(id);
    if (m && vm.machine === m) m.hart.dirtyLog(vm.config.trackDirtyPages);
    vm.event("migration-ended", resume ? "failed: the VM runs here again" : undefined);
    if (resume && vm.state === "paused" && vm.machine === m) this.resume(id);
  }

  /** The target: a batch of an incoming migration's pages for a VM that is defined and not running. */
  migrationReceive(id: string, batch: Uint8Array): void {
    const vm = this.get(id);
    this.notContainer(vm, "live migration");
    this.expect(vm, "migrate into", ["created"]);
    try { vm.receivePages(batch); } catch (e) { throw new HypervisorError("invalid_config", (e as Error).message); }
  }

  reboot(id: string): void {
    const vm = this.get(id);
    this.expect(vm, "reboot", ["running", "paused"]);
    this.boot(vm, "rebooted");
  }

  delete(id: string): void {
    const vm = this.get(id);
    this.cancelRestart(id);
    this.migrating.delete(id);
    vm.machine = undefined;
    vm.dropContainer();
    this.vms.delete(id);
    vm.netPort?.detach();
    this.userNets.get(vm)?.close();
    this.userNets.delete(vm);
    closeDisks(vm);
    vm.state = "shutoff";
    vm.event("deleted");
  }

  /** Console input for a VM. */
  input(id: string, bytes: Uint8Array): void {
    this.get(id).input(bytes);
    this.kick();
  }

  /** Stops the run loop and every pending restart; the VMs' disks are flushed and closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.restartTimers.values()) this.t.clearTimeout(h);
    this.restartTimers.clear();
    for (const vm of this.vms.values()) closeDisks(vm);
    for (const u of this.userNets.values()) u.close();
    this.kick();
  }

  private boot(vm: Vm, event: string): void {
    try {
      vm.boot();
    } catch (e) {
      this.crash(vm, `boot failed: ${(e as Error).message}`);
      return;
    }
    vm.state = "running";
    vm.reason = "";
    vm.exitCode = -1;
    this.sched.admit(vm, this.vms.values());
    vm.event(event);
    this.kick();
  }

  private shutoff(vm: Vm, reason: string): void {
    vm.machine = undefined;
    vm.dropContainer();
    vm.stopping = false;
    vm.state = "shutoff";
    vm.reason = reason;
    vm.event("shutoff", reason);
  }

  private crash(vm: Vm, reason: string): void {
    vm.machine = undefined;
    vm.dropContainer();
    vm.stopping = false;
    vm.state = "crashed";
    vm.reason = reason;
    vm.event("crashed", reason);
    this.maybeRestart(vm, true);
  }

  /** The guest ended by itself: power-off (exit code) or a fatal condition. */
  private ended(vm: Vm, reason: string, exitCode: number, message: string | undefined): void {
    vm.exitCode = exitCode;
    if (vm.stopping && reason === "exit") { // the host asked for it: no restart
      this.shutoff(vm, "stopped by the host (the guest shut down)");
    } else if (reason === "exit" && exitCode === 0) {
      this.shutoff(vm, vm.isContainer ? "its first process exited with status 0" : "the guest powered off");
      this.maybeRestart(vm, false);
    } else if (reason === "exit") {
      this.crash(vm, `${vm.isContainer ? "its first process" : "the guest"} exited with status ${exitCode}`);
    } else {
      this.crash(vm, message ?? reason);
    }
  }

  private maybeRestart(vm: Vm, failed: boolean): void {
    const policy = vm.config.restart;
    if (policy === "never" || (policy === "on-failure" && !failed) || this.closed) return;
    if (vm.restarts >= vm.config.maxRestarts) {
      vm.event("restart-limit", `${vm.restarts} restarts`);
      if (failed) vm.reason += ` (restart limit of ${vm.config.maxRestarts} reached)`;
      return;
    }
    const delay = Math.min(MAX_BACKOFF_MS, vm.config.backoffMs * 2 ** vm.restarts);
    vm.event("restart-scheduled", `in ${delay} ms`);
    const h = this.t.setTimeout(() => {
      this.restartTimers.delete(vm.id);
      if (this.vms.get(vm.id) !== vm || (vm.state !== "crashed" && vm.state !== "shutoff")) return;
      vm.restarts++;
      this.boot(vm, "restarted");
    }, delay);
    this.restartTimers.set(vm.id, h);
  }

  private cancelRestart(id: string): void {
    const h = this.restartTimers.get(id);
    if (h !== undefined) { this.t.clearTimeout(h); this.restartTimers.delete(id); }
  }

  /** Wakes the run loop (or starts it). */
  private kick(): void {
    if (this.wakeLoop) { const w = this.wakeLoop; this.wakeLoop = undefined; w(); }
    if (!this.loopRunning && !this.closed) { this.loopRunning = true; void this.loop(); }
  }

  /** Runs one slice of the VM the scheduler picks; false when none is runnable now. */
  runOnce(): boolean {
    const now = this.t.now();
    const vm = this.sched.pick(this.vms.values(), now);
    if (!vm) return false;
    const m = vm.machine;
    let r: number | ContainerSlice;
    try {
      r = m ? m.step(this.slice) : vm.container!.runFor(this.slice);
    } catch (e) {
      // A trap of the instance or a fault in a device model: contained in this VM.
      this.sched.charge(vm, this.t.now() - now);
      this.crash(vm, `host fault: ${(e as Error).message}`);
      return true;
    }
    const after = this.t.now();
    this.sched.charge(vm, after - now);
    if (!m) { this.containerSliced(vm, r as ContainerSlice, after); return true; }
    r = r as number;
    m.board.consoleOut.flush(); // console output reaches the ring (and attached consoles) every slice
    if (r === STEP_DONE) { const o = m.outcome; this.ended(vm, o.reason, o.exitCode, o.message); return true; }
    // The guest's watchdog (SBI heartbeat): a late heartbeat is a failure.
    const late = Date.now() - m.board.watchdogDeadline;
    if (late > 0) { this.crash(vm, `watchdog: no heartbeat for ${m.board.watchdogMs} ms`); return true; }
    if (r === STEP_IDLE) { vm.idle = true; vm.wakeAt = Math.min(after + m.wakeInMs, after - late + 1); }
    return true;
  }

  /** After a slice of a container VM (its processes in turn): its end is the VM's (exit status, or a signal). */
  private containerSliced(vm: Vm, s: ContainerSlice, after: number): void {
    if (s.kind === "done") {
      const r = s.result;
      if (vm.stopping) { vm.exitCode = r.status; this.shutoff(vm, `stopped by the host (its first process ended${r.signal !== undefined ? ` on signal ${r.signal}` : ` with status ${r.status}`})`); return; }
      if (r.signal !== undefined) {
        vm.exitCode = r.status;
        this.crash(vm, `its first process was killed by signal ${r.signal}${r.oomKills ? ` (${r.oomKills} killed at the memory limit of ${mib(vm.config.memSize)} MiB)` : ""}`);
      } else this.ended(vm, "exit", r.status, undefined);
    } else if (s.kind === "idle") {
      vm.idle = true;
      vm.wakeAt = s.wakeAt === Infinity ? Infinity : after + Math.max(0, s.wakeAt - performance.now());
    }
  }

  /** The scheduler loop: slices while something is runnable, sleeps until the next wake-up. */
  private async loop(): Promise<void> {
    try {
      while (!this.closed) {
        const t0 = this.t.now();
        let ran = false;
        while (this.t.now() - t0 < this.yieldMs && !this.stopRequested() && this.runOnce()) ran = true;
        if (ran || this.stopRequested()) {
          await yieldToEventLoop();
          if (this.stopWord) Atomics.store(this.stopWord, 0, 0);
          continue;
        }
        if (!this.anyRunning()) break; // nothing to do until an action
        const wake = this.sched.nextWake;
        await new Promise<void>((resolve) => {
          this.wakeLoop = resolve;
          if (wake !== Infinity) this.sleepTimer = this.t.setTimeout(() => { this.wakeLoop = undefined; resolve(); }, Math.max(0, wake - this.t.now()));
        });
        if (this.sleepTimer !== undefined) { this.t.clearTimeout(this.sleepTimer); this.sleepTimer = undefined; }
      }
    } finally {
      this.loopRunning = false;
    }
  }

  /** Connects a VM's NIC to a switch of this host (and the switch to the uplink, if there is one). */
  private join(vm: Vm, name: string): void {
    const sw = this.network.switch(name);
    if (this.uplink && !this.uplinks.has(name)) {
      const up = this.uplink;
      this.uplinks.set(name, sw.attach("uplink", (f) => up(name, f)));
    }
    this.attachNic(vm, sw);
  }

  /**
   * User-mode networking: the VM and a UserNet on a private switch. The forwards listen at once;
   * one that cannot (an address in use) crashes the VM with the reason.
   */
  private joinUser(vm: Vm, forwards: string[], retryMs?: number): void {
    const sw = new Switch(`user:${vm.id}`);
    const user = new UserNet(this.sockets!);
    if (vm.mac) user.knowGuest(vm.mac);
    user.attach(sw.attach("user", (f) => user.deliver(f)));
    this.attachNic(vm, sw);
    this.userNets.set(vm, user);
    user.forward(forwards.map(parseForward), retryMs).then((ports) => { vm.forwardedPorts = ports; }, (e: Error) => {
      vm.event("net-error", `port forward: ${e.message}`);
      if (vm.state === "running" || vm.state === "paused") this.crash(vm, `port forward: ${e.message}`);
    });
  }

  /** The VM's NIC as a port of `sw`; a frame for it wakes the run loop. */
  private attachNic(vm: Vm, sw: Switch): void {
    vm.netPort = sw.attach(vm.id, (f) => { vm.netReceive(f); if (vm.state === "running") this.kick(); });
  }

  /** A frame from the uplink (another worker's VM) onto switch `name`. */
  fromUplink(name: string, frame: Uint8Array): void { this.uplinks.get(name)?.send(frame); }

  /** This thread's JIT figures (every Hypervisor of a thread shares them). */
  codeBytes(): { installed: number; cache: number } { return { installed: installedCodeBytes(), cache: sharedCodeBytes() }; }

  private stopRequested(): boolean { return this.stopWord !== undefined && Atomics.load(this.stopWord, 0) !== 0; }

  private anyRunning(): boolean {
    for (const vm of this.vms.values()) if (vm.state === "running") return true;
    return false;
  }
}

function mib(n: number): number { return Math.floor(n / 2 ** 20); }

/** A VM that is gone lets go of its disks (a persistent overlay writes its index). */
function closeDisks(vm: Vm): void {
  for (const d of vm.config.disks) {
    try { d.backend.flush(); d.backend.close?.(); } catch { /* a disk that cannot flush must not keep the others open */ }
  }
}

function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  if (typeof g.setImmediate === "function") return new Promise((r) => { g.setImmediate!(r); });
  return new Promise((r) => setTimeout(r, 0));
}
