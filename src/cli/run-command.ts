// `wasmvisor run`: load a guest, connect its console to stdin/stdout, run it to the end.
import { readFileSync } from "node:fs";
import { loadCoreModule } from "../node/core-module.js";
import { Machine, type RunResult } from "../machine/machine.js";
import { ElfError } from "../machine/elf.js";
import { LoadError } from "../machine/loader.js";
import { traceLine } from "../machine/trace.js";
import { attachStdin } from "./console.js";

export interface RunCommand {
  file: string;
  memSize: number;
  maxInstructions?: number;
  trace: boolean;
  stats: boolean;
}

/** A failure before the guest runs: one line on stderr, exit status 2. */
export class SetupError extends Error {}

export const EXIT_SETUP = 2;
export const EXIT_LIMIT = 124;
export const EXIT_STUCK = 125;
export const EXIT_ABORTED = 130;

function readGuest(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file"
      : err.code === "EISDIR" ? "is a directory"
      : err.code === "EACCES" ? "permission denied"
      : err.message;
    throw new SetupError(`cannot read ${file}: ${why}`);
  }
}

/** Process exit status for a guest exit code: its low byte, except that a failure never reads as 0. */
export function exitStatus(code: number): number {
  const status = code & 0xff;
  return code !== 0 && status === 0 ? 1 : status;
}

export async function runCommand(cmd: RunCommand): Promise<number> {
  const image = readGuest(cmd.file);
  let module: WebAssembly.Module;
  try {
    module = loadCoreModule();
  } catch (e) {
    throw new SetupError((e as Error).message);
  }
  const machine = new Machine(module, {
    memSize: cmd.memSize,
    clock: "wall",
    output: (bytes) => { process.stdout.write(bytes); },
  });
  try {
    machine.load(image);
  } catch (e) {
    if (e instanceof ElfError || e instanceof LoadError) throw new SetupError(`${cmd.file}: ${e.message}`);
    throw e;
  }

  const abort = new AbortController();
  let abortStatus = EXIT_ABORTED;
  const stop = (status: number) => () => { abortStatus = status; abort.abort(); };
  const onSigint = stop(130), onSigterm = stop(143);
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  const stdin = attachStdin(machine, stop(EXIT_ABORTED));

  let traceBuf: string[] = [];
  let traceLen = 0;
  let lastInstret = -1n;
  const flushTrace = () => {
    if (traceBuf.length) process.stderr.write(traceBuf.join(""));
    traceBuf = [];
    traceLen = 0;
  };
  const onSlice = cmd.trace
    ? () => {
      const n = machine.hart.instret;
      if (n === lastInstret) return; // still idle in WFI: nothing new to show
      lastInstret = n;
      const line = traceLine(machine.hart) + "\n";
      traceBuf.push(line);
      traceLen += line.length;
      if (traceLen > 1 << 16) flushTrace();
    }
    : undefined;

  let result: RunResult;
  try {
    result = await machine.run({
      maxInstructions: cmd.maxInstructions,
      sliceInstructions: cmd.trace ? 1 : undefined,
      signal: abort.signal,
      onSlice,
    });
  } finally {
    flushTrace();
    stdin.detach();
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }

  if (cmd.stats) {
    const mips = result.seconds > 0 ? Number(result.instructions) / result.seconds / 1e6 : 0;
    process.stderr.write(`wasmvisor: ${result.instructions} instructions in ${result.seconds.toFixed(3)} s (${mips.toFixed(2)} MIPS)\n`);
  }
  switch (result.reason) {
    case "exit": return exitStatus(result.exitCode);
    case "reset":
      process.stderr.write("wasmvisor: the guest requested a reset; stopping\n");
      return 0;
    case "limit":
      process.stderr.write(`wasmvisor: ${result.message ?? "instruction limit reached"}\n`);
      return EXIT_LIMIT;
    case "aborted":
      process.stderr.write("wasmvisor: stopped\n");
      return abortStatus;
    default:
      process.stderr.write(`wasmvisor: ${result.message ?? result.reason}\n`);
      return EXIT_STUCK;
  }
}
