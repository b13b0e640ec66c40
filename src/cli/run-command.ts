// `wasmvisor run`: load a guest, connect its console to stdin/stdout, run it to the end.
import type { RunArgs } from "./args.js";
import { GuestFileError, loadLinuxImages, openDisks, readGuestFile } from "../node/guest-files.js";
import { SnapshotError } from "../snapshot/format.js";
import { readSnapshotFile } from "../node/snapshot-files.js";
import { macForId, Switch, type SwitchPort } from "../net/switch.js";
import { parseForward, UserNet } from "../net/user/usernet.js";
import { nodeSockets } from "../node/host-sockets.js";
import { bytesPerSecond } from "../devices/rate-limiter.js";
import { writeFileSync } from "node:fs";
import { loadCoreModule } from "../node/core-module.js";
import { Machine, type RunResult } from "../machine/machine.js";
import { ElfError } from "../machine/elf.js";
import { LoadError } from "../machine/loader.js";
import { traceLine } from "../machine/trace.js";
import { attachStdin, PromptGate } from "./console.js";

export type RunCommand = RunArgs;

/** A failure before the guest runs: one line on stderr, exit status 2. */
export class SetupError extends Error {}

export const EXIT_PANIC = 1;
export const EXIT_SETUP = 2;
export const EXIT_LIMIT = 124;
export const EXIT_STUCK = 125;
export const EXIT_ABORTED = 130;

/** The guest files of a run command, checked; any problem is a SetupError. */
function guestFiles<T>(f: () => T): T {
  try { return f(); } catch (e) {
    if (e instanceof GuestFileError) throw new SetupError(e.message);
    throw e;
  }
}

/** Process exit status for a guest exit code: its low byte, except that a failure never reads as 0. */
export function exitStatus(code: number): number {
  const status = code & 0xff;
  return code !== 0 && status === 0 ? 1 : status;
}

export async function runCommand(cmd: RunCommand): Promise<number> {
  const linux = cmd.file === undefined;
  const image = linux ? undefined : guestFiles(() => readGuestFile(cmd.file!));
  const images = linux ? guestFiles(() => loadLinuxImages({
    bundled: cmd.bundled !== undefined, kernel: cmd.kernel, initrd: cmd.initrd, firmware: cmd.firmware, append: cmd.append, mode: cmd.mode,
  })) : undefined;
  const disks = guestFiles(() => openDisks(cmd.disks));
  // --net user: the NIC and a user-mode network on a private switch; the forwards listen first.
  let userNet: UserNet | undefined;
  let nicPort: SwitchPort | undefined;
  let receive: ((f: Uint8Array) => void) | undefined;
  if (cmd.net) {
    const sw = new Switch("user");
    userNet = new UserNet(nodeSockets);
    const u = userNet;
    u.attach(sw.attach("user", (f) => u.deliver(f)));
    nicPort = sw.attach("guest", (f) => receive?.(f));
    try {
      const ports = await u.forward(cmd.net.forwards.map(parseForward));
      ports.forEach((p, i) => { if (cmd.net!.forwards[i].includes(":0-")) process.stderr.write(`wasmvisor: ${cmd.net!.forwards[i]} listens on port ${p}\n`); });
    } catch (e) {
      u.close();
      throw new SetupError(`--net: cannot listen for a port forward: ${(e as Error).message}`);
    }
  }
  let module: WebAssembly.Module;
  try {
    module = loadCoreModule();
  } catch (e) {
    throw new SetupError((e as Error).message);
  }
  // A kernel panic ends the run: watch the console for the panic line.
  const panic = new PanicWatch();
  let gate: PromptGate | undefined;
  const options = {
    memSize: cmd.memSize,
    mode: linux ? cmd.mode : "full" as const,
    clock: "wall" as const,
    disks,
    net: nicPort ? { mac: macForId("wasmvisor-run"), send: (f: Uint8Array) => nicPort!.send(f),
      rx: cmd.net?.rxRate ? bytesPerSecond(cmd.net.rxRate) : undefined, tx: cmd.net?.txRate ? bytesPerSecond(cmd.net.txRate) : undefined } : undefined,
    jit: cmd.jit,
    output: (bytes: Uint8Array) => {
      writeOut(bytes);
      gate?.watch(bytes);
      if (linux && panic.scan(bytes)) abortRun(EXIT_PANIC);
    },
  };
  let machine: Machine;
  if (cmd.snapshot !== undefined) {
    // Resume: the flags describe the same machine as when it was saved (mode, memory, disks).
    let snap: Uint8Array;
    try { snap = guestFiles(() => readSnapshotFile(cmd.snapshot!)); } catch (e) {
      if (e instanceof SnapshotError) throw new SetupError(`${cmd.snapshot}: ${e.message}`);
      throw e;
    }
    try { machine = Machine.fromSnapshot(module, options, snap); } catch (e) {
      if (e instanceof SnapshotError) throw new SetupError(`${cmd.snapshot}: ${e.message}`);
      throw e;
    }
    if (images) machine.onReset = () => { machine.bootLinux(images, cmd.mode); return true; };
  } else {
    machine = new Machine(module, options);
    try {
      if (image) machine.load(image);
      else machine.bootLinux(images!, cmd.mode);
    } catch (e) {
      const what = image ? cmd.file : cmd.kernel ?? "linux";
      if (e instanceof ElfError || e instanceof LoadError) throw new SetupError(`${what}: ${e.message}`);
      throw e;
    }
  }

  receive = (f) => machine.netReceive(f);
  const stop = (status: number) => () => abortRun(status);
  const onSigint = stop(130), onSigterm = stop(143);
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);
  const target = linux ? (gate = new PromptGate(machine)) : machine;
  if (cmd.snapshot !== undefined) gate?.openNow(); // a resumed guest is past its first prompt
  if (cmd.exec !== undefined) {
    // Typed at the first prompt; then the console input ends (Ctrl-D), so the guest powers off.
    target.input(new TextEncoder().encode(`${cmd.exec}\n\x04`));
    target.endInput();
  }
  // Ctrl-A s: save a snapshot (between slices: stdin is read while run() yields).
  const saveSnapshot = () => {
    const file = `wasmvisor-${new Date().toISOString().replace(/[:.]/g, "-")}.snap`;
    writeFileSync(file, machine.snapshot());
    process.stderr.write(`\r\nwasmvisor: saved a snapshot to ${file} (resume with the same flags and --snapshot ${file})\r\n`);
  };
  const stdin = cmd.exec !== undefined ? { detach() {} } : attachStdin(target, stop(EXIT_ABORTED), linux, saveSnapshot);

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
    userNet?.close();
    flushTrace();
    stdin.detach();
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigterm);
  }

  if (cmd.stats) {
    const mips = result.seconds > 0 ? Number(result.instructions) / result.seconds / 1e6 : 0;
    process.stderr.write(`wasmvisor: ${result.instructions} instructions in ${result.seconds.toFixed(3)} s (${mips.toFixed(2)} MIPS)\n`);
    const j = machine.board.hart.jit?.stats();
    if (j) {
      process.stderr.write(`wasmvisor: JIT: ${j.steps} instructions in compiled code, ${j.pages} pages (${j.blocks} blocks) compiled now, ` +
        `${j.modules} modules of ${(j.compiledBytes / 1024).toFixed(0)} KiB compiled in ${j.compileMs.toFixed(0)} ms, ${j.sharedFunctions} functions shared\n`);
    }
  }
  switch (result.reason) {
    case "exit": return exitStatus(result.exitCode);
    case "reset": // a bare-metal guest (Linux reboots instead)
      process.stderr.write("wasmvisor: the guest requested a reset; stopping\n");
      return 0;
    case "limit":
      process.stderr.write(`wasmvisor: ${result.message ?? "instruction limit reached"}\n`);
      return EXIT_LIMIT;
    case "aborted":
      if (abortStatus === EXIT_PANIC) {
        process.stderr.write(`wasmvisor: ${panic.line || "kernel panic"}\n`);
        return EXIT_PANIC;
      }
      if (stdoutClosed) return 0; // `| head` closed the pipe: end quietly
      process.stderr.write("wasmvisor: stopped\n");
      return abortStatus;
    default:
      process.stderr.write(`wasmvisor: ${result.message ?? result.reason}\n`);
      return EXIT_STUCK;
  }
}

const abort = new AbortController();
let abortStatus = EXIT_ABORTED;
function abortRun(status: number): void {
  if (abort.signal.aborted) return;
  abortStatus = status;
  abort.abort();
}

/** Guest output to stdout; a closed stdout (`| head`) stops the run quietly. */
function writeOut(bytes: Uint8Array): void {
  if (stdoutClosed) return;
  process.stdout.write(bytes);
}
let stdoutClosed = false;
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") { stdoutClosed = true; abortRun(0); return; }
  throw e;
});

/** Finds "Kernel panic - not syncing: ..." in the console stream (lines may arrive in pieces). */
class PanicWatch {
  private tail = "";
  line = "";
  private readonly dec = new TextDecoder();
  scan(bytes: Uint8Array): boolean {
    const text = this.tail + this.dec.decode(bytes, { stream: true });
    const i = text.indexOf("Kernel panic - not syncing");
    if (i >= 0) {
      const end = text.indexOf("\n", i);
      if (end < 0) { this.tail = text.slice(i); return false; }
      this.line = text.slice(i, end).trim();
      return true;
    }
    this.tail = text.slice(-64);
    return false;
  }
}
