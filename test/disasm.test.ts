import { describe, expect, it } from "vitest";
import { csrName, disassemble, instructionLength } from "../src/core/disasm.js";

// [instruction bits, pc, expected text]. The expected texts are what
// `riscv64-unknown-elf-objdump -d -M no-aliases` prints for these encodings (branch targets
// written as 0x-prefixed absolute addresses), except "c.nop", which objdump spells
// "c.addi zero,0"; the test itself does not need binutils.
const KNOWN: [number, number, string][] = [
  [0x12345537, 0x0, "lui a0,0x12345"],
  [0xfffff297, 0x4, "auipc t0,0xfffff"],
  [0x001000ef, 0x8, "jal ra,0x808"],
  [0xffdff06f, 0xc, "jal zero,0x8"],
  [0xffc280e7, 0x10, "jalr ra,-4(t0)"],
  [0x00b50863, 0x14, "beq a0,a1,0x24"],
  [0xfe9418e3, 0x18, "bne s0,s1,0x8"],
  [0x7ed64fe3, 0x1c, "blt a2,a3,0x101a"],
  [0x8062d063, 0x20, "bge t0,t1,0xfffffffffffff020"],
  [0x00f76463, 0x24, "bltu a4,a5,0x2c"],
  [0x01187463, 0x28, "bgeu a6,a7,0x30"],
  [0xfff10503, 0x2c, "lb a0,-1(sp)"],
  [0x00211583, 0x30, "lh a1,2(sp)"],
  [0x80042603, 0x34, "lw a2,-2048(s0)"],
  [0x7f813083, 0x38, "ld ra,2040(sp)"],
  [0x00034283, 0x3c, "lbu t0,0(t1)"],
  [0x0064d383, 0x40, "lhu t2,6(s1)"],
  [0x00c9e903, 0x44, "lwu s2,12(s3)"],
  [0x80a10023, 0x48, "sb a0,-2048(sp)"],
  [0x00a11123, 0x4c, "sh a0,2(sp)"],
  [0x00a12223, 0x50, "sw a0,4(sp)"],
  [0x00113423, 0x54, "sd ra,8(sp)"],
  [0x80058513, 0x58, "addi a0,a1,-2048"],
  [0x0055a513, 0x5c, "slti a0,a1,5"],
  [0xfff5b513, 0x60, "sltiu a0,a1,-1"],
  [0x7ff5c513, 0x64, "xori a0,a1,2047"],
  [0xfff3e313, 0x68, "ori t1,t2,-1"],
  [0x0034f413, 0x6c, "andi s0,s1,3"],
  [0x03f59513, 0x70, "slli a0,a1,0x3f"],
  [0x0215d513, 0x74, "srli a0,a1,0x21"],
  [0x4015d513, 0x78, "srai a0,a1,0x1"],
  [0xffb5051b, 0x7c, "addiw a0,a0,-5"],
  [0x01f5951b, 0x80, "slliw a0,a1,0x1f"],
  [0x0015d51b, 0x84, "srliw a0,a1,0x1"],
  [0x4075d51b, 0x88, "sraiw a0,a1,0x7"],
  [0x00c58533, 0x8c, "add a0,a1,a2"],
  [0x41df0fb3, 0x90, "sub t6,t5,t4"],
  [0x00c59533, 0x94, "sll a0,a1,a2"],
  [0x00c5a533, 0x98, "slt a0,a1,a2"],
  [0x00c5b533, 0x9c, "sltu a0,a1,a2"],
  [0x00c5c533, 0xa0, "xor a0,a1,a2"],
  [0x00c5d533, 0xa4, "srl a0,a1,a2"],
  [0x40c5d533, 0xa8, "sra a0,a1,a2"],
  [0x00c5e533, 0xac, "or a0,a1,a2"],
  [0x00c5f533, 0xb0, "and a0,a1,a2"],
  [0x00c5853b, 0xb4, "addw a0,a1,a2"],
  [0x40c5853b, 0xb8, "subw a0,a1,a2"],
  [0x00c5953b, 0xbc, "sllw a0,a1,a2"],
  [0x00c5d53b, 0xc0, "srlw a0,a1,a2"],
  [0x40c5d53b, 0xc4, "sraw a0,a1,a2"],
  [0x02c58533, 0xc8, "mul a0,a1,a2"],
  [0x02c59533, 0xcc, "mulh a0,a1,a2"],
  [0x02c5a533, 0xd0, "mulhsu a0,a1,a2"],
  [0x02c5b533, 0xd4, "mulhu a0,a1,a2"],
  [0x02c5c533, 0xd8, "div a0,a1,a2"],
  [0x02c5d533, 0xdc, "divu a0,a1,a2"],
  [0x02c5e533, 0xe0, "rem a0,a1,a2"],
  [0x02c5f533, 0xe4, "remu a0,a1,a2"],
  [0x02c5853b, 0xe8, "mulw a0,a1,a2"],
  [0x02c5c53b, 0xec, "divw a0,a1,a2"],
  [0x02c5d53b, 0xf0, "divuw a0,a1,a2"],
  [0x02c5e53b, 0xf4, "remw a0,a1,a2"],
  [0x02c5f53b, 0xf8, "remuw a0,a1,a2"],
  [0x0ff0000f, 0xfc, "fence iorw,iorw"],
  [0x0210000f, 0x100, "fence r,w"],
  [0x8330000f, 0x104, "fence.tso"],
  [0x0000100f, 0x108, "fence.i"],
  [0x00000073, 0x10c, "ecall"],
  [0x00100073, 0x110, "ebreak"],
  [0x10200073, 0x114, "sret"],
  [0x30200073, 0x118, "mret"],
  [0x10500073, 0x11c, "wfi"],
  [0x12000073, 0x120, "sfence.vma zero,zero"],
  [0x12b50073, 0x124, "sfence.vma a0,a1"],
  [0x30059573, 0x128, "csrrw a0,mstatus,a1"],
  [0x34402573, 0x12c, "csrrs a0,mip,zero"],
  [0x3042b073, 0x130, "csrrc zero,mie,t0"],
  [0x340fd573, 0x134, "csrrwi a0,mscratch,31"],
  [0x30046073, 0x138, "csrrsi zero,mstatus,8"],
  [0x10017573, 0x13c, "csrrci a0,sstatus,2"],
  [0xc0102573, 0x140, "csrrs a0,time,zero"],
  [0x7c002573, 0x144, "csrrs a0,0x7c0,zero"],
  [0x18051073, 0x148, "csrrw zero,satp,a0"],
  [0xf1402573, 0x14c, "csrrs a0,mhartid,zero"],
  [0x3b351073, 0x150, "csrrw zero,pmpaddr3,a0"],
  [0x1005a52f, 0x154, "lr.w a0,(a1)"],
  [0x1405b52f, 0x158, "lr.d.aq a0,(a1)"],
  [0x18c5a52f, 0x15c, "sc.w a0,a2,(a1)"],
  [0x1ac5b52f, 0x160, "sc.d.rl a0,a2,(a1)"],
  [0x0ec5a52f, 0x164, "amoswap.w.aqrl a0,a2,(a1)"],
  [0x00c5b52f, 0x168, "amoadd.d a0,a2,(a1)"],
  [0x20c5a52f, 0x16c, "amoxor.w a0,a2,(a1)"],
  [0x60c5b52f, 0x170, "amoand.d a0,a2,(a1)"],
  [0x40c5a52f, 0x174, "amoor.w a0,a2,(a1)"],
  [0x80c5b52f, 0x178, "amomin.d a0,a2,(a1)"],
  [0xa0c5a52f, 0x17c, "amomax.w a0,a2,(a1)"],
  [0xc0c5b52f, 0x180, "amominu.d a0,a2,(a1)"],
  [0xe4c5a52f, 0x184, "amomaxu.w.aq a0,a2,(a1)"],
  [0x00412507, 0x188, "flw fa0,4(sp)"],
  [0xff853407, 0x18c, "fld fs0,-8(a0)"],
  [0x0005a027, 0x190, "fsw ft0,0(a1)"],
  [0x01113827, 0x194, "fsd fa7,16(sp)"],
  [0x0808, 0x198, "c.addi4spn a0,sp,16"],
  [0x1fe4, 0x19a, "c.addi4spn s1,sp,1020"],
  [0x2588, 0x19c, "c.fld fa0,8(a1)"],
  [0x41c8, 0x19e, "c.lw a0,4(a1)"],
  [0x5fe0, 0x1a0, "c.lw s0,124(a5)"],
  [0x7de8, 0x1a2, "c.ld a0,248(a1)"],
  [0xa004, 0x1a4, "c.fsd fs1,0(s0)"],
  [0xc1a8, 0x1a6, "c.sw a0,64(a1)"],
  [0xe49c, 0x1a8, "c.sd a5,8(s1)"],
  [0x0001, 0x1aa, "c.nop"],
  [0x1141, 0x1ac, "c.addi sp,-16"],
  [0x057d, 0x1ae, "c.addi a0,31"],
  [0x357d, 0x1b0, "c.addiw a0,-1"],
  [0x5501, 0x1b2, "c.li a0,-32"],
  [0x4295, 0x1b4, "c.li t0,5"],
  [0x7101, 0x1b6, "c.addi16sp sp,-512"],
  [0x617d, 0x1b8, "c.addi16sp sp,496"],
  [0x6505, 0x1ba, "c.lui a0,0x1"],
  [0x7781, 0x1bc, "c.lui a5,0xfffe0"],
  [0x62fd, 0x1be, "c.lui t0,0x1f"],
  [0x8105, 0x1c0, "c.srli a0,0x1"],
  [0x95fd, 0x1c2, "c.srai a1,0x3f"],
  [0x9a7d, 0x1c4, "c.andi a2,-1"],
  [0x8d0d, 0x1c6, "c.sub a0,a1"],
  [0x8c25, 0x1c8, "c.xor s0,s1"],
  [0x8f5d, 0x1ca, "c.or a4,a5"],
  [0x8ef1, 0x1cc, "c.and a3,a2"],
  [0x9d0d, 0x1ce, "c.subw a0,a1"],
  [0x9d2d, 0x1d0, "c.addw a0,a1"],
  [0xaffd, 0x1d2, "c.j 0x9d0"],
  [0xb001, 0x1d4, "c.j 0xfffffffffffff9d4"],
  [0xcd7d, 0x1d6, "c.beqz a0,0x2d4"],
  [0xf081, 0x1d8, "c.bnez s1,0xd8"],
  [0x157e, 0x1da, "c.slli a0,0x3f"],
  [0x357e, 0x1dc, "c.fldsp fa0,504(sp)"],
  [0x50fe, 0x1de, "c.lwsp ra,252(sp)"],
  [0x70fe, 0x1e0, "c.ldsp ra,504(sp)"],
  [0x8082, 0x1e2, "c.jr ra"],
  [0x852e, 0x1e4, "c.mv a0,a1"],
  [0x9002, 0x1e6, "c.ebreak"],
  [0x9282, 0x1e8, "c.jalr t0"],
  [0x952e, 0x1ea, "c.add a0,a1"],
  [0xa422, 0x1ec, "c.fsdsp fs0,8(sp)"],
  [0xdfaa, 0x1ee, "c.swsp a0,252(sp)"],
  [0xff86, 0x1f0, "c.sdsp ra,504(sp)"],
];

describe("disassemble", () => {
  const rows = KNOWN.map(([bits, pc, text]) => [bits.toString(16), pc.toString(16), text, bits, pc] as const);
  it.each(rows)("0x%s at 0x%s → %s", (_hex, _pc, text, bits, pc) => {
    expect(disassemble(bits, BigInt(pc))).toBe(text);
  });

  // objdump -d -M no-aliases (binutils 2.40, -march=rv64gc_zba_zbb_zbc_zbs_zbkb); Zicond, which
  // binutils 2.40 does not know, from its encoding in the spec.
  const BITMANIP: [number, string][] = [
    [0x20c5a533, "sh1add a0,a1,a2"],
    [0x20c5c533, "sh2add a0,a1,a2"],
    [0x20c5e533, "sh3add a0,a1,a2"],
    [0x08c5853b, "add.uw a0,a1,a2"],
    [0x20c5a53b, "sh1add.uw a0,a1,a2"],
    [0x20c5c53b, "sh2add.uw a0,a1,a2"],
    [0x20c5e53b, "sh3add.uw a0,a1,a2"],
    [0x0a15951b, "slli.uw a0,a1,0x21"],
    [0x40c5f533, "andn a0,a1,a2"],
    [0x40c5e533, "orn a0,a1,a2"],
    [0x40c5c533, "xnor a0,a1,a2"],
    [0x60059513, "clz a0,a1"],
    [0x6005951b, "clzw a0,a1"],
    [0x60159513, "ctz a0,a1"],
    [0x6015951b, "ctzw a0,a1"],
    [0x60259513, "cpop a0,a1"],
    [0x6025951b, "cpopw a0,a1"],
    [0x0ac5e533, "max a0,a1,a2"],
    [0x0ac5f533, "maxu a0,a1,a2"],
    [0x0ac5c533, "min a0,a1,a2"],
    [0x0ac5d533, "minu a0,a1,a2"],
    [0x60459513, "sext.b a0,a1"],
    [0x60559513, "sext.h a0,a1"],
    [0x0805c53b, "zext.h a0,a1"],
    [0x60c59533, "rol a0,a1,a2"],
    [0x60c5953b, "rolw a0,a1,a2"],
    [0x60c5d533, "ror a0,a1,a2"],
    [0x6255d513, "rori a0,a1,0x25"],
    [0x6115d51b, "roriw a0,a1,0x11"],
    [0x60c5d53b, "rorw a0,a1,a2"],
    [0x2875d513, "orc.b a0,a1"],
    [0x6b85d513, "rev8 a0,a1"],
    [0x48c59533, "bclr a0,a1,a2"],
    [0x4ad59513, "bclri a0,a1,0x2d"],
    [0x48c5d533, "bext a0,a1,a2"],
    [0x4ad5d513, "bexti a0,a1,0x2d"],
    [0x68c59533, "binv a0,a1,a2"],
    [0x6ad59513, "binvi a0,a1,0x2d"],
    [0x28c59533, "bset a0,a1,a2"],
    [0x2ad59513, "bseti a0,a1,0x2d"],
    [0x0ac59533, "clmul a0,a1,a2"],
    [0x0ac5b533, "clmulh a0,a1,a2"],
    [0x0ac5a533, "clmulr a0,a1,a2"],
    [0x08c5c533, "pack a0,a1,a2"],
    [0x08c5f533, "packh a0,a1,a2"],
    [0x08c5c53b, "packw a0,a1,a2"],
    [0x6875d513, "brev8 a0,a1"],
    [0x0ec5d533, "czero.eqz a0,a1,a2"],
    [0x0ec5f533, "czero.nez a0,a1,a2"],
  ];
  it.each(BITMANIP.map(([bits, text]) => [bits.toString(16), text, bits] as const))("0x%s → %s", (_hex, text, bits) => {
    expect(disassemble(bits)).toBe(text);
  });

  it("prints unknown and reserved encodings as data", () => {
    expect(disassemble(0x0ec5e533)).toBe(".4byte 0xec5e533"); // funct7 0000111, funct3 110: no czero
    expect(disassemble(0x6035951b)).toBe(".4byte 0x6035951b"); // OP-IMM-32 count with imm[4:0] = 3: reserved
    expect(disassemble(0xffffffff)).toBe(".4byte 0xffffffff");
    expect(disassemble(0x0000007f)).toBe(".4byte 0x7f"); // 48-bit+ encodings are not instructions here
    expect(disassemble(0x8000)).toBe(".2byte 0x8000"); // quadrant 0, funct3 100: reserved
    expect(disassemble(0x6101)).toBe(".2byte 0x6101"); // c.addi16sp with immediate 0: reserved
    expect(disassemble(0x0000)).toBe("c.unimp"); // the all-zero defined illegal instruction
    expect(disassemble(0x10b5a52f)).toBe(".4byte 0x10b5a52f"); // lr.w a0,(a1) but with rs2 = a1
    expect(disassemble(0x00001073 | (0x12 << 15) | (3 << 12))).toMatch(/^csrrc /);
  });

  it("uses only the low 16 bits of a compressed instruction", () => {
    expect(disassemble(0xdead4501)).toBe("c.li a0,0");
  });

  it("makes targets absolute with the pc, across the 64-bit wrap", () => {
    expect(disassemble(0x0000006f, 0xffff_ffff_8000_0000n)).toBe("jal zero,0xffffffff80000000");
    expect(disassemble(0xffdff06f, 0n)).toBe("jal zero,0xfffffffffffffffc");
  });

  it("names CSRs, or gives their number", () => {
    expect(csrName(0x300)).toBe("mstatus");
    expect(csrName(0x3a2)).toBe("pmpcfg2");
    expect(csrName(0xc1f)).toBe("hpmcounter31");
    expect(csrName(0x7c0)).toBe("0x7c0");
  });

  it("tells instruction lengths from the low bits", () => {
    expect(instructionLength(0x4501)).toBe(2);
    expect(instructionLength(0x0513)).toBe(4);
  });
});
