// `wasmvisor run --mode container ROOT -- PROGRAM [ARGS...]`: runs a static RV64 Linux program
// whose kernel is wasmvisor (src/container), its standard streams connected to ours; the exit
// status is the program's (128 + the signal if one killed it).
import { readFileSync } from "node:fs";
import type { ContainerRunArgs } from "./args.js";
import { ContainerProcess } from "../container/process.js";
import { ExecError } from "../container/exec.js";
import { openContainerRoot } from "../node/container-roots.js";
import { RootError } from "../container/rootfs.js";
import { loadCoreModule } from "../node/core-module.js";
import { PublishedPorts } from "../node/container-net.js";
import { FsError, resolve, type Tree } from "../container/vfs.js";
import { S_IFMT, S_IFREG, SIG } from "../container/linux-abi.js";
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

const PATH = ["/bin", "/usr/bin", "/sbin", "/usr/sbin"];

/** The program for argv[0]: the file the path names inside the root; a bare name is looked up in PATH. */
function programOf(tree: Tree, root: string, path: string): Uint8Array {
  const candidates = path.includes("/") ? [path] : PATH.map((d) => `${d}/${path}`);
  for (const c of candidates) {
    let file: string;
    try {
      file = resolve(tree, c, "/"); // inside the root, whatever its .. and symbolic links say
    } catch (e) {
      if (e instanceof FsError) { if (candidates.length === 1) throw new SetupError(`${path}: ${e.message} in the container root ${root}`); continue; }
      throw e;
    }
    const st = tree.stat(file);
    if (st && (st.mode & S_IFMT) === S_IFREG) return tree.read(file, 0, st.size);
  }
  throw new SetupError(`${path}: not found in the container root ${root}`);
}

export async function containerCommand(cmd: ContainerRunArgs): Promise<number> {
  const stdin = process.stdin.isTTY ? new Uint8Array(0) : new Uint8Array(readFileSync(0));
  // A reader that goes away (`| head`) is the program's SIGPIPE, as for any process in a pipeline.
  const closed = { stdout: false, stderr: false };
  process.stdout.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") closed.stdout = true; else throw e; });
  process.stderr.on("error", (e: NodeJS.ErrnoException) => { if (e.code === "EPIPE") closed.stderr = true; else throw e; });
  const tree = treeOf(cmd.root);
  let proc: ContainerProcess;
  try {
    proc = new ContainerProcess({
      module: loadCoreModule(), program: programOf(tree, cmd.root, cmd.argv[0]), argv: cmd.argv, tree,
      env: [`PATH=${PATH.join(":")}`, "HOME=/root", "TERM=dumb"], memSize: cmd.memSize, stdin,
      maxInstructions: cmd.maxInstructions,
      network: cmd.publish.length ? new PublishedPorts(cmd.publish) : undefined,
      stdout: (b) => !closed.stdout && (process.stdout.write(b), true), stderr: (b) => !closed.stderr && (process.stderr.write(b), true),
    });
  } catch (e) {
    if (e instanceof ExecError) throw new SetupError(`${cmd.argv[0]}: ${e.message}`);
    throw e;
  }
  const r = await proc.run();
  if (r.limit) {
    process.stderr.write(`wasmvisor: ${cmd.argv[0]}: stopped after ${cmd.maxInstructions} instructions (--max-instructions)\n`);
    return EXIT_LIMIT;
  }
  if (r.signal !== undefined && r.signal !== SIG.PIPE) process.stderr.write(`wasmvisor: ${cmd.argv[0]}: ${SIGNAL_NAME[r.signal] ?? `signal ${r.signal}`}\n`);
  return r.status;
}
