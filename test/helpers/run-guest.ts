// Runs a guest image to its end on a fresh Machine with the deterministic virtual clock:
// the helper guest-level tests use. Node-only (it loads build/core.wasm from disk).
import { loadCoreModule } from "../../src/node/core-module.js";
import { Machine, type RunResult } from "../../src/machine/machine.js";

export interface RunGuestOptions {
  /** Guest RAM in bytes; default 16 MiB. */
  memSize?: number;
  /** Instruction limit; default 100 million (about a second), so a runaway guest ends as "limit". */
  maxInstructions?: number;
  /** Console input, all queued before the run, followed by end of input. */
  input?: string | Uint8Array;
  /** Instructions per slice (default: the Machine's). */
  sliceInstructions?: number;
}

export interface GuestRun {
  result: RunResult;
  /** Console output decoded as UTF-8. */
  output: string;
  /** Console output bytes. */
  bytes: Uint8Array;
  machine: Machine;
}

export function runGuest(image: Uint8Array, opts: RunGuestOptions = {}): GuestRun {
  const chunks: Uint8Array[] = [];
  const machine = new Machine(loadCoreModule(), {
    memSize: opts.memSize ?? 16 << 20,
    clock: "virtual",
    output: (b) => chunks.push(b),
  });
  machine.load(image);
  if (opts.input !== undefined) {
    machine.input(typeof opts.input === "string" ? new TextEncoder().encode(opts.input) : opts.input);
  }
  machine.endInput();
  const result = machine.runSync({
    maxInstructions: opts.maxInstructions ?? 100_000_000,
    sliceInstructions: opts.sliceInstructions,
  });
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { bytes.set(c, at); at += c.length; }
  return { result, output: new TextDecoder().decode(bytes), bytes, machine };
}
