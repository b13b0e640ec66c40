// What the API server and the CLI drive: a host of VMs, whether they all run on this thread
// (hypervisor.ts Hypervisor) or on a pool of worker threads (pool.ts Pool). Actions either
// take effect before they return or return a promise that settles once they have; errors are
// HypervisorErrors either way. Browser-safe.
import type { VmConfig, VmView } from "./vm.js";
import type { SnapshotFile } from "../machine/machine.js";

export interface Host {
  readonly vms: ReadonlyMap<string, VmView>;
  /** Guest RAM the host may commit in all (bytes), and what the VMs that exist commit. */
  readonly memoryLimit: number;
  readonly committed: number;
  /** Defines a VM (not started); refused when its memory would overcommit the host. */
  create(config: VmConfig): VmView;
  start(id: string): void | Promise<void>;
  pause(id: string): void | Promise<void>;
  resume(id: string): void | Promise<void>;
  /** Ctrl-Alt-Del, then `timeoutMs` (default 10 s; 0: at once) for the guest to power off, then at once. */
  stop(id: string, timeoutMs?: number): void | Promise<void>;
  /** Ctrl-Alt-Del on the guest's keyboard. */
  sendCtrlAltDel(id: string): void | Promise<void>;
  reboot(id: string): void | Promise<void>;
  delete(id: string): void | Promise<void>;
  input(id: string, bytes: Uint8Array): void;
  /**
   * A snapshot of a paused VM; it names the VM, and carries `body` (its definition) when given.
   * `file`: it is for that file, Full or a Diff on the last one (Machine.snapshot).
   */
  snapshot(id: string, body?: unknown, file?: SnapshotFile): Uint8Array | Promise<Uint8Array>;
  /**
   * Loads a snapshot into a VM that is not running; then paused, or running with `resume`.
   * `advanceClockMs`: the guest's clock moves on by that much (a migration's time in transit).
   */
  restore(id: string, snapshot: Uint8Array, resume: boolean, advanceClockMs?: number): void | Promise<void>;
  /** Live migration, the source: the next pre-copy round's pages (hypervisor.ts says how). */
  migrationPages(id: string, first: boolean, from?: number): { batch: Uint8Array; next: number } | Promise<{ batch: Uint8Array; next: number }>;
  /** Live migration, the source: pauses the VM; the last pages and its state. */
  migrationFinish(id: string, body?: unknown): { pages: Uint8Array; state: Uint8Array } | Promise<{ pages: Uint8Array; state: Uint8Array }>;
  /** Live migration, the source: it failed (`resume` the VM here) or ended. */
  migrationAbort(id: string, resume: boolean): void | Promise<void>;
  /** Live migration, the target: pages for a defined VM that has not run. */
  migrationReceive(id: string, batch: Uint8Array): void | Promise<void>;
  close(): void | Promise<void>;
  /** Compiled guest code (Wasm bytes) installed in the host's VMs and held in its JIT caches. */
  codeBytes(): { installed: number; cache: number };
}
