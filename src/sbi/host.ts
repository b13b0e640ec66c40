// The hypervisor's side of the SBI (para mode): an S-mode ECALL arrives here with the call in
// a7 (EID), a6 (FID) and a0-a5, and is answered in a0 (error) and a1 (value); every other
// register is preserved (SBI 2.0, chapter 3). Everything the guest passes is checked (addresses
// inside guest RAM, sizes bounded, hart masks naming existing harts): a bad call gets the SBI
// error, never a host fault. The path allocates nothing: registers are read and written as
// 32-bit halves through the hart's state view. Browser-safe.
import { L, SBI } from "../core/abi.gen.js";
import type { Hart } from "../core/hart.js";
import type { GuestRam } from "../devices/virtio/memory.js";
import {
  CLOCK_PAGE_BYTES, DBCN_MAX, HEARTBEAT_MAX_MS, EID_BASE, EID_DBCN, EID_HSM, EID_IPI, EID_LEGACY_GETCHAR, EID_LEGACY_PUTCHAR,
  EID_LEGACY_SET_TIMER, EID_LEGACY_SHUTDOWN, EID_RFENCE, EID_SRST, EID_TIME, EID_WASMVISOR, HSM_STARTED,
  HSM_SUSPEND_NON_RETENTIVE, HSM_SUSPEND_RETENTIVE, SBI_ERR_ALREADY_AVAILABLE,
  SBI_ERR_INVALID_ADDRESS, SBI_ERR_INVALID_PARAM, SBI_ERR_NOT_SUPPORTED, SBI_EXTENSIONS, SBI_IMPL_ID,
  SBI_IMPL_VERSION, SBI_SPEC_VERSION, SBI_SUCCESS, SRST_SHUTDOWN, SRST_WARM_REBOOT, sbiCallName,
} from "./sbi.js";

// Flags returned to the core (assembly/state.ts SBI_*, through the generated interface).
const SBI_TIMER = SBI.TIMER, SBI_END_BLOCK = SBI.END_BLOCK, SBI_EXIT = SBI.EXIT, SBI_JUMP = SBI.JUMP;

/** What the SBI needs from the board it serves. */
export interface SbiPlatform {
  readonly hart: Hart;
  readonly ram: GuestRam;
  /** Console output (legacy putchar, DBCN). */
  consoleWrite(bytes: Uint8Array): void;
  /** Next console input byte, or -1 (legacy getchar, DBCN read). */
  consoleRead(): number;
  /** The guest asked to power off ("shutdown", with 0 or 1 for a failure) or to reboot. */
  powerRequest(kind: "shutdown" | "reboot", failure: boolean): void;
  /** Wall clock, ms since the epoch (the clock page). */
  wallClockMs(): number;
  /** The guest's heartbeat: arms (or, with 0, disarms) its watchdog for `timeoutMs`. */
  heartbeat(timeoutMs: number): void;
}

const A0 = 10, A1 = 11, A2 = 12, A3 = 13, A6 = 16, A7 = 17;
const NUM_HARTS = 1;

export class SbiHost {
  /** Calls answered, by EID then FID. */
  readonly counts = new Map<number, Float64Array>();
  /** Calls to extensions or functions that do not exist. */
  unsupported = 0;
  private readonly v: DataView;
  private readonly oneByte = new Uint8Array(1);
  /** Flags for the core, accumulated by the call being served. */
  private flags = 0;

  constructor(private readonly p: SbiPlatform) {
    this.v = new DataView(p.hart.memory.buffer);
    for (const [eid, ext] of SBI_EXTENSIONS) this.counts.set(eid, new Float64Array(ext.functions.length));
  }

  // ---- registers as 32-bit halves (no BigInt on this path)
  private lo(r: number): number { return this.v.getUint32(L.X_BASE + 8 * r, true); }
  private hi(r: number): number { return this.v.getUint32(L.X_BASE + 8 * r + 4, true); }
  /** A register as an unsigned number, or -1 when it is 2^53 or more (no valid address or size). */
  private num(r: number): number { const h = this.hi(r); return h >= 0x200000 ? -1 : h * 4294967296 + this.lo(r); }
  private set(r: number, value: number): void {
    // value: a small non-negative number or a negative error code, sign-extended to 64 bits
    this.v.setUint32(L.X_BASE + 8 * r, value >>> 0, true);
    this.v.setUint32(L.X_BASE + 8 * r + 4, value < 0 ? 0xffffffff : Math.floor(value / 4294967296), true);
  }
  private ret(error: number, value = 0): number {
    this.set(A0, error);
    this.set(A1, value);
    return this.flags;
  }

  /** Serves the hypercall in the hart's registers; returns the SBI_* flags for the core. */
  handle(): number {
    this.flags = 0;
    const eid = this.lo(A7), fid = this.lo(A6);
    const c = this.counts.get(eid);
    if (c !== undefined && fid < c.length) c[fid]++;
    else if (c !== undefined && eid < 0x10) c[0]++; // legacy calls ignore a6
    switch (eid) {
      case EID_BASE: return this.base(fid);
      case EID_TIME: return fid === 0 ? this.setTimer() : this.unknown();
      case EID_IPI: return fid === 0 ? this.sendIpi() : this.unknown();
      case EID_RFENCE: return this.rfence(fid);
      case EID_HSM: return this.hsm(fid);
      case EID_SRST: return fid === 0 ? this.systemReset() : this.unknown();
      case EID_DBCN: return this.dbcn(fid);
      case EID_WASMVISOR: return this.wasmvisor(fid);
      // Legacy extensions (SBI 0.1, chapter 5): the value comes back in a0, a1 is left alone.
      case EID_LEGACY_SET_TIMER: this.setTimerFrom(A0); this.set(A0, 0); return this.flags;
      case EID_LEGACY_PUTCHAR: this.oneByte[0] = this.lo(A0); this.p.consoleWrite(this.oneByte); this.set(A0, 0); return this.flags;
      case EID_LEGACY_GETCHAR: this.set(A0, this.p.consoleRead()); return this.flags;
      case EID_LEGACY_SHUTDOWN: this.p.powerRequest("shutdown", false); return SBI_EXIT;
      default: return this.unknown();
    }
  }

  private unknown(): number { this.unsupported++; return this.ret(SBI_ERR_NOT_SUPPORTED); }

  private base(fid: number): number {
    switch (fid) {
      case 0: return this.ret(SBI_SUCCESS, SBI_SPEC_VERSION);
      case 1: return this.ret(SBI_SUCCESS, SBI_IMPL_ID);
      case 2: return this.ret(SBI_SUCCESS, SBI_IMPL_VERSION);
      case 3: { // probe_extension: 1 if implemented (the legacy ones included), else 0
        const eid = this.hi(A0) === 0 ? this.lo(A0) : -1;
        return this.ret(SBI_SUCCESS, this.counts.has(eid) ? 1 : 0);
      }
      // mvendorid, marchid, mimpid: the hart reports 0 for all three (assembly/csr.ts).
      case 4: case 5: case 6: return this.ret(SBI_SUCCESS, 0);
      default: return this.unknown();
    }
  }

  private setTimerFrom(r: number): void {
    // The 64-bit deadline is copied word for word into the core's SBI timer compare.
    this.v.setUint32(L.S_SBI_TIMECMP, this.lo(r), true);
    this.v.setUint32(L.S_SBI_TIMECMP + 4, this.hi(r), true);
    this.flags |= SBI_TIMER;
  }

  private setTimer(): number {
    this.setTimerFrom(A0);
    return this.ret(SBI_SUCCESS);
  }

  /**
   * The harts a (hart_mask, hart_mask_base) pair names: true if hart 0 is among them, false
   * if not, undefined if it names a hart that does not exist (chapter 3, "hart list").
   */
  private hartMask(maskReg: number, baseReg: number): boolean | undefined {
    const baseLo = this.lo(baseReg), baseHi = this.hi(baseReg);
    if (baseLo === 0xffffffff && baseHi === 0xffffffff) return true; // every hart
    const base = this.num(baseReg);
    const maskLo = this.lo(maskReg), maskHi = this.hi(maskReg);
    if (maskLo === 0 && maskHi === 0) return false;
    // Hart base + i for each set bit i must exist: only hart 0 does.
    if (base !== 0 || maskHi !== 0 || (maskLo & ~1) !== 0) return undefined;
    return (maskLo & 1) !== 0;
  }

  private sendIpi(): number {
    const mine = this.hartMask(A0, A1);
    if (mine === undefined) return this.ret(SBI_ERR_INVALID_PARAM);
    if (mine) { this.p.hart.setSoftIrq(true); this.flags |= SBI_END_BLOCK; }
    return this.ret(SBI_SUCCESS);
  }

  private rfence(fid: number): number {
    if (fid > 2) return this.unknown(); // hypervisor fences: no H extension
    const mine = this.hartMask(A0, A1);
    if (mine === undefined) return this.ret(SBI_ERR_INVALID_PARAM);
    // FENCE.I: the decoded-instruction cache follows stores already. SFENCE.VMA (any range or
    // ASID): flush all translations on this hart.
    if (mine && fid >= 1) { this.p.hart.flushTlb(); this.flags |= SBI_END_BLOCK; }
    return this.ret(SBI_SUCCESS);
  }

  private hsm(fid: number): number {
    const hartValid = () => this.lo(A0) < NUM_HARTS && this.hi(A0) === 0;
    switch (fid) {
      case 0: // hart_start: the only hart is running
        return this.ret(hartValid() ? SBI_ERR_ALREADY_AVAILABLE : SBI_ERR_INVALID_PARAM);
      case 1: // hart_stop: stopping the last hart stops the machine
        this.p.powerRequest("shutdown", false);
        this.flags |= SBI_EXIT;
        return this.ret(SBI_SUCCESS);
      case 2:
        return hartValid() ? this.ret(SBI_SUCCESS, HSM_STARTED) : this.ret(SBI_ERR_INVALID_PARAM);
      case 3: return this.suspend();
      default: return this.unknown();
    }
  }

  /** hart_suspend(type, resume_addr, opaque): wait for an interrupt (chapter 9.4). */
  private suspend(): number {
    const type = this.hi(A0) === 0 ? this.lo(A0) : -1;
    if (type === HSM_SUSPEND_RETENTIVE) {
      this.p.hart.waiting = true;
      this.flags |= SBI_EXIT; // the runner idles the hart until an interrupt is pending
      return this.ret(SBI_SUCCESS);
    }
    if (type === HSM_SUSPEND_NON_RETENTIVE) {
      const resume = this.num(A1);
      if (resume < 0 || resume % 2 !== 0 || !this.p.hart.isRam(resume, 2)) return this.ret(SBI_ERR_INVALID_ADDRESS);
      // Resume at resume_addr in S-mode with a0 = hart id, a1 = opaque, satp = 0, SIE = 0.
      const h = this.p.hart;
      this.v.setUint32(L.X_BASE + 8 * A1, this.lo(A2), true);
      this.v.setUint32(L.X_BASE + 8 * A1 + 4, this.hi(A2), true);
      this.set(A0, 0);
      h.writeCsr(0x180, 0n);
      h.writeCsr(0x100, (h.csr(0x100) ?? 0n) & ~2n);
      this.v.setUint32(L.S_PC, resume % 4294967296, true);
      this.v.setUint32(L.S_PC + 4, Math.floor(resume / 4294967296), true);
      h.waiting = true;
      this.flags |= SBI_JUMP | SBI_EXIT;
      return this.flags;
    }
    if (type >= 0x10000000 && type < 0x80000000) return this.ret(SBI_ERR_INVALID_PARAM); // reserved
    return this.ret(type >= 0xf0000000 || (type > 0 && type < 0x10000000) ? SBI_ERR_INVALID_PARAM : SBI_ERR_NOT_SUPPORTED);
  }

  private systemReset(): number {
    const type = this.hi(A0) === 0 ? this.lo(A0) : -1, reason = this.hi(A1) === 0 ? this.lo(A1) : -1;
    if (type < 0 || type > SRST_WARM_REBOOT || reason < 0 || (reason > 1 && reason < 0xe0000000)) {
      return this.ret(SBI_ERR_INVALID_PARAM);
    }
    // Cold and warm reboot are the same here: the board boots its images again.
    this.p.powerRequest(type === SRST_SHUTDOWN ? "shutdown" : "reboot", reason === 1);
    this.flags |= SBI_EXIT;
    return this.ret(SBI_SUCCESS); // not seen by the guest: the machine stops or reboots
  }

  private dbcn(fid: number): number {
    if (fid === 2) { // console_write_byte
      this.oneByte[0] = this.lo(A0);
      this.p.consoleWrite(this.oneByte);
      return this.ret(SBI_SUCCESS);
    }
    if (fid > 2) return this.unknown();
    // num_bytes in a0; the address is a2:a1 (upper and lower XLEN bits), so a2 must be 0 here.
    const len = this.num(A0), addr = this.num(A1);
    if (len < 0 || addr < 0 || this.lo(A2) !== 0 || this.hi(A2) !== 0) return this.ret(SBI_ERR_INVALID_PARAM);
    const n = Math.min(len, DBCN_MAX);
    const ram = this.p.ram;
    if (!(addr >= ram.base && addr + n <= ram.base + ram.bytes.length)) return this.ret(SBI_ERR_INVALID_PARAM);
    const off = addr - ram.base;
    if (fid === 0) {
      this.p.consoleWrite(ram.bytes.subarray(off, off + n));
      return this.ret(SBI_SUCCESS, n);
    }
    let got = 0;
    while (got < n) {
      const b = this.p.consoleRead();
      if (b < 0) break;
      ram.bytes[off + got++] = b;
    }
    if (got) ram.written(addr, got);
    return this.ret(SBI_SUCCESS, got);
  }

  private wasmvisor(fid: number): number {
    switch (fid) {
      case 0: return this.ret(SBI_SUCCESS, 0); // ping: the round trip, nothing else
      case 1: this.flags |= SBI_EXIT; return this.ret(SBI_SUCCESS); // yield the rest of the slice
      case 2: { // clock_page(addr): version 1, timebase Hz, wall-clock ns at mtime 0
        const addr = this.num(A0);
        if (addr < 0 || addr % 8 !== 0 || !this.p.hart.isRam(addr, CLOCK_PAGE_BYTES)) return this.ret(SBI_ERR_INVALID_ADDRESS);
        const h = this.p.hart;
        const epochNs = BigInt(Math.round(this.p.wallClockMs() * 1e6)) - h.mtime * 100n;
        h.writePhys64(addr, 1n);
        h.writePhys64(addr + 8, 10_000_000n);
        h.writePhys64(addr + 16, BigInt.asUintN(64, epochNs));
        return this.ret(SBI_SUCCESS);
      }
      case 3: { // heartbeat(timeout_ms): the guest is alive; the host's watchdog fires if the next is late
        const ms = this.num(A0);
        if (ms < 0 || ms > HEARTBEAT_MAX_MS) return this.ret(SBI_ERR_INVALID_PARAM);
        this.p.heartbeat(ms);
        return this.ret(SBI_SUCCESS);
      }
      default: return this.unknown();
    }
  }

  /** Calls by "EXT.function" name, for reports (allocates: not for the hypercall path). */
  report(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [eid, c] of this.counts) c.forEach((n, fid) => { if (n) out[sbiCallName(eid, fid)] = n; });
    if (this.unsupported) out.unsupported = this.unsupported;
    return out;
  }
}
