// The messages between an embedded VM (vm.ts, on the page) and the Web Worker that runs it
// (worker.ts). Browser-safe.
import type { BootMode } from "../machine/linux-boot.js";

export interface BootImages {
  kernel: Uint8Array;
  initrd?: Uint8Array;
  firmware?: Uint8Array;
  cmdline: string;
}

export interface WorkerConfig {
  core: WebAssembly.Module;
  mode: BootMode;
  memSize: number;
  images: BootImages;
  /** A raw disk image; its writes go to an overlay in the worker. */
  disk?: Uint8Array;
  /** A virtio-net NIC with this MAC; its frames travel through the page (a switch there). */
  mac?: Uint8Array;
  jit: boolean;
}

export type PageToWorker =
  | { t: "boot"; config: WorkerConfig }
  | { t: "restore"; config: WorkerConfig; snapshot: Uint8Array }
  | { t: "input"; bytes: Uint8Array }
  | { t: "pause" } | { t: "resume" } | { t: "reset" } | { t: "stop" }
  | { t: "save"; seq: number }
  | { t: "disk"; seq: number }
  | { t: "stats"; seq: number }
  | { t: "frame"; bytes: Uint8Array };

/** What an embedded VM reports about itself. */
export interface EmbedStats {
  state: EmbedState;
  /** Guest instructions since boot (or restore), and of them those compiled code ran. */
  instructions: number;
  jitInstructions: number;
  /** Instructions per second over the last report interval, in millions. */
  mips: number;
  /** Exits by kind: exceptions and interrupts taken, hypercalls served. */
  exceptions: number;
  interrupts: number;
  hypercalls: number;
  /** ms since the VM was started or restored. */
  uptimeMs: number;
}

export type EmbedState = "booting" | "running" | "paused" | "stopped";

export type WorkerToPage =
  | { t: "output"; bytes: Uint8Array }
  | { t: "frame"; bytes: Uint8Array }
  | { t: "stats"; stats: EmbedStats }
  | { t: "ended"; reason: string; exitCode: number }
  | { t: "error"; message: string }
  | { t: "reply"; seq: number; bytes?: Uint8Array; stats?: EmbedStats; error?: string };

/** How often the worker reports statistics (ms). */
export const STATS_INTERVAL_MS = 500;
