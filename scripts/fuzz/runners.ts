// Running an image: on wasmvisor (a Hart in this process, with a small board of its own: the
// NS16550A at 0x10000000 and the SiFive test finisher at 0x100000), and on QEMU
// (`qemu-system-riscv64 -M virt -bios none`, one process per image).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Exit, Hart } from "../../src/core/hart.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { Uart16550, UART16550_BASE, UART16550_SIZE } from "../../src/devices/uart16550.js";
import { SYSCON_BASE, SYSCON_SIZE } from "../../src/devices/syscon.js";
import { DRAM_BASE, MEM_SIZE } from "./layout.js";
import { readFileSync } from "node:fs";

const altCores = new Map<string, WebAssembly.Module>();
/**
 * The core under test: build/core.wasm, or the file named by FUZZ_CORE_WASM (used to check
 * that the harness notices deliberately broken cores).
 */
function coreModule(): WebAssembly.Module {
  const alt = process.env.FUZZ_CORE_WASM;
  if (!alt) return loadCoreModule();
  let m = altCores.get(alt);
  if (!m) { m = new WebAssembly.Module(readFileSync(alt)); altCores.set(alt, m); }
  return m;
}
import { elfFile, type Segment } from "./image.js";

export interface RunOutput {
  text: string;
  /** "done": the finisher was written; otherwise why the run stopped. */
  status: "done" | "timeout" | "limit" | "idle" | "fatal" | "error";
  detail?: string;
  ms: number;
}

// ---------------------------------------------------------------------------------------------
// wasmvisor

/** misa of the core (to decide whether F and D can be tested). */
export function wasmvisorMisa(): bigint {
  const hart = new Hart(coreModule(), { memSize: 1 << 16, clock: () => 0 });
  return hart.csr(0x301) ?? 0n;
}

export function runWasmvisor(segs: Segment[], maxInstructions = 200_000_000): RunOutput {
  const t0 = performance.now();
  const chunks: number[] = [];
  const uart = new Uart16550({ onTx: (b) => chunks.push(b) });
  let done = false;
  let hart: Hart | undefined;
  const fault = () => hart!.busError();
  hart = new Hart(coreModule(), {
    memSize: MEM_SIZE,
    clock: () => 0,
    mmio: {
      read(pa, size) {
        if (pa >= UART16550_BASE && pa < UART16550_BASE + UART16550_SIZE) return uart.read(pa - UART16550_BASE, size);
        if (pa >= SYSCON_BASE && pa < SYSCON_BASE + SYSCON_SIZE) return 0;
        fault();
        return 0;
      },
      write(pa, size, value) {
        if (pa >= UART16550_BASE && pa < UART16550_BASE + UART16550_SIZE) { uart.write(pa - UART16550_BASE, size, value); return; }
        if (pa >= SYSCON_BASE && pa < SYSCON_BASE + SYSCON_SIZE) {
          if (pa === SYSCON_BASE && size >= 2 && (value & 0xffff) === 0x5555) done = true;
          return;
        }
        fault();
      },
    },
  });
  for (const s of segs) hart.writePhys(s.addr, s.bytes);
  hart.reset(DRAM_BASE);
  let status: RunOutput["status"] = "limit";
  let executed = 0;
  while (executed < maxInstructions) {
    const before = Number(hart.instret);
    const exit = hart.run(50_000);
    executed += Number(hart.instret) - before;
    if (done) { status = "done"; break; }
    if (exit === Exit.Idle) { status = "idle"; break; }
    if (exit === Exit.Fatal) { status = "fatal"; break; }
  }
  const text = new TextDecoder().decode(Uint8Array.from(chunks));
  return { text, status, ms: performance.now() - t0, detail: status === "done" ? undefined : `pc ${hart.pc.toString(16)} after ${executed} instructions` };
}

// ---------------------------------------------------------------------------------------------
// QEMU

export const QEMU = "qemu-system-riscv64";
/** The CPU model: the default rv64 with the extensions wasmvisor does not have switched off. */
export const QEMU_CPU = "rv64,h=false,sstc=false,zba=true,zbb=true,zbc=true,zbs=true,zbkb=true,Zfh=true,svinval=false,svnapot=false,svpbmt=false";

/** Throws with a clear message if QEMU is not installed. */
export function checkQemu(): string {
  const r = spawnSync(QEMU, ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(`${QEMU} not found: install it (Debian: apt-get install qemu-system-misc); the fuzz runs compare against it`);
  }
  return r.stdout.split("\n")[0];
}

let tmpRoot: string | undefined;
let tmpCount = 0;
function tmpFile(ext: string): string {
  if (!tmpRoot) {
    tmpRoot = mkdtempSync(join(tmpdir(), "wasmvisor-fuzz-"));
    process.on("exit", () => { try { rmSync(tmpRoot!, { recursive: true, force: true }); } catch { /* gone */ } });
  }
  return join(tmpRoot, `img${process.pid}-${tmpCount++}.${ext}`);
}

export function qemuArgs(elf: string): string[] {
  return ["-M", "virt", "-bios", "none", "-m", `${MEM_SIZE >> 20}M`, "-cpu", QEMU_CPU, "-smp", "1",
    "-nographic", "-monitor", "none", "-serial", "stdio", "-nodefaults", "-kernel", elf];
}

/** Runs an image on QEMU; resolves when the guest hits the finisher or the timeout kills it. */
export function runQemu(segs: Segment[], timeoutMs = 60_000, nice = 0): Promise<RunOutput> {
  const file = tmpFile("elf");
  writeFileSync(file, elfFile(segs));
  const t0 = performance.now();
  return new Promise((resolve) => {
    const cmd = nice ? "nice" : QEMU;
    const args = nice ? ["-n", String(nice), QEMU, ...qemuArgs(file)] : qemuArgs(file);
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, timeoutMs);
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ text: "", status: "error", detail: String(e), ms: performance.now() - t0 });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      try { rmSync(file, { force: true }); } catch { /* ignore */ }
      const text = Buffer.concat(out).toString("latin1");
      const status = timedOut ? "timeout" : code === 0 ? "done" : "error";
      resolve({ text, status, ms: performance.now() - t0, detail: status === "done" ? undefined : `exit ${code} ${Buffer.concat(err).toString()}`.trim() });
    });
  });
}
