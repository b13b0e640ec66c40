// `wasmvisor run --mode container ROOT -- PROGRAM [ARGS...]`: runs a static RV64 Linux program
// whose kernel is wasmvisor (src/container), its standard streams connected to ours (input as it
// comes); the exit status is the program's (128 + the signal if one killed it).
import type { ContainerRunArgs } from "./args.js";
import { ContainerProcess } from "../container/process.js";
import { ExecError, findProgram } from "../container/exec.js";
import { CONTAINER_ENV } from "../hypervisor/vm.js";
import { openContainerRoot } from "../node/container-roots.js";
import { RootError } from "../container/rootfs.js";
import { loadCoreModule } from "../node/core-module.js";
import { PublishedPorts } from "../node/container-net.js";
import type { Tree } from "../container/vfs.js";
import { SIG } from "../container/linux-abi.js";
import { EXIT_LIMIT, SetupError } from "./run-command.js";

const SIGNAL_NAME: Record<number, string> = { [SIG.ILL]: "Illegal instruction", [SIG.TRAP]: "Trace/breakpoint trap", [SIG.BUS]: "Bus error", [SIG.SEGV]: "Segmentation fault" };

/** The read-only base of a root: the bundled busybox root's, a directory's or a tar archive's. */
function treeOf(root: string): Tree {
  try {
    return openContainerRoot(root);
  } catch (e) {
    if (e instanceof RootError) throw new SetupError(e.message);
    throw e;
  }
}

export async function containerCommand(cmd: ContainerRunArgs): Promise<number> {
  // A reader that goes away (`| head`) is the program's SIGPIPE, as for any process in a pipeline.
  const closed = { stdout: false, stderr: false };
  process.stdout.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") closed.stdout = true; else throw e; });
  process.stderr.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") closed.stderr = true; else throw e; });
  const tree = treeOf(cmd.root);
  let proc: ContainerProcess;
  try {
    proc = new ContainerProcess({
      module: loadCoreModule(), program: findProgram(tree, cmd.argv[0]), argv: cmd.argv, tree,
      env: CONTAINER_ENV, memSize: cmd.memSize, stdin: "stream",
      maxInstructions: cmd.maxInstructions,
      network: cmd.net ? new PublishedPorts(cmd.publish) : undefined,
      stdout: (b) => !closed.stdout && (process.stdout.write(b), true), stderr: (b) => !closed.stderr && (process.stderr.write(b), true),
    });
  } catch (e) {
    if (e instanceof ExecError) throw new SetupError(`${cmd.argv[0]}: ${e.message.replace("the container root", `the container root ${cmd.root}`)}`);
    throw e;
  }
  // Standard input streams in as it comes (a terminal's lines, a pipe's bytes), to its end.
  const ct = proc.container;
  process.stdin.on("data", (b: Buffer) => ct.input(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
  process.stdin.on("end", () => ct.endInput());
  process.stdin.on("error", () => ct.endInput());
  let r;
  try {
    r = await proc.run();
  } finally {
    process.stdin.destroy();
  }
  if (r.limit) {
    process.stderr.write(`wasmvisor: ${cmd.argv[0]}: stopped after ${cmd.maxInstructions} instructions (--max-instructions)\n`);
    return EXIT_LIMIT;
  }
  if (r.signal !== undefined && r.signal !== SIG.PIPE) process.stderr.write(`wasmvisor: ${cmd.argv[0]}: ${SIGNAL_NAME[r.signal] ?? `signal ${r.signal}`}\n`);
  return r.status;
}
