// Node console plumbing for a running guest: stdin (raw mode on a terminal, with the Ctrl-A x
// escape; piped input as is, end of file passed on) and stdout.
/** Where console input goes: a machine, or a gate in front of one. */
export interface ConsoleTarget {
  input(bytes: Uint8Array): void;
  endInput(): void;
}

/**
 * Holds a Linux guest's console input until its shell shows the first prompt (a line ending in
 * "# " or "$ "), as a person would wait: input that arrives while the kernel brings up the
 * serial driver would otherwise be flushed with the UART's FIFO.
 */
export class PromptGate implements ConsoleTarget {
  private held: Uint8Array[] = [];
  private ended = false;
  private open = false;
  private tail = "";
  private readonly dec = new TextDecoder();
  constructor(private readonly target: ConsoleTarget) {}

  /** Feed the guest's console output. */
  watch(bytes: Uint8Array): void {
    if (this.open) return;
    this.tail = (this.tail + this.dec.decode(bytes, { stream: true })).slice(-64);
    if (/[#$] $/.test(this.tail)) {
      this.open = true;
      for (const b of this.held) this.target.input(b);
      this.held = [];
      if (this.ended) this.target.endInput();
    }
  }

  input(bytes: Uint8Array): void {
    if (this.open) this.target.input(bytes); else this.held.push(bytes.slice());
  }

  /** The guest is known to be at its shell already (resumed from a snapshot): pass input on. */
  openNow(): void { this.watch(new TextEncoder().encode("# ")); }

  endInput(): void {
    if (this.open) this.target.endInput(); else this.ended = true;
  }
}

const CTRL_A = 0x01;

export interface ConsoleHandle {
  /** Restores the terminal and stops reading stdin. */
  detach(): void;
}

const HELP = "\r\nwasmvisor console escapes:\r\n  Ctrl-A x   stop the guest\r\n  Ctrl-A s   save a snapshot (to resume with --snapshot)\r\n  Ctrl-A h   this help\r\n  Ctrl-A Ctrl-A   send Ctrl-A\r\n";
const EOT = 0x04;

/**
 * Feeds stdin to the guest. `onEscape` is called on Ctrl-A x (terminal only). With `eofAsEot`
 * (a Linux guest), the end of piped input is typed as Ctrl-D, which ends the guest's console
 * shell (the bundled image then powers off).
 */
export function attachStdin(machine: ConsoleTarget, onEscape: () => void, eofAsEot = false, onSnapshot?: () => void): ConsoleHandle {
  const stdin = process.stdin;
  const tty = stdin.isTTY === true;
  let escape = false;
  const onData = (chunk: Buffer) => {
    if (!tty) { machine.input(chunk); return; }
    const out: number[] = [];
    for (const b of chunk) {
      if (escape) {
        escape = false;
        if (b === 0x78 || b === 0x58) { onEscape(); return; } // x / X
        if (b === 0x68 || b === 0x48) { process.stderr.write(HELP); continue; } // h / H
        if ((b === 0x73 || b === 0x53) && onSnapshot) { onSnapshot(); continue; } // s / S
        if (b !== CTRL_A) out.push(CTRL_A);
        out.push(b);
      } else if (b === CTRL_A) {
        escape = true;
      } else {
        out.push(b);
      }
    }
    if (out.length) machine.input(Uint8Array.from(out));
  };
  const onEnd = () => {
    if (eofAsEot) machine.input(Uint8Array.of(EOT));
    machine.endInput();
  };
  if (tty) stdin.setRawMode(true);
  stdin.on("data", onData);
  stdin.on("end", onEnd);
  stdin.on("error", onEnd);
  stdin.resume();
  return {
    detach() {
      stdin.off("data", onData);
      stdin.off("end", onEnd);
      stdin.off("error", onEnd);
      if (tty) stdin.setRawMode(false);
      stdin.pause();
      stdin.unref?.();
    },
  };
}
