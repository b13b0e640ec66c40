// Node console plumbing for a running guest: stdin (raw mode on a terminal, with the Ctrl-A x
// escape; piped input as is, end of file passed on) and stdout.
import type { Machine } from "../machine/machine.js";

const CTRL_A = 0x01;

export interface ConsoleHandle {
  /** Restores the terminal and stops reading stdin. */
  detach(): void;
}

/** Feeds stdin to the guest. `onEscape` is called on Ctrl-A x (terminal only). */
export function attachStdin(machine: Machine, onEscape: () => void): ConsoleHandle {
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
  const onEnd = () => machine.endInput();
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
