// CSR rules of the privileged spec 1.12: existence, privilege, read-only, WARL fields, views.
import { describe, expect, it } from "vitest";
import { DRAM_BASE, PRIV_M, PRIV_S, PRIV_U } from "../../src/core/hart.js";
import { hartWith, runToTrap } from "../helpers/hart-fixture.js";
import { csrrs, csrrw, csrrwi, li } from "../helpers/rv.js";

const MSTATUS = 0x300, MISA = 0x301, MEDELEG = 0x302, MIDELEG = 0x303, MIE = 0x304, MTVEC = 0x305;
const MCOUNTEREN = 0x306, MEPC = 0x341, MIP = 0x344, SSTATUS = 0x100, SIE = 0x104, SIP = 0x144;
const SCOUNTEREN = 0x106, SATP = 0x180, MHARTID = 0xf14;

describe("CSR access rules", () => {
  it("misa reports RV64 with A, B, C, D, F, I, M, S, U and ignores writes", () => {
    const hart = hartWith([]);
    const expected = (2n << 62n) | 0b1_0100_0001_0001_0010_1111n;
    expect(hart.csr(MISA)).toBe(expected);
    expect(hart.writeCsr(MISA, 0n)).toBe(true);
    expect(hart.csr(MISA)).toBe(expected);
  });

  it("writing a read-only CSR is illegal, with the instruction bits in mtval", () => {
    const insn = csrrw(1, MHARTID, 2);
    expect(runToTrap(hartWith([insn]))).toEqual({ cause: 2n, epc: BigInt(DRAM_BASE), tval: BigInt(insn) });
  });

  it("CSRRS with x0 reads a read-only CSR without trapping", () => {
    const hart = hartWith([csrrs(5, MHARTID, 0)], { hartId: 3 });
    expect(runToTrap(hart, 1)).toBeUndefined();
    expect(hart.x(5)).toBe(3n);
  });

  it("an unimplemented CSR is illegal", () => {
    const insn = csrrs(5, 0x7c0, 0); // custom read/write space: nothing there
    expect(runToTrap(hartWith([insn]))).toEqual({ cause: 2n, epc: BigInt(DRAM_BASE), tval: BigInt(insn) });
    const hart = hartWith([]);
    expect(hart.csr(0x3a1)).toBeUndefined(); // pmpcfg1 does not exist on RV64
  });

  it("a lower privilege cannot reach a higher privilege's CSRs", () => {
    const hart = hartWith([]);
    hart.priv = PRIV_S;
    expect(hart.csr(MSTATUS)).toBeUndefined();
    expect(hart.csr(SSTATUS)).toBeDefined();
    hart.priv = PRIV_U;
    expect(hart.csr(SSTATUS)).toBeUndefined();
  });

  it("mstatus: MPP=2 is not kept, UXL and SXL read 2, SD follows FS", () => {
    const hart = hartWith([]);
    hart.writeCsr(MSTATUS, 1n << 11n); // MPP = S
    hart.writeCsr(MSTATUS, 2n << 11n); // reserved: keeps S
    let ms = hart.csr(MSTATUS)!;
    expect((ms >> 11n) & 3n).toBe(1n);
    expect((ms >> 32n) & 0xfn).toBe(0b1010n);
    expect(ms >> 63n).toBe(0n);
    hart.writeCsr(MSTATUS, 3n << 13n); // FS = dirty
    ms = hart.csr(MSTATUS)!;
    expect(ms >> 63n).toBe(1n);
    expect(hart.csr(SSTATUS)! >> 63n).toBe(1n);
  });

  it("sstatus is a view of mstatus that cannot touch M-only fields", () => {
    const hart = hartWith([]);
    hart.writeCsr(SSTATUS, ~0n);
    const ms = hart.csr(MSTATUS)!;
    expect(ms & (1n << 3n)).toBe(0n); // MIE untouched
    expect((ms >> 11n) & 3n).toBe(0n); // MPP untouched
    expect(ms & (1n << 1n)).toBe(2n); // SIE set
    expect(ms & (1n << 18n)).toBe(1n << 18n); // SUM set
  });

  it("mtvec keeps its old value on a reserved mode, mepc clears bit 0", () => {
    const hart = hartWith([]);
    hart.writeCsr(MTVEC, 0x80000101n);
    hart.writeCsr(MTVEC, 0x80000202n);
    expect(hart.csr(MTVEC)).toBe(0x80000101n);
    hart.writeCsr(MEPC, 0x80000003n);
    expect(hart.csr(MEPC)).toBe(0x80000002n);
  });

  it("medeleg and mideleg have their writable masks; sie/sip only show delegated bits", () => {
    const hart = hartWith([]);
    hart.writeCsr(MEDELEG, ~0n);
    expect(hart.csr(MEDELEG)).toBe(0xb3ffn); // not ECALL from M (11), nor reserved 10/14
    hart.writeCsr(MIDELEG, ~0n);
    expect(hart.csr(MIDELEG)).toBe(0x222n);
    hart.writeCsr(MIDELEG, 0x20n); // only STI delegated
    hart.writeCsr(MIE, ~0n);
    expect(hart.csr(MIE)).toBe(0xaaan);
    expect(hart.csr(SIE)).toBe(0x20n);
    hart.writeCsr(MIP, 0x222n);
    expect(hart.csr(SIP)).toBe(0x20n);
    hart.writeCsr(SIP, 0n); // SSIP is not delegated: sip cannot clear anything here
    expect(hart.csr(MIP)).toBe(0x222n);
  });

  it("a satp write with an unsupported mode leaves satp unchanged", () => {
    const hart = hartWith([]);
    hart.writeCsr(SATP, (8n << 60n) | 0x80123n);
    hart.writeCsr(SATP, (10n << 60n) | 0x80456n); // Sv57: not implemented
    expect(hart.csr(SATP)).toBe((8n << 60n) | 0x80123n);
    hart.writeCsr(SATP, (9n << 60n) | 0x80789n); // Sv48
    expect(hart.csr(SATP)).toBe((9n << 60n) | 0x80789n);
  });

  it("TVM makes satp illegal in S-mode", () => {
    const hart = hartWith([]);
    hart.writeCsr(MSTATUS, 1n << 20n);
    hart.priv = PRIV_S;
    expect(hart.csr(SATP)).toBeUndefined();
    hart.priv = PRIV_M;
    expect(hart.csr(SATP)).toBe(0n);
  });

  it("mcounteren and scounteren gate cycle, time and instret below M", () => {
    const hart = hartWith([]);
    hart.priv = PRIV_S;
    expect(hart.csr(0xc00)).toBeUndefined();
    hart.priv = PRIV_M;
    hart.writeCsr(MCOUNTEREN, 0b101n); // cycle and instret
    hart.priv = PRIV_S;
    expect(hart.csr(0xc00)).toBeDefined();
    expect(hart.csr(0xc01)).toBeUndefined();
    expect(hart.csr(0xc02)).toBeDefined();
    hart.priv = PRIV_U;
    expect(hart.csr(0xc02)).toBeUndefined(); // scounteren still 0
    hart.priv = PRIV_S;
    hart.writeCsr(SCOUNTEREN, 0b100n);
    hart.priv = PRIV_U;
    expect(hart.csr(0xc02)).toBeDefined();
    expect(hart.csr(0xc00)).toBeUndefined();
  });

  it("minstret counts retired instructions and can be written", () => {
    const hart = hartWith([li(1, 1), li(1, 2), li(1, 3), csrrs(5, 0xb02, 0), csrrwi(0, 0xb02, 7), csrrs(6, 0xb02, 0)]);
    hart.run(6);
    expect(hart.x(5)).toBe(3n);
    expect(hart.x(6)).toBe(7n); // the write replaces the CSRRWI's own increment
  });

  it("PMP registers are stored and read back; tselect/tdata read zero", () => {
    const hart = hartWith([]);
    hart.writeCsr(0x3a0, 0x1f1fn);
    hart.writeCsr(0x3b5, ~0n);
    expect(hart.csr(0x3a0)).toBe(0x1f1fn);
    expect(hart.csr(0x3b5)).toBe((1n << 54n) - 1n);
    hart.writeCsr(0x7a0, 5n);
    expect(hart.csr(0x7a0)).toBe(0n);
    expect(hart.csr(0x7a1)).toBe(0n);
  });
});
