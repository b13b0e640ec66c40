// Command-line parsing for `wasmvisor`. Pure functions: errors are thrown as UsageError with
// the one-line message the CLI prints.
import { MAX_MEM } from "../core/hart.js";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "run"; file: string; memSize: number; maxInstructions?: number; trace: boolean; stats: boolean };

export const USAGE = `Usage: wasmvisor run <guest.elf> [options]
       wasmvisor --help | --version

Runs a bare-metal RISC-V RV64 guest (an ELF64 executable, or a raw binary loaded at
0x80000000) on the emulated hart. The guest's console is stdin/stdout; its exit code
becomes wasmvisor's.

Options for run:
  --mem <size>              guest RAM: bytes, or with a K/M/G suffix (default 128M);
                            a multiple of 4K, at most 2G
  --max-instructions <n>    stop after n instructions (exit status 124)
  --trace                   print every executed instruction to stderr
  --stats                   print instructions, seconds and MIPS to stderr at the end
  -h, --help                show this help
  -V, --version             show the version

Guests stop through HTIF tohost ((code << 1) | 1) or the SiFive test finisher at 0x100000
(0x5555 = success, (code << 16) | 0x3333 = failure). On a terminal, stdin is raw: type
Ctrl-A x to stop the guest, Ctrl-A Ctrl-A to send Ctrl-A.

Exit status: the guest's exit code (a non-zero code with a zero low byte becomes 1);
2 for a bad command line or an image that cannot be loaded (nothing runs);
124 instruction limit; 125 deadlock or fatal error; 130 stopped by Ctrl-A x or SIGINT.
`;

const SIZE_UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a RAM size such as 134217728, 64K, 128M, 2G (binary units; "KiB"/"KB" also accepted). */
export function parseMemSize(text: string): number {
  const m = /^(\d+)(?:([kmg])(?:i?b)?)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`invalid --mem value '${text}': expected a size such as 128M, 64K or 1G`);
  const bytes = Number(m[1]) * SIZE_UNITS[(m[2] ?? "").toLowerCase()];
  if (bytes <= 0) throw new UsageError(`invalid --mem value '${text}': must be more than 0`);
  if (bytes > MAX_MEM) throw new UsageError(`invalid --mem value '${text}': at most 2G`);
  if (bytes % 4096 !== 0) throw new UsageError(`invalid --mem value '${text}': must be a multiple of 4K (4096 bytes)`);
  return bytes;
}

/** Parses an instruction count: digits (underscores allowed between them) or a form like 1e9. */
export function parseCount(text: string, flag: string): number {
  const t = text.trim();
  let n = NaN;
  if (/^\d+(_\d+)*$/.test(t)) n = Number(t.replace(/_/g, ""));
  else if (/^\d+(\.\d+)?e\d+$/i.test(t)) n = Number(t);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`invalid ${flag} value '${text}': expected a positive integer (at most 2^53-1)`);
  }
  return n;
}

export function parseArgs(argv: string[]): Command {
  if (argv.length === 0) throw new UsageError("no command given (try 'wasmvisor --help')");
  let help = false, version = false;
  let command: string | undefined;
  const positional: string[] = [];
  let memSize = 128 << 20;
  let maxInstructions: number | undefined;
  let trace = false, stats = false;
  let optionsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (optionsEnded || !arg.startsWith("-") || arg === "-") {
      if (command === undefined) command = arg; else positional.push(arg);
      continue;
    }
    if (arg === "--") { optionsEnded = true; continue; }
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined) throw new UsageError(`option ${name} needs a value`);
      i++;
      return v;
    };
    const flag = () => {
      if (inline !== undefined) throw new UsageError(`option ${name} takes no value`);
    };
    switch (name) {
      case "-h": case "--help": flag(); help = true; break;
      case "-V": case "--version": flag(); version = true; break;
      case "--mem": memSize = parseMemSize(value()); break;
      case "--max-instructions": maxInstructions = parseCount(value(), "--max-instructions"); break;
      case "--trace": flag(); trace = true; break;
      case "--stats": flag(); stats = true; break;
      default: throw new UsageError(`unknown option '${name}' (try 'wasmvisor --help')`);
    }
  }
  if (help || command === "help") return { kind: "help" };
  if (version) return { kind: "version" };
  if (command === undefined) throw new UsageError("no command given (try 'wasmvisor --help')");
  if (command !== "run") throw new UsageError(`unknown command '${command}' (try 'wasmvisor --help')`);
  if (positional.length === 0) throw new UsageError("run: missing guest file (usage: wasmvisor run <guest.elf> [options])");
  if (positional.length > 1) throw new UsageError(`run: one guest file expected, got extra argument '${positional[1]}'`);
  return { kind: "run", file: positional[0], memSize, maxInstructions, trace, stats };
}
