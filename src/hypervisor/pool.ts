// Many VMs on a pool of worker threads: each worker runs a Hypervisor of its own (its own
// fair-share scheduler, restart policies and containment) over the VMs placed on it, all from
// the one compiled core module of the process; this side admits VMs within the host's memory
// limit, places each on the worker with the fewest, mirrors every VM's state, events, console
// and statistics from its worker's messages, forwards actions, and moves VMs between workers
// (pause, snapshot, restore on the other, delete on the first) to keep the running ones even.
// A worker that dies takes only its own VMs down: they go to `crashed`, a new worker takes its
// place, and those with a restart policy start again there.
// Browser-safe: the workers are made by the `spawn` function passed in (src/node/worker-pool.ts).
import { defaultJit } from "../jit/jit.js";
import { HypervisorError } from "./errors.js";
import type { Host } from "./host.js";
import { checkConfig, ConsoleRing, NO_STATS, pushEvent, type VmConfig, type VmEvent, type VmState, type VmStats, type VmView } from "./vm.js";
import type { DiskFile } from "../machine/board.js";
import type { SnapshotFile } from "../machine/machine.js";
import { Network, type SwitchPort } from "../net/switch.js";
import { ownBuffer, type CreateArgs, type FromWorker, type ToWorker, type WorkerOp } from "./worker-protocol.js";

/** The pool's end of a worker. */
export interface PoolWorker {
  post(m: ToWorker, transfer?: Transferable[]): void;
  onMessage(handler: (m: FromWorker) => void): void;
  /** Called once if the worker dies (an uncaught error, or it exited). */
  onExit(handler: (why: string) => void): void;
  terminate(): void;
}

export interface PoolOptions {
  /** Worker threads (at least 1). */
  workers: number;
  spawn: (index: number) => PoolWorker;
  /** Guest RAM the host may commit in all (bytes); default 16 GiB. */
  memoryLimit?: number;
  sliceInstructions?: number;
  /** Move VMs between workers to even out the running ones (checked every second); default true. */
  rebalance?: boolean;
}


const REBALANCE_EVERY_MS = 1000;

/** A VM of the pool as this thread sees it: a mirror of the one its worker runs. */
export class RemoteVm implements VmView {
  readonly config: ReturnType<typeof checkConfig>;
  state: VmState = "created";
  reason = "";
  readonly events: VmEvent[] = [];
  readonly console = new ConsoleRing();
  restarts = 0;
  exitCode = -1;
  /** CPU used on workers it left (a move starts the count over on the new one). */
  private cpuBefore = 0;
  private cpuHere = 0;
  private last: VmStats = NO_STATS;

  constructor(config: VmConfig, public worker: number) {
    this.config = checkConfig(config);
  }

  get diskFiles(): DiskFile[] { return this.config.diskFiles; }

  get id(): string { return this.config.id; }
  get cpuMs(): number { return this.cpuBefore + this.cpuHere; }
  stats(): VmStats { return this.last; }

  /** @internal */ report(cpuMs: number, stats: VmStats): void { this.cpuHere = cpuMs; this.last = stats; }
  /** @internal */ movedTo(worker: number): void { this.worker = worker; this.cpuBefore += this.cpuHere; this.cpuHere = 0; }
  /** @internal */ note(type: string, detail?: string): void { pushEvent(this.events, { time: Date.now(), type, detail }); }
}

interface Slot {
  worker: PoolWorker;
  stop: Int32Array;
  calls: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
  dead: boolean;
  code: { installed: number; cache: number };
}

export class Pool implements Host {
  readonly vms = new Map<string, RemoteVm>();
  readonly memoryLimit: number;
  private readonly slots: Slot[] = [];
  private seq = 0;
  private moving = false;
  private readonly migrating = new Set<string>();
  private closed = false;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  /** The host's switches; each worker with a VM on one has a port on it (its own switch's uplink). */
  readonly network = new Network();
  private readonly uplinks = new Map<string, SwitchPort>();

  constructor(private readonly module: WebAssembly.Module, private readonly options: PoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1 || options.workers > 256) {
      throw new RangeError(`workers must be an integer from 1 to 256, got ${options.workers}`);
    }
    this.memoryLimit = options.memoryLimit ?? 16 * 2 ** 30;
    for (let i = 0; i < options.workers; i++) this.slots.push(this.spawn(i));
    if (options.rebalance ?? true) {
      this.timer = setInterval(() => { void this.rebalance().catch(() => undefined); }, REBALANCE_EVERY_MS);
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  get workers(): number { return this.slots.length; }

  get committed(): number {
    let n = 0;
    for (const vm of this.vms.values()) n += vm.config.memSize;
    return n;
  }

  private spawn(index: number): Slot {
    const worker = this.options.spawn(index);
    const stop = new SharedArrayBuffer(4);
    const slot: Slot = { worker, stop: new Int32Array(stop), calls: new Map(), dead: false, code: { installed: 0, cache: 0 } };
    worker.onMessage((m) => this.onMessage(index, slot, m));
    worker.onExit((why) => this.workerDied(index, slot, why));
    worker.post({ t: "init", module: this.module, stop, sliceInstructions: this.options.sliceInstructions, jit: defaultJit() });
    return slot;
  }

  private onMessage(index: number, slot: Slot, m: FromWorker): void {
    if (m.t === "reply") {
      const c = slot.calls.get(m.seq);
      if (!c) return;
      slot.calls.delete(m.seq);
      if (m.error) c.reject(m.error.code === "internal" ? new Error(m.error.message) : new HypervisorError(m.error.code, m.error.message));
      else c.resolve(m.value);
      return;
    }
    if (m.t === "frame") { this.uplink(index, m.switch).send(m.bytes); return; }
    if (m.t === "stats") {
      slot.code = m.code;
      for (const r of m.vms) { const vm = this.vms.get(r.id); if (vm?.worker === index) vm.report(r.cpuMs, r.stats); }
      return;
    }
    const vm = this.vms.get(m.id);
    if (!vm || vm.worker !== index) return; // a VM deleted meanwhile, or the worker it left
    if (m.t === "out") { vm.console.push(m.bytes); return; }
    // A VM placed again (moved, or its worker replaced) is `created` there, and stays as it was here.
    if (m.e.type === "created") { if (!vm.events.some((e) => e.type === "created")) pushEvent(vm.events, m.e); return; }
    pushEvent(vm.events, m.e);
    vm.state = m.state;
    vm.reason = m.reason;
    vm.restarts = m.restarts;
    vm.exitCode = m.exitCode;
    vm.report(m.report.cpuMs, m.report.stats);
  }

  /** A worker died: its VMs crash, a new worker takes its place, and their policies apply. */
  private workerDied(index: number, slot: Slot, why: string): void {
    if (slot.dead) return;
    slot.dead = true;
    for (const c of slot.calls.values()) c.reject(new Error(`worker ${index} died: ${why}`));
    slot.calls.clear();
    if (this.closed) return;
    const fresh = this.spawn(index);
    this.slots[index] = fresh;
    for (const vm of this.vms.values()) {
      if (vm.worker !== index) continue;
      const wasUp = vm.state === "running" || vm.state === "paused";
      const reason = wasUp ? `host fault: worker ${index} died (${why})` : vm.reason;
      if (wasUp) { vm.state = "crashed"; vm.reason = reason; vm.note("crashed", reason); }
      vm.movedTo(index);
      const restart = wasUp && vm.config.restart !== "never" && vm.restarts < vm.config.maxRestarts;
      if (restart) vm.restarts++;
      void this.place(vm, index).then(() => (restart ? this.call(index, "start", vm.id) : undefined)).catch(() => undefined);
    }
  }

  private call(index: number, op: WorkerOp, id: string, args?: unknown, transfer?: Transferable[], interrupt = false): Promise<unknown> {
    const slot = this.slots[index];
    if (slot.dead) return Promise.reject(new HypervisorError("invalid_state", `VM '${id}': its worker is restarting`));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      slot.calls.set(seq, { resolve, reject });
      slot.worker.post({ t: "call", seq, op, id, args }, transfer);
      // After the message is queued: the worker ends its current slice and reads it.
      if (interrupt) Atomics.store(slot.stop, 0, 1);
    });
  }

  private get(id: string): RemoteVm {
    const vm = this.vms.get(id);
    if (!vm) throw new HypervisorError("not_found", `no VM '${id}'`);
    return vm;
  }

  /** Worker `index`'s port on switch `name` (frames forwarded to it reach its VMs there). */
  private uplink(index: number, name: string): SwitchPort {
    const key = `${index}\u0000${name}`;
    let p = this.uplinks.get(key);
    if (!p) {
      p = this.network.switch(name).attach(`worker ${index}`, (f) => { const s = this.slots[index]; if (!s.dead) s.worker.post({ t: "frame", switch: name, bytes: f }); });
      this.uplinks.set(key, p);
    }
    return p;
  }

  /** Defines `vm` on worker `index` (it starts there as `created`; its mirror keeps its state). */
  private place(vm: RemoteVm, index: number): Promise<unknown> {
    if (vm.config.net?.switch !== undefined) this.uplink(index, vm.config.net.switch); // broadcasts reach the worker before it sends
    const { disks: _none, ...config } = vm.config;
    const args: CreateArgs = { config, restarts: vm.restarts };
    return this.call(index, "create", vm.id, args);
  }

  /** Running VMs per worker. */
  load(): number[] {
    const n = this.slots.map(() => 0);
    for (const vm of this.vms.values()) if (vm.state === "running") n[vm.worker]++;
    return n;
  }

  create(config: VmConfig): RemoteVm {
    if (this.closed) throw new HypervisorError("invalid_state", "the host is shutting down");
    if (config?.disks?.length) throw new HypervisorError("invalid_config", "disks: a worker pool opens disks from their files (give diskFiles)");
    if (this.vms.has(config?.id)) throw new HypervisorError("already_exists", `a VM '${config.id}' exists`);
    // Fewest VMs first: a VM defined now is likely to be started.
    const count = this.slots.map(() => 0);
    for (const v of this.vms.values()) count[v.worker]++;
    const index = count.indexOf(Math.min(...count));
    const vm = new RemoteVm(config, index);
    const free = this.memoryLimit - this.committed;
    if (vm.config.memSize > free) {
      throw new HypervisorError("insufficient_memory",
        `VM '${vm.id}' needs ${mib(vm.config.memSize)} MiB of RAM; ${mib(Math.max(0, free))} MiB of the host's ${mib(this.memoryLimit)} MiB are free`);
    }
    this.vms.set(vm.id, vm);
    void this.place(vm, index).catch((e: Error) => {
      if (this.vms.get(vm.id) !== vm) return;
      vm.state = "crashed"; vm.reason = `cannot create on worker ${index}: ${e.message}`; vm.note("crashed", vm.reason);
    });
    return vm;
  }

  async start(id: string): Promise<void> { const vm = this.get(id); await this.call(vm.worker, "start", id); }
  async pause(id: string): Promise<void> { const vm = this.get(id); await this.call(vm.worker, "pause", id, undefined, undefined, true); }
  async resume(id: string): Promise<void> { const vm = this.get(id); await this.call(vm.worker, "resume", id); }
  async stop(id: string, timeoutMs?: number): Promise<void> { const vm = this.get(id); await this.call(vm.worker, "stop", id, timeoutMs, undefined, true); }
  async sendCtrlAltDel(id: string): Promise<void> { const vm = this.get(id); await this.call(vm.worker, "ctrlAltDel", id); }
  async reboot(id: string): Promise<void> { const vm = this.get(id); await this.call(vm.worker, "reboot", id, undefined, undefined, true); }

  async delete(id: string): Promise<void> {
    const vm = this.get(id);
    this.vms.delete(id);
    this.migrating.delete(id);
    vm.state = "shutoff";
    vm.note("deleted");
    await this.call(vm.worker, "delete", id, undefined, undefined, true).catch(() => undefined);
  }

  input(id: string, bytes: Uint8Array): void {
    const vm = this.get(id);
    if (vm.state !== "running" && vm.state !== "paused") {
      throw new HypervisorError("invalid_state", `VM ${id} is ${vm.state}: it has no console to type into`);
    }
    void this.call(vm.worker, "input", id, bytes.slice()).catch(() => undefined);
  }

  async snapshot(id: string, body?: unknown, file?: SnapshotFile): Promise<Uint8Array> {
    const vm = this.get(id);
    return await this.call(vm.worker, "snapshot", id, { body, file }, undefined, true) as Uint8Array;
  }

  async restore(id: string, snapshot: Uint8Array, resume: boolean, advanceClockMs?: number): Promise<void> {
    const vm = this.get(id);
    await this.call(vm.worker, "restore", id, { snapshot, resume, advanceClockMs });
  }

  // Live migration: the worker running the VM does the work (hypervisor.ts); a migrating VM is
  // not moved between workers meanwhile (its new board would have no dirty-page log).
  async migrationPages(id: string, first: boolean, from = 0): Promise<{ batch: Uint8Array; next: number }> {
    const vm = this.get(id);
    if (first) this.migrating.add(id);
    return await this.call(vm.worker, "migrationPages", id, { first, from }, undefined, true) as { batch: Uint8Array; next: number };
  }

  async migrationFinish(id: string, body?: unknown): Promise<{ pages: Uint8Array; state: Uint8Array }> {
    const vm = this.get(id);
    return await this.call(vm.worker, "migrationFinish", id, body, undefined, true) as { pages: Uint8Array; state: Uint8Array };
  }

  async migrationAbort(id: string, resume: boolean): Promise<void> {
    const vm = this.get(id);
    this.migrating.delete(id);
    await this.call(vm.worker, "migrationAbort", id, resume);
  }

  async migrationReceive(id: string, batch: Uint8Array): Promise<void> {
    const vm = this.get(id);
    const own = ownBuffer(batch);
    await this.call(vm.worker, "migrationReceive", id, own, [own.buffer]);
  }

  /**
   * Moves a VM to worker `to`, keeping its state: a running VM is paused, snapshotted (RAM,
   * devices and the disks' in-memory overlays), restored on `to` and resumed there. A VM whose
   * overlay lives in files (serve --state-dir) stays: two workers would write them.
   */
  async move(id: string, to: number): Promise<void> {
    const vm = this.get(id);
    if (!Number.isInteger(to) || to < 0 || to >= this.slots.length) throw new RangeError(`no worker ${to}`);
    const from = vm.worker;
    if (from === to) return;
    if (this.migrating.has(id)) throw new HypervisorError("invalid_state", `VM '${id}' is migrating to another host`);
    if (vm.config.boot.kind === "container" && (vm.state === "running" || vm.state === "paused")) {
      throw new HypervisorError("invalid_state", `VM '${id}' is a running container: its processes cannot move to another worker`);
    }
    if (vm.diskFiles.some(persistentOverlay)) {
      throw new HypervisorError("invalid_state", `VM '${id}' keeps its disk overlay in files, which two workers cannot share during a move`);
    }
    const was = vm.state;
    let snap: Uint8Array | undefined;
    if (was === "running" || was === "paused") {
      if (was === "running") await this.pause(id);
      snap = await this.snapshot(id);
    }
    vm.movedTo(to);
    vm.note("moving", `worker ${from} to worker ${to}`);
    try {
      await this.place(vm, to);
      if (snap) await this.call(to, "restore", id, { snapshot: snap, resume: was === "running" });
    } catch (e) { // left where it was
      vm.movedTo(from);
      await this.call(to, "delete", id).catch(() => undefined);
      if (was === "running") await this.resume(id).catch(() => undefined);
      throw e;
    }
    await this.call(from, "delete", id, undefined, undefined, true).catch(() => undefined);
  }

  /** Moves running VMs from the busiest worker to the least busy while they differ by two or more. */
  async rebalance(): Promise<number> {
    if (this.moving || this.closed) return 0;
    this.moving = true;
    let moved = 0;
    try {
      for (;;) {
        const n = this.load();
        const hi = n.indexOf(Math.max(...n)), lo = n.indexOf(Math.min(...n));
        if (n[hi] - n[lo] < 2) return moved;
        const vm = [...this.vms.values()].reverse().find((v) => v.worker === hi && v.state === "running" && v.config.boot.kind !== "container" && !v.diskFiles.some(persistentOverlay) && !this.migrating.has(v.id));
        if (!vm) return moved;
        await this.move(vm.id, lo);
        moved++;
      }
    } finally {
      this.moving = false;
    }
  }

  /** The workers' JIT figures as last reported (each worker has its own compiled-code cache). */
  codeBytes(): { installed: number; cache: number } {
    let installed = 0, cache = 0;
    for (const s of this.slots) { installed += s.code.installed; cache += s.code.cache; }
    return { installed, cache };
  }

  /** Stops every worker: each closes its VMs' disks first (at most `graceMs`), then it ends. */
  async close(graceMs = 5000): Promise<void> {
    if (this.closed) return;
    if (this.timer !== undefined) clearInterval(this.timer);
    const done = this.slots.map((_, i) => this.call(i, "shutdown", "", undefined, undefined, true).catch(() => undefined));
    this.closed = true; // no more calls; replies still arrive
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(done), new Promise((r) => { timer = setTimeout(r, graceMs); })]);
    clearTimeout(timer);
    for (const s of this.slots) { s.dead = true; s.worker.terminate(); }
  }
}

function mib(n: number): number { return Math.floor(n / 2 ** 20); }

const persistentOverlay = (d: DiskFile) => !d.readOnly && !d.writeThrough && d.overlay !== undefined;
