// A container process: a static RV64 Linux program in U-mode whose kernel is the host, run as
// the first process of a container of its own (./container.ts), with the processes it starts.
// The hart runs in PARA_USER mode: every trap it takes (an ECALL, a page fault, an illegal
// instruction) ends run() with Exit.Trap, and the host answers the system call (./syscalls.ts)
// or delivers the signal the fault stands for (the process ends).
import { Container, type ContainerOptions, type ProcessResult } from "./container.js";

export type { ProcessResult } from "./container.js";

export interface ProcessOptions extends ContainerOptions {
  /** The program (a static RV64 ELF) and its arguments; argv[0] is its name. */
  program: Uint8Array;
  argv: string[];
  env?: string[];
}

export class ContainerProcess {
  readonly container: Container;

  /** Throws ExecError if the program cannot be loaded. */
  constructor(o: ProcessOptions) {
    this.container = new Container(o);
    this.container.start(o.program, o.argv, o.env ?? []);
  }

  /** Runs the process (and those it starts) to its end, yielding to the event loop between slices. */
  run(): Promise<ProcessResult> { return this.container.run(); }
}
