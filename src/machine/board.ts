// The virtual board: one hart, RAM and the devices of QEMU's `virt` memory map, described by
// one address table. The same table routes MMIO (through the bus) and generates the device
// tree, so the two cannot disagree. The board owns devices, memory map, clock and consoles;
// running it (slices, sleeping, exits) is the runner's job (runner.ts). Browser-safe: the
// compiled core, output sink, clocks, randomness and disk backends are passed in.
//
//   0x00100000  test / syscon (sifive,test0)   poweroff 0x5555, reboot 0x7777
//   0x00101000  goldfish RTC                   IRQ 11
//   0x02000000  CLINT (inside the core)        MSIP, MTIP
//   0x0c000000  PLIC                           contexts: hart 0 M, hart 0 S
//   0x10000000  ns16550A UART                  IRQ 10
//   0x10001000  virtio-mmio slot n at +n*0x1000, IRQ 1+n (8 slots)
//   0x80000000  RAM
import type { JitOptions } from "../jit/jit.js";
import { DRAM_BASE, Hart } from "../core/hart.js";
import { BUS_ERROR, type Device } from "../devices/device.js";
import { GoldfishRtc } from "../devices/goldfish-rtc.js";
import { Plic, PLIC_SIZE, PLIC_SOURCES } from "../devices/plic.js";
import { SYSCON_SIZE, Syscon } from "../devices/syscon.js";
import { UART16550_SIZE, Uart16550 } from "../devices/uart16550.js";
import type { BlockBackend } from "../devices/virtio/blk/backend.js";
import { VirtioBlk } from "../devices/virtio/blk/blk.js";
import { VirtioConsole } from "../devices/virtio/console.js";
import type { GuestRam } from "../devices/virtio/memory.js";
import { type VirtioBackend, VirtioTransport, VIRTIO_MMIO_SIZE } from "../devices/virtio/mmio.js";
import { KEY_DELETE, KEY_LEFTALT, KEY_LEFTCTRL, KEY_POWER, VirtioInput } from "../devices/virtio/input.js";
import { VirtioNet } from "../devices/virtio/net.js";
import type { RateLimiterConfig } from "../devices/rate-limiter.js";
import { VirtioRng, webCryptoRandom } from "../devices/virtio/rng.js";
import { Bus } from "./bus.js";
import { InputQueue, OutputBuffer } from "./console.js";
import { encodeFdt, empty, node, str, u32, u64, type FdtNode } from "./fdt.js";
import { Htif } from "./htif.js";
import { SbiHost } from "../sbi/host.js";
import { SYSCON_POWEROFF, SYSCON_RESET } from "../devices/syscon.js";

export const SYSCON_BASE = 0x100000;
export const RTC_BASE = 0x101000;
export const RTC_IRQ = 11;
export const CLINT_BASE = 0x2000000;
export const CLINT_SIZE = 0x10000;
export const PLIC_BASE = 0xc000000;
export const UART_BASE = 0x10000000;
export const UART_IRQ = 10;
export const VIRTIO_BASE = 0x10001000;
export const VIRTIO_SLOTS = 8;
export const VIRTIO_IRQ0 = 1;
export const TIMEBASE_HZ = 10_000_000;
/**
 * Extensions the hart implements, as the device tree names them, in the ISA string's canonical
 * order (the letters; then Z extensions by category I, M, A, F, C, B, K; then S extensions).
 * Zkt (data-independent latency of the listed instructions) is a property: see README.md.
 */
export const ISA_EXTENSIONS = [
  "i", "m", "a", "f", "d", "c", "zicbom", "zicbop", "zicboz", "zicntr", "zicond", "zicsr", "zifencei", "zihintpause",
  "zihpm", "zawrs", "zfh", "zfhmin", "zca", "zcd", "zba", "zbb", "zbc", "zbkb", "zbs", "zkt",
  "sstc", "svinval", "svnapot", "svpbmt",
];
export const ISA_STRING = "rv64" + ISA_EXTENSIONS.slice(0, 6).join("") + "_" + ISA_EXTENSIONS.slice(6).join("_");
/** The cache-block size of Zicbom/Zicboz (assembly/cbo.ts CBO_BLOCK). */
export const CBO_BLOCK_SIZE = 64;
/**
 * In para mode the device tree leaves Sstc out: the kernel then sets its timer with SBI TIME
 * hypercalls, and the hypervisor injects STIP at the deadline (there is no firmware to enable
 * Sstc through menvcfg either).
 */
export const PARA_ISA_EXTENSIONS = ISA_EXTENSIONS.filter((e) => e !== "sstc");
export const PARA_ISA_STRING = ISA_STRING.replace("_sstc", "");

/**
 * full: firmware runs in the guest's M-mode and answers the kernel's ECALLs; para: no
 * firmware, S-mode ECALLs are hypercalls answered by the hypervisor's SBI (src/sbi), and a
 * virtio console is the kernel's console.
 */
export type BoardMode = "full" | "para";

const PH_CPU_INTC = 1, PH_PLIC = 2, PH_TEST = 3;
/** /chosen/rng-seed length: 512 bits, twice what Linux needs to call its RNG ready. */
const RNG_SEED_BYTES = 64;
// menvcfg CBIE = 01 (flush), CBCFE, CBZE, PBMTE.
const MENVCFG_PARA = (1n << 4n) | (1n << 6n) | (1n << 7n) | (1n << 62n);

/** One row of the address table: what sits where, its interrupt and its device-tree node. */
export interface BoardEntry {
  name: string;
  base: number;
  size: number;
  irq?: number;
  /** The device behind the window; undefined for RAM and for the CLINT (emulated in the core). */
  device?: Device;
  /** Its device-tree node(s), placed under /soc (RAM's under /). */
  fdt: () => FdtNode;
}

export interface DiskConfig {
  backend: BlockBackend;
  /** Bandwidth and operations limits on the guest's requests (src/devices/rate-limiter.ts). */
  rateLimiter?: RateLimiterConfig;
  /** Serial number the guest reads with GET_ID. */
  id?: string;
}

/**
 * A disk image named by its file (the Node host opens it: src/node/guest-files.ts openDisks).
 * Writes go to a copy-on-write overlay in memory, or kept in files at `overlay` (a path prefix)
 * so they outlive the host process; readOnly refuses them, writeThrough writes the file itself.
 */
export interface DiskFile { path: string; readOnly: boolean; writeThrough: boolean; overlay?: string; rateLimiter?: RateLimiterConfig }

export interface BoardOptions {
  /** Guest RAM in bytes (multiple of 4 KiB, at most 2 GiB); default 128 MiB. */
  memSize?: number;
  /** Source of mtime; default "wall". */
  clock?: "wall" | "virtual";
  /** Console output (UART, HTIF, virtio-console). */
  output?: (bytes: Uint8Array) => void;
  /** virtio-blk disks, one slot each. */
  disks?: DiskConfig[];
  /** A virtio-net NIC (eth0): its MAC, and where the frames it sends go (a switch port). */
  net?: { mac: Uint8Array; send: (frame: Uint8Array) => void; rx?: RateLimiterConfig; tx?: RateLimiterConfig };
  /** Add a virtio-console (hvc0). Default false. */
  virtioConsole?: boolean;
  /**
   * Add a virtio-input keyboard (the host's Ctrl-Alt-Del and power key). Default true; left out
   * when disks take every other virtio slot.
   */
  keyboard?: boolean;
  /** Add a virtio-rng. Default true. */
  rng?: boolean;
  /** Random bytes for virtio-rng and the device tree's /chosen/rng-seed; default Web Crypto. */
  random?: (buf: Uint8Array) => void;
  /** Wall clock for the RTC, ms since the epoch; default Date.now. */
  wallClock?: () => number;
  /** Virtualization mode; default "full". */
  mode?: BoardMode;
  /** Para mode: hypercalls through a core import ("import", the default) or run() exits ("exit"). */
  hypercalls?: "import" | "exit";
  /** The JIT: options, or false for the interpreter alone (default: on, see src/jit/jit.ts). */
  jit?: JitOptions | false;
}

const now = () => performance.now();

/** mtime source: wall time or instructions / 10, plus the idle time the runner skipped. */
export class BoardClock {
  /** Ticks added: idle time skipped. */
  skew = 0;
  private readonly t0 = now();
  constructor(readonly virtual: boolean, private readonly steps: () => number) {}
  ticks(): number {
    if (this.virtual) return Math.floor(this.steps() / 10) + this.skew;
    return Math.floor((now() - this.t0) * (TIMEBASE_HZ / 1000)) + this.skew;
  }
}

export class Board {
  readonly hart: Hart;
  readonly bus = new Bus();
  readonly table: BoardEntry[] = [];
  readonly clock: BoardClock;
  readonly syscon = new Syscon();
  readonly plic: Plic;
  readonly uart: Uart16550;
  readonly rtc: GoldfishRtc;
  readonly htif: Htif;
  readonly virtio: VirtioTransport[] = [];
  readonly blk: VirtioBlk[] = [];
  readonly console: VirtioConsole | undefined;
  readonly keyboard: VirtioInput | undefined;
  readonly net: VirtioNet | undefined;
  readonly consoleIn = new InputQueue();
  readonly consoleOut: OutputBuffer;
  readonly memSize: number;
  readonly ram: GuestRam;
  readonly mode: BoardMode;
  /** The host's random source (virtio-rng, the boot seed). */
  private readonly random: (buf: Uint8Array) => void;
  /** The SBI of para mode. */
  readonly sbi: SbiHost | undefined;
  private readonly hypercalls: "import" | "exit";
  /** The guest's watchdog (para mode, SBI heartbeat): 0 = not armed. */
  watchdogMs = 0;
  lastHeartbeat = 0;

  /** ms (wall clock) when the watchdog fires without a heartbeat; Infinity when not armed. */
  get watchdogDeadline(): number { return this.watchdogMs ? this.lastHeartbeat + this.watchdogMs : Infinity; }

  constructor(module: WebAssembly.Module, options: BoardOptions = {}) {
    if (options.clock !== undefined && options.clock !== "wall" && options.clock !== "virtual") {
      throw new RangeError(`clock must be "wall" or "virtual", got ${String(options.clock)}`);
    }
    this.memSize = options.memSize ?? 128 << 20;
    this.mode = options.mode ?? "full";
    this.random = options.random ?? webCryptoRandom;
    if (this.mode !== "full" && this.mode !== "para") throw new RangeError(`mode must be "full" or "para", got ${String(options.mode)}`);
    this.hypercalls = options.hypercalls ?? "import";
    const sink = options.output ?? (() => {});
    const out = this.consoleOut = new OutputBuffer(sink);
    let hart: Hart | undefined;
    this.clock = new BoardClock(options.clock === "virtual", () => (hart ? hart.steps : 0));
    const bus = this.bus;
    hart = new Hart(module, {
      memSize: this.memSize,
      jit: options.jit,
      clock: () => this.clock.ticks(),
      mmio: {
        read: (pa, size) => {
          const v = bus.read(pa, size as 1 | 2 | 4 | 8);
          if (v === BUS_ERROR) { hart!.busError(); return 0; }
          return v;
        },
        write: (pa, size, lo, hi) => {
          if (!bus.write(pa, size as 1 | 2 | 4 | 8, lo, hi)) hart!.busError();
        },
      },
    });
    this.hart = hart;
    const ramBytes = hart.deviceRam();
    this.ram = {
      base: DRAM_BASE,
      bytes: ramBytes,
      view: new DataView(ramBytes.buffer, ramBytes.byteOffset, ramBytes.byteLength),
      written: (pa, len) => hart!.invalidate(pa, len),
    };
    this.htif = new Htif(hart, out, this.consoleIn);
    const wallClock = options.wallClock ?? Date.now;
    if (this.mode === "para") {
      const sbi = this.sbi = new SbiHost({
        hart, ram: this.ram, wallClockMs: wallClock,
        consoleWrite: (b) => out.pushBytes(b),
        consoleRead: () => this.consoleIn.shift(),
        powerRequest: (kind, failure) => this.powerRequest(kind, failure ? 1 : 0),
        heartbeat: (ms) => { this.watchdogMs = ms; this.lastHeartbeat = wallClock(); },
      });
      hart.sbi = () => sbi.handle();
    }
    // PLIC context 0 drives MEIP, context 1 SEIP (the contexts of hart 0).
    this.plic = new Plic(() => hart!.setExternalIrq(this.plic.output(0), this.plic.output(1)));
    this.uart = new Uart16550({ onTx: (b) => out.push(b), onIrq: (lv) => this.plic.setLevel(UART_IRQ, lv) });
    this.rtc = new GoldfishRtc(wallClock, this.plic.line(RTC_IRQ));

    // The address table, in address order.
    const syscon = this.syscon;
    const hartRef = hart;
    const sysconDevice: Device = {
      size: SYSCON_SIZE,
      read: (o, s) => syscon.read(o, s),
      write: (o, s, v) => {
        const ok = syscon.write(o, s, v);
        if (syscon.request !== 0) hartRef.requestExit(); // power off / reboot now, not at slice end
        return ok;
      },
      reset: () => syscon.reset(),
      save: () => syscon.save(),
      restore: (st) => syscon.restore(st),
    };
    this.add({
      name: "test", base: SYSCON_BASE, size: SYSCON_SIZE, device: sysconDevice,
      fdt: () => node(`test@${hex(SYSCON_BASE)}`, [
        ["compatible", str("sifive,test1", "sifive,test0", "syscon")],
        ["reg", u64(SYSCON_BASE, SYSCON_SIZE)],
        ["phandle", u32(PH_TEST)],
      ]),
    });
    this.add({
      name: "rtc", base: RTC_BASE, size: 0x1000, irq: RTC_IRQ, device: this.rtc,
      fdt: () => node(`rtc@${hex(RTC_BASE)}`, [
        ["compatible", str("google,goldfish-rtc")],
        ["reg", u64(RTC_BASE, 0x1000)],
        ["interrupt-parent", u32(PH_PLIC)],
        ["interrupts", u32(RTC_IRQ)],
      ]),
    });
    this.add({
      name: "clint", base: CLINT_BASE, size: CLINT_SIZE,
      fdt: () => node(`clint@${hex(CLINT_BASE)}`, [
        ["compatible", str("sifive,clint0", "riscv,clint0")],
        ["reg", u64(CLINT_BASE, CLINT_SIZE)],
        ["interrupts-extended", u32(PH_CPU_INTC, 3, PH_CPU_INTC, 7)],
      ]),
    });
    this.add({
      name: "plic", base: PLIC_BASE, size: PLIC_SIZE, device: this.plic,
      fdt: () => node(`plic@${hex(PLIC_BASE)}`, [
        ["compatible", str("sifive,plic-1.0.0", "riscv,plic0")],
        ["reg", u64(PLIC_BASE, PLIC_SIZE)],
        ["#address-cells", u32(0)],
        ["#interrupt-cells", u32(1)],
        ["interrupt-controller", empty],
        ["interrupts-extended", u32(PH_CPU_INTC, 11, PH_CPU_INTC, 9)],
        ["riscv,ndev", u32(PLIC_SOURCES - 1)],
        ["phandle", u32(PH_PLIC)],
      ]),
    });
    this.add({
      name: "uart", base: UART_BASE, size: UART16550_SIZE, irq: UART_IRQ, device: this.uart,
      fdt: () => node(`serial@${hex(UART_BASE)}`, [
        ["compatible", str("ns16550a")],
        ["reg", u64(UART_BASE, UART16550_SIZE)],
        ["clock-frequency", u32(3686400)],
        ["interrupt-parent", u32(PH_PLIC)],
        ["interrupts", u32(UART_IRQ)],
      ]),
    });
    // virtio slots: disks first, then the NIC, the console, rng, the keyboard (slot n: base + n*0x1000, IRQ 1+n).
    const backends: VirtioBackend[] = [];
    (options.disks ?? []).forEach((d, i) => {
      const b = new VirtioBlk(d.backend, d.id ?? `wasmvisor-disk${i}`, d.rateLimiter);
      this.blk.push(b);
      backends.push(b);
    });
    if (options.net) {
      this.net = new VirtioNet(options.net.mac, options.net.send, { rx: options.net.rx, tx: options.net.tx });
      backends.push(this.net);
    }
    if (options.virtioConsole || this.mode === "para") {
      this.console = new VirtioConsole((bytes) => out.pushBytes(bytes));
      backends.push(this.console);
    }
    if (options.rng ?? true) backends.push(new VirtioRng(this.random));
    if ((options.keyboard ?? true) && backends.length < VIRTIO_SLOTS) {
      this.keyboard = new VirtioInput();
      backends.push(this.keyboard);
    }
    if (backends.length > VIRTIO_SLOTS) throw new RangeError(`at most ${VIRTIO_SLOTS} virtio devices, got ${backends.length}`);
    backends.forEach((b, n) => {
      const base = VIRTIO_BASE + n * VIRTIO_MMIO_SIZE, irq = VIRTIO_IRQ0 + n;
      const t = new VirtioTransport(b, this.ram, this.plic.line(irq));
      this.virtio.push(t);
      this.add({
        name: `virtio${n}-${b.name}`, base, size: VIRTIO_MMIO_SIZE, irq, device: t,
        fdt: () => node(`virtio_mmio@${hex(base)}`, [
          ["compatible", str("virtio,mmio")],
          ["reg", u64(base, VIRTIO_MMIO_SIZE)],
          ["interrupt-parent", u32(PH_PLIC)],
          ["interrupts", u32(irq)],
        ]),
      });
    });
    this.add({
      name: "ram", base: DRAM_BASE, size: this.memSize,
      fdt: () => node(`memory@${hex(DRAM_BASE)}`, [
        ["device_type", str("memory")],
        ["reg", u64(DRAM_BASE, this.memSize)],
      ]),
    });
    // The core emulates the CLINT itself and maps RAM: both must sit where the table says.
    if (hart.clintBase !== CLINT_BASE || hart.clintSize !== CLINT_SIZE) {
      throw new Error(`core CLINT at 0x${hart.clintBase.toString(16)} disagrees with the board table`);
    }
  }

  private add(e: BoardEntry): void {
    for (const o of this.table) {
      if (e.base < o.base + o.size && o.base < e.base + e.size) {
        throw new RangeError(`board: ${e.name} overlaps ${o.name}`);
      }
    }
    this.table.push(e);
    if (e.device) this.bus.insert(e.name, e.base, e.size, e.device);
  }

  /**
   * The flattened device tree of this board: every entry of the address table, the CPU, and
   * /chosen with the kernel command line, the initrd (if any) and a fresh rng-seed.
   */
  deviceTree(chosen: { bootargs?: string; initrd?: { start: number; end: number } } = {}): Uint8Array {
    const soc = this.table.filter((e) => e.name !== "ram").map((e) => e.fdt());
    const ram = this.table.find((e) => e.name === "ram")!;
    const cpu = node("cpu@0", [
      ["device_type", str("cpu")],
      ["reg", u32(0)],
      ["status", str("okay")],
      ["compatible", str("riscv")],
      ["riscv,isa", str(this.mode === "para" ? PARA_ISA_STRING : ISA_STRING)],
      ["riscv,isa-base", str("rv64i")],
      ["riscv,isa-extensions", str(...(this.mode === "para" ? PARA_ISA_EXTENSIONS : ISA_EXTENSIONS))],
      ["riscv,cbom-block-size", u32(CBO_BLOCK_SIZE)],
      ["riscv,cboz-block-size", u32(CBO_BLOCK_SIZE)],
      ["mmu-type", str("riscv,sv48")],
    ], [node("interrupt-controller", [
      ["#interrupt-cells", u32(1)],
      ["interrupt-controller", empty],
      ["compatible", str("riscv,cpu-intc")],
      ["phandle", u32(PH_CPU_INTC)],
    ])]);
    // rng-seed (DT spec 3.6, /chosen): entropy from the host for the kernel's pool before any
    // driver runs, as firmware on real boards gives it, fresh at every boot. Linux mixes it in
    // at its first look at /chosen and, trusting the bootloader (the bundled kernel does),
    // counts it: its RNG is ready at once. Without it Linux 6.1 gathers jitter entropy, a loop
    // credited per timer tick that lasts as long in wall time however fast the hart runs.
    const seed = new Uint8Array(RNG_SEED_BYTES);
    this.random(seed);
    const chosenProps: [string, Uint8Array][] = [["stdout-path", str(`/soc/serial@${hex(UART_BASE)}`)], ["rng-seed", seed]];
    if (chosen.bootargs !== undefined) chosenProps.unshift(["bootargs", str(chosen.bootargs)]);
    if (chosen.initrd) {
      chosenProps.push(["linux,initrd-start", u64(chosen.initrd.start)], ["linux,initrd-end", u64(chosen.initrd.end)]);
    }
    const root = node("", [
      ["#address-cells", u32(2)],
      ["#size-cells", u32(2)],
      ["compatible", str("riscv-virtio", "wasmvisor,virt")],
      ["model", str("wasmvisor,virt")],
    ], [
      node("chosen", chosenProps),
      node("cpus", [["#address-cells", u32(1)], ["#size-cells", u32(0)], ["timebase-frequency", u32(TIMEBASE_HZ)]], [cpu]),
      ram.fdt(),
      node("poweroff", [["compatible", str("syscon-poweroff")], ["regmap", u32(PH_TEST)], ["offset", u32(0)], ["value", u32(0x5555)]]),
      node("reboot", [["compatible", str("syscon-reboot")], ["regmap", u32(PH_TEST)], ["offset", u32(0)], ["value", u32(0x7777)]]),
      node("soc", [["#address-cells", u32(2)], ["#size-cells", u32(2)], ["compatible", str("simple-bus")], ["ranges", empty]], soc),
    ]);
    return encodeFdt(root, 16 * 1024);
  }

  /** Host input for the guest's consoles (UART, HTIF getchar, virtio-console). */
  input(bytes: Uint8Array): void {
    this.consoleIn.push(bytes);
    this.uart.receive(bytes);
    if (this.console) {
      const t = this.virtio.find((v) => v.backend === this.console)!;
      this.console.receive(t, bytes);
    }
    if (this.htif.pendingReads > 0) this.htif.poll();
  }

  /**
   * Presses keys on the guest's keyboard (held in order, released in reverse). False when the
   * board has no keyboard or the guest has not set its driver up (nobody would see them).
   */
  pressKeys(keys: number[]): boolean {
    const t = this.virtio.find((v) => v.backend === this.keyboard);
    if (!t || !t.live) return false;
    return this.keyboard!.press(t, keys);
  }

  /** Ctrl-Alt-Del on the guest's keyboard (Linux: init's ctrlaltdel action; the bundled image powers off). */
  sendCtrlAltDel(): boolean { return this.pressKeys([KEY_LEFTCTRL, KEY_LEFTALT, KEY_DELETE]); }

  /** A frame for the guest's NIC (dropped when it has none). */
  netReceive(frame: Uint8Array): void { this.net?.receive(frame); }

  /** The power key (for guests whose userland handles KEY_POWER). */
  pressPowerKey(): boolean { return this.pressKeys([KEY_POWER]); }

  /** Device work between slices (RTC alarm, HTIF reads); returns ms until a device wants service. */
  poll(): number {
    if (this.htif.pendingReads > 0) this.htif.poll();
    let ms = this.rtc.poll();
    for (const t of this.virtio) if (t.backend.poll && t.live) ms = Math.min(ms, t.backend.poll(t)); // rate-limited work held back
    return ms;
  }

  /** A power-off (`code` = exit status) or reboot request from the guest, served after the slice. */
  powerRequest(kind: "shutdown" | "reboot", code: number): void {
    this.syscon.request = kind === "shutdown" ? SYSCON_POWEROFF : SYSCON_RESET;
    this.syscon.exitCode = code;
  }

  /** Puts the hart in the state the mode needs after a reset (para: S-mode hypercalls on). */
  enterMode(): void {
    if (this.mode !== "para") return;
    this.hart.setPara(this.hypercalls);
    // What firmware would enable for S-mode in menvcfg: CBO.INVAL (as a flush), CBO.CLEAN/FLUSH,
    // CBO.ZERO and Svpbmt's page types (privileged spec 3.1.18). Sstc stays off in para mode.
    this.hart.writeCsr(0x30a, MENVCFG_PARA);
  }

  /** Para mode with hypercalls as exits: answers the ECALL run() stopped at. Returns the SBI flags. */
  serveHypercallExit(): number {
    const f = this.sbi!.handle();
    if ((f & 8) === 0) this.hart.pc = this.hart.pc + 4n; // not SBI_JUMP: continue after the ECALL
    return f;
  }

  /** Every device to its power-on state (host connections, disks and input kept). */
  resetDevices(): void {
    for (const e of this.table) e.device?.reset();
    this.htif.reset();
    this.hart.setExternalIrq(false, false);
  }
}

function hex(n: number): string { return n.toString(16); }
