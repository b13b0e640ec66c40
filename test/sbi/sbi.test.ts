// The hypervisor's SBI, function by function: results in a0/a1, every other register kept,
// effects on the hart and board, and every validation error.
import { beforeEach, describe, expect, it } from "vitest";
import { PRIV_S } from "../../src/core/hart.js";
import { Machine } from "../../src/machine/machine.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import {
  EID_BASE, EID_DBCN, EID_HSM, EID_IPI, EID_LEGACY_GETCHAR, EID_LEGACY_PUTCHAR, EID_LEGACY_SET_TIMER, EID_RFENCE,
  EID_SRST, EID_TIME, EID_WASMVISOR, SBI_ERR_ALREADY_AVAILABLE, SBI_ERR_INVALID_ADDRESS, SBI_ERR_INVALID_PARAM,
  SBI_ERR_NOT_SUPPORTED, SBI_IMPL_ID, SBI_SPEC_VERSION, SBI_SUCCESS,
} from "../../src/sbi/sbi.js";
import { SYSCON_POWEROFF, SYSCON_RESET } from "../../src/devices/syscon.js";

const RAM = 0x8000_0000;
let m: Machine;
let out: number[];

beforeEach(() => {
  out = [];
  m = new Machine(loadCoreModule(), { memSize: 1 << 20, mode: "para", clock: "virtual", output: (b) => out.push(...b) });
  m.board.enterMode();
  m.hart.priv = PRIV_S;
});

/** Calls (eid, fid, args) and returns [a0 as a signed number, a1]. */
function call(eid: number, fid: number, ...args: (number | bigint)[]): [number, bigint, number] {
  const h = m.hart;
  for (let r = 1; r < 32; r++) h.setX(r, BigInt(0x1000 + r));
  h.setX(17, BigInt(eid)); h.setX(16, BigInt(fid));
  args.forEach((a, i) => h.setX(10 + i, BigInt.asUintN(64, BigInt(a))));
  const flags = m.board.sbi!.handle();
  // every register but a0 and a1 is preserved
  for (let r = 1; r < 32; r++) {
    if (r === 10 || r === 11) continue;
    const want = r === 16 ? BigInt(fid) : r === 17 ? BigInt(eid) : r >= 12 && r < 10 + args.length ? BigInt.asUintN(64, BigInt(args[r - 10])) : BigInt(0x1000 + r);
    expect(h.x(r), `x${r}`).toBe(want);
  }
  return [Number(BigInt.asIntN(64, h.x(10))), h.x(11), flags];
}

describe("SBI BASE", () => {
  it("reports spec 2.0, its implementation, and probes extensions", () => {
    expect(call(EID_BASE, 0).slice(0, 2)).toEqual([SBI_SUCCESS, BigInt(SBI_SPEC_VERSION)]);
    expect(call(EID_BASE, 1).slice(0, 2)).toEqual([SBI_SUCCESS, BigInt(SBI_IMPL_ID)]);
    expect(call(EID_BASE, 2)[0]).toBe(SBI_SUCCESS);
    for (const eid of [EID_TIME, EID_IPI, EID_RFENCE, EID_HSM, EID_SRST, EID_DBCN, EID_WASMVISOR, EID_LEGACY_PUTCHAR]) {
      expect(call(EID_BASE, 3, eid).slice(0, 2)).toEqual([SBI_SUCCESS, 1n]);
    }
    expect(call(EID_BASE, 3, 0x12345678).slice(0, 2)).toEqual([SBI_SUCCESS, 0n]);
    for (const fid of [4, 5, 6]) expect(call(EID_BASE, fid).slice(0, 2)).toEqual([SBI_SUCCESS, 0n]);
  });

  it("answers unknown extensions and functions with NOT_SUPPORTED", () => {
    expect(call(0x7777777, 0)[0]).toBe(SBI_ERR_NOT_SUPPORTED);
    expect(call(EID_BASE, 7)[0]).toBe(SBI_ERR_NOT_SUPPORTED);
    expect(call(EID_TIME, 1)[0]).toBe(SBI_ERR_NOT_SUPPORTED);
    expect(call(EID_RFENCE, 3)[0]).toBe(SBI_ERR_NOT_SUPPORTED); // hypervisor fences: no H extension
    expect(m.board.sbi!.unsupported).toBe(4);
  });
});

describe("SBI TIME, IPI, RFENCE", () => {
  it("set_timer programs the deadline and the core raises STIP when it passes", () => {
    const [err, , flags] = call(EID_TIME, 0, 5000n);
    expect(err).toBe(SBI_SUCCESS);
    expect(flags & 1).toBe(1);
    expect(m.hart.sbiTimer).toBe(5000n);
    call(EID_LEGACY_SET_TIMER, 0, 0xffff_ffff_ffff_ffffn); // the legacy call, and a far deadline
    expect(m.hart.sbiTimer).toBe(0xffff_ffff_ffff_ffffn);
  });

  it("send_ipi raises SSIP on hart 0; a mask naming other harts is INVALID_PARAM", () => {
    expect(call(EID_IPI, 0, 1, 0)[0]).toBe(SBI_SUCCESS);
    expect(m.hart.csr(0x144)! & 2n).toBe(2n); // sip.SSIP
    expect(call(EID_IPI, 0, 0, -1)[0]).toBe(SBI_SUCCESS); // base -1: all harts
    expect(call(EID_IPI, 0, 2, 0)[0]).toBe(SBI_ERR_INVALID_PARAM); // hart 1 does not exist
    expect(call(EID_IPI, 0, 1, 5)[0]).toBe(SBI_ERR_INVALID_PARAM);
  });

  it("remote fences succeed on hart 0 and check the mask", () => {
    for (const fid of [0, 1, 2]) expect(call(EID_RFENCE, fid, 1, 0, 0, 4096, 0)[0]).toBe(SBI_SUCCESS);
    expect(call(EID_RFENCE, 1, 1, 3)[0]).toBe(SBI_ERR_INVALID_PARAM);
  });
});

describe("SBI HSM and SRST", () => {
  it("reports hart 0 started; starting it again or naming others is an error", () => {
    expect(call(EID_HSM, 2, 0).slice(0, 2)).toEqual([SBI_SUCCESS, 0n]);
    expect(call(EID_HSM, 2, 1)[0]).toBe(SBI_ERR_INVALID_PARAM);
    expect(call(EID_HSM, 0, 0, RAM, 0)[0]).toBe(SBI_ERR_ALREADY_AVAILABLE);
    expect(call(EID_HSM, 0, 3, RAM, 0)[0]).toBe(SBI_ERR_INVALID_PARAM);
  });

  it("suspend: retentive waits; non-retentive resumes at resume_addr with a0 = hart, a1 = opaque; bad ones are refused", () => {
    const [e0, , f0] = call(EID_HSM, 3, 0, 0, 0);
    expect(e0).toBe(SBI_SUCCESS);
    expect(f0 & 4).toBe(4);
    expect(m.hart.waiting).toBe(true);
    m.hart.waiting = false;
    const h = m.hart;
    h.setX(17, BigInt(EID_HSM)); h.setX(16, 3n); h.setX(10, 0x80000000n); h.setX(11, BigInt(RAM + 0x100)); h.setX(12, 0xabcn);
    const f1 = m.board.sbi!.handle();
    expect(f1 & 8).toBe(8); // jump
    expect(h.pc).toBe(BigInt(RAM + 0x100));
    expect([h.x(10), h.x(11)]).toEqual([0n, 0xabcn]);
    expect(call(EID_HSM, 3, 0x80000000, 0x1234, 0)[0]).toBe(SBI_ERR_INVALID_ADDRESS);
    expect(call(EID_HSM, 3, 0x10000000, 0, 0)[0]).toBe(SBI_ERR_INVALID_PARAM);
  });

  it("system_reset: shutdown, reboot and a failure code; bad types and reasons are INVALID_PARAM", () => {
    expect(call(EID_SRST, 0, 3, 0)[0]).toBe(SBI_ERR_INVALID_PARAM);
    expect(call(EID_SRST, 0, 0, 7)[0]).toBe(SBI_ERR_INVALID_PARAM);
    expect(m.syscon.request).toBe(0);
    call(EID_SRST, 0, 1, 0);
    expect(m.syscon.request).toBe(SYSCON_RESET);
    m.syscon.clear();
    const [, , f] = call(EID_SRST, 0, 0, 1);
    expect(f & 4).toBe(4);
    expect([m.syscon.request, m.syscon.exitCode]).toEqual([SYSCON_POWEROFF, 1]);
  });
});

describe("SBI console (DBCN and legacy)", () => {
  it("writes whole buffers, reads input, writes a byte; addresses outside RAM are INVALID_PARAM", () => {
    m.hart.writePhys(RAM + 0x800, new TextEncoder().encode("hello, world"));
    expect(call(EID_DBCN, 0, 12, RAM + 0x800, 0).slice(0, 2)).toEqual([SBI_SUCCESS, 12n]);
    expect(call(EID_DBCN, 2, 0x21)[0]).toBe(SBI_SUCCESS);
    call(EID_LEGACY_PUTCHAR, 0, 0x0a);
    m.board.consoleOut.flush();
    expect(new TextDecoder().decode(Uint8Array.from(out))).toBe("hello, world!\n");
    m.input(new TextEncoder().encode("xyz"));
    expect(call(EID_LEGACY_GETCHAR, 0)[0]).toBe(0x78);
    expect(call(EID_DBCN, 1, 8, RAM + 0x900, 0).slice(0, 2)).toEqual([SBI_SUCCESS, 2n]);
    expect(new TextDecoder().decode(m.hart.readPhys(RAM + 0x900, 2))).toBe("yz");
    expect(call(EID_LEGACY_GETCHAR, 0)[0]).toBe(-1);
    expect(call(EID_DBCN, 0, 16, RAM + (1 << 20) - 8, 0)[0]).toBe(SBI_ERR_INVALID_PARAM); // runs past RAM
    expect(call(EID_DBCN, 0, 4, 0x1000, 0)[0]).toBe(SBI_ERR_INVALID_PARAM);
    expect(call(EID_DBCN, 0, 4, RAM, 1)[0]).toBe(SBI_ERR_INVALID_PARAM); // base_addr_hi set
    expect(call(EID_DBCN, 1, -1, RAM, 0)[0]).toBe(SBI_ERR_INVALID_PARAM);
  });
});

describe("the wasmvisor extension", () => {
  it("ping does nothing, yield ends the slice, clock_page writes the clock and checks its address", () => {
    expect(call(EID_WASMVISOR, 0)).toEqual([SBI_SUCCESS, 0n, 0]);
    expect(call(EID_WASMVISOR, 1)[2] & 4).toBe(4);
    expect(call(EID_WASMVISOR, 2, RAM + 0x1000)[0]).toBe(SBI_SUCCESS);
    expect(m.hart.readPhys64(RAM + 0x1000)).toBe(1n);
    expect(m.hart.readPhys64(RAM + 0x1008)).toBe(10_000_000n);
    const epochMs = Number(m.hart.readPhys64(RAM + 0x1010)) / 1e6;
    expect(Math.abs(epochMs - Date.now())).toBeLessThan(60_000);
    expect(call(EID_WASMVISOR, 2, RAM + 0x1004)[0]).toBe(SBI_ERR_INVALID_ADDRESS);
    expect(call(EID_WASMVISOR, 2, 0x1000)[0]).toBe(SBI_ERR_INVALID_ADDRESS);
    expect(call(EID_WASMVISOR, 3, 50)[0]).toBe(SBI_SUCCESS); // heartbeat: arms a 50 ms watchdog
    expect(m.board.watchdogMs).toBe(50);
    expect(m.board.watchdogDeadline - Date.now()).toBeLessThanOrEqual(50);
    expect(call(EID_WASMVISOR, 3, -1)[0]).toBe(SBI_ERR_INVALID_PARAM);
    expect(call(EID_WASMVISOR, 3, 0)[0]).toBe(SBI_SUCCESS); // disarms
    expect(m.board.watchdogDeadline).toBe(Infinity);
    expect(m.board.sbi!.report()).toMatchObject({ "wasmvisor.ping": 1, "wasmvisor.yield": 1, "wasmvisor.clock_page": 3, "wasmvisor.heartbeat": 3 });
  });
});
