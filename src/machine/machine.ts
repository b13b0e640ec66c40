// A board with a runner: the simple way to run one guest (the CLI, tests, the demo). Bare-metal
// guests are loaded with load(); a Linux kernel boots with bootLinux() (linux-boot.ts), and a
// guest's reboot request then re-runs that boot flow. Browser-safe.
import { DRAM_BASE, PRIV_S } from "../core/hart.js";
import { Board, type BoardOptions } from "./board.js";
import { isElf } from "./elf.js";
import { loadElf, loadRaw } from "./loader.js";
import { bootLinux, type BootLayout, type BootMode, type LinuxImages } from "./linux-boot.js";
import { Runner } from "./runner.js";
import { restoreBoard, saveBoard, snapshotId, SnapshotError, type SnapshotBase, type SnapshotVm } from "../snapshot/format.js";

export type { RunResult, RunOptions, AsyncRunOptions } from "./runner.js";
export { DEFAULT_SLICE } from "./runner.js";

export type MachineOptions = BoardOptions;

export interface LoadInfo {
  entry: bigint;
  format: "elf" | "raw";
  tohost: number;
  fromhost: number;
}

export const DEFAULT_MEM_SIZE = 128 << 20;

/** A snapshot written to a file: Full (everything) or Diff (the pages written since the last one to a file). */
export interface SnapshotFile { type: "Full" | "Diff"; path: string }

export class Machine extends Runner {
  constructor(module: WebAssembly.Module, options: MachineOptions = {}) {
    super(new Board(module, { memSize: DEFAULT_MEM_SIZE, ...options }));
  }

  get syscon() { return this.board.syscon; }
  get uart() { return this.board.uart; }
  get htif() { return this.board.htif; }
  get plic() { return this.board.plic; }

  /**
   * Loads a bare-metal guest: an ELF64 (when the image starts with the ELF magic) at its
   * physical segment addresses, else a raw binary at the start of RAM. Resets the hart to
   * M-mode at the entry point (S-mode with hypercalls on a para board) and declares the HTIF
   * mailboxes (ELF `tohost`/`fromhost` symbols; none for raw). Throws ElfError/LoadError before writing anything if the image is
   * malformed or does not fit.
   */
  load(image: Uint8Array): LoadInfo {
    const hart = this.hart;
    let info: LoadInfo;
    if (isElf(image)) {
      const r = loadElf(hart, image);
      info = { entry: r.entry, format: "elf", tohost: r.tohost, fromhost: r.fromhost };
    } else {
      const r = loadRaw(hart, image, DRAM_BASE);
      info = { entry: r.entry, format: "raw", tohost: 0, fromhost: 0 };
    }
    this.board.resetDevices();
    hart.reset(info.entry);
    // On a para board there is no M-mode software: the guest starts in S-mode, hypercalls on.
    if (this.board.mode === "para") { this.board.enterMode(); hart.priv = PRIV_S; }
    this.board.htif.setMailboxes(info.tohost, info.fromhost);
    this.loaded();
    return info;
  }

  /**
   * Boots a Linux kernel (full mode: OpenSBI in M-mode first). A reboot request from the guest
   * boots the same images again, on the same disks.
   */
  bootLinux(images: LinuxImages, mode: BootMode = "full"): BootLayout {
    const layout = bootLinux(this.board, images, mode);
    this.board.htif.setMailboxes(0, 0);
    this.onReset = () => { bootLinux(this.board, images, mode); return true; };
    this.loaded();
    return layout;
  }

  /**
   * The whole machine as a snapshot (src/snapshot/format.ts); call between runs. `vm` names the
   * VM in it; `ram` false leaves RAM out (a live migration sends the pages apart). `file.path`:
   * the snapshot goes to that file, and with dirty-page tracking on it becomes the base of the
   * next Diff; `file.type` "Diff" holds only the pages written since that base.
   */
  snapshot(vm?: SnapshotVm, ram = true, file?: SnapshotFile): Uint8Array {
    let snap: Uint8Array;
    if (file?.type === "Diff") {
      if (!this.hart.dirtyLogging) throw new SnapshotError("a Diff snapshot needs dirty-page tracking (machine-config track_dirty_pages)");
      if (!this.diffBase) throw new SnapshotError("no snapshot to build a Diff on since this VM started, was restored or migrated: take a Full one first");
      snap = saveBoard(this.board, vm, true, { pages: this.hart.takeDirtyPages(), base: this.diffBase });
    } else {
      snap = saveBoard(this.board, vm, ram);
      if (file && ram && this.hart.dirtyLogging) this.hart.takeDirtyPages(); // the next Diff counts from here
    }
    if (file && this.hart.dirtyLogging) this.diffBase = { path: file.path, crc: snapshotId(snap) };
    return snap;
  }

  /** The snapshot file the next Diff builds on (undefined: none yet). */
  private diffBase: SnapshotBase | undefined;

  /** Turns on the dirty-page log for Diff snapshots (they build on the next Full one). */
  trackDirtyPages(): void { this.hart.dirtyLog(true); this.diffBase = undefined; }

  /** Something else restarted the dirty-page log (a live migration): no Diff until a Full snapshot. */
  dropDiffBase(): void { this.diffBase = undefined; }

  /**
   * A new machine, built with `options` (the same memory size, mode and devices as the one
   * saved), continuing from `snapshot`. Throws SnapshotError, naming the problem, when the
   * snapshot is damaged or does not fit; nothing else is touched then.
   */
  static fromSnapshot(module: WebAssembly.Module, options: MachineOptions, snapshot: Uint8Array): Machine {
    const m = new Machine(module, options);
    m.restoreFrom(snapshot);
    return m;
  }

  /**
   * Continues from `snapshot` on this machine, which must never have run: a fresh one, or one
   * whose RAM a live migration filled (`ramStaged`: then the snapshot may be one saved without RAM).
   */
  restoreFrom(snapshot: Uint8Array, ramStaged = false): void {
    restoreBoard(this.board, snapshot, ramStaged);
    this.loaded();
  }

  /** Sets the HTIF mailboxes by hand (e.g. for a raw image); 0 = none. */
  setHtif(tohost: number, fromhost: number): void { this.board.htif.setMailboxes(tohost, fromhost); }

  /** Queues console input for the guest: every console device receives it. */
  input(bytes: Uint8Array): void {
    this.board.input(bytes);
    this.kick();
  }

  /** A frame for the guest's NIC (from its switch); wakes a guest waiting in WFI. */
  netReceive(frame: Uint8Array): void {
    this.board.netReceive(frame);
    this.kick();
  }

  /** No more console input will come (end of file): an idle guest with no timer is deadlocked. */
  endInput(): void {
    this.board.consoleIn.close();
    this.kick();
  }
}
