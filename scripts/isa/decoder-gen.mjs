// Writes the core's decoders (assembly/decode.gen.ts) from the instruction tables: decode32
// from ./base.mjs and ./bitmanip.mjs, decode16 from ./compressed.mjs, and checks the tables:
// every encoding may match at most one row, unless one row is a special case of the other
// (then it is tried first). A row that matches but fails its constraint (a reserved rounding
// mode, a zero immediate or register that must not be) makes the encoding illegal.
//
// The decoder switches on the major opcode, then, where every row of the opcode has it in its
// mask, on funct3 or funct7 (whichever splits the rows finer), and tests the rows of a bucket
// most specific first. An encoding no row matches is an illegal instruction.

const M_F3 = 0x00007000, M_F7 = 0xfe000000;

// How each form fills the decoded entry (assembly/decode-util.ts: put, putF, alu, putCsr).
// `rm`: the form has a rounding-mode field, whose values 5 and 6 are reserved.
const FILL = {
  R: ["alu(e, OP, rd, rs1, rs2, 0, 4)"],
  I: ["alu(e, OP, rd, rs1, 0, immI(i), 4)"],
  SH6: ["alu(e, OP, rd, rs1, 0, immI(i) & 63, 4)"],
  SH5: ["alu(e, OP, rd, rs1, 0, immI(i) & 31, 4)"],
  U: ["alu(e, OP, rd, 0, 0, <i32>(i & 0xfffff000), 4)"],
  J: ["put(e, OP, rd, 0, 0, immJ(i), 4)"],
  JALR: ["put(e, OP, rd, rs1, 0, immI(i), 4)"],
  B: ["put(e, OP, 0, rs1, rs2, immB(i), 4)"],
  LOAD: ["put(e, OP, rd, rs1, 0, immI(i), 4)"], // a load to x0 still accesses memory
  STORE: ["put(e, OP, 0, rs1, rs2, immS(i), 4)"],
  FENCE: ["put(e, OP, 0, 0, 0, 0, 4)"],
  NONE: ["put(e, OP, 0, 0, 0, <i32>i, 4)"], // the raw bits: mtval if it traps
  SFENCE: ["put(e, OP, 0, rs1, rs2, <i32>i, 4)"],
  CSR: ["putCsr(e, OP, rd, rs1, i)"],
  CSRI: ["putCsr(e, OP, rd, rs1, i)"],
  AMO: ["put(e, OP, rd, rs1, rs2, <i32>(i >> 27), 4)"], // funct5 names the operation
  SC: ["put(e, OP, rd, rs1, rs2, 0, 4)"],
  LR: ["put(e, OP, rd, rs1, 0, 0, 4)"],
  CBO: ["put(e, OP, 0, rs1, 0, <i32>i, 4)"],
  FR: ["putF(e, OP, rd, rs1, rs2, <i32>f3, 4)", true],
  FR4: ["putF(e, OP, rd, rs1, rs2, <i32>(f3 | ((i >> 27) << 8)), 4)", true],
  FR1: ["putF(e, OP, rd, rs1, 0, <i32>f3, 4)", true],
  FRN: ["putF(e, OP, rd, rs1, rs2, 0, 4)"],
  FCMP: ["put(e, OP, rd, rs1, rs2, 0, 4)"],
  FX1: ["put(e, OP, rd, rs1, 0, 0, 4)"],
  F2X: ["put(e, OP, rd, rs1, 0, <i32>f3, 4)", true],
  X2F: ["putF(e, OP, rd, rs1, 0, <i32>f3, 4)", true],
  MVF: ["putF(e, OP, rd, rs1, 0, 0, 4)"],
  FLOAD: ["putF(e, OP, rd, rs1, 0, immI(i), 4)"],
  FSTORE: ["put(e, OP, 0, rs1, rs2, immS(i), 4)"],
  // bit manipulation: rd, rs1, rs2 and the shift amount in bits 25:20 (assembly/bitmanip.ts)
  BITMANIP: ["alu(e, OP, rd, rs1, rs2, <i32>((i >> 20) & 63), 4)"],
};

const popcount = (v) => { let n = 0; for (let x = v >>> 0; x; x >>>= 1) n += x & 1; return n; };
const hex = (v) => `0x${(v >>> 0).toString(16).padStart(8, "0")}`;

/** Throws unless every pair of rows is disjoint or one is a special case of the other. */
export function checkTable(rows) {
  for (let a = 0; a < rows.length; a++) {
    for (let b = a + 1; b < rows.length; b++) {
      const x = rows[a], y = rows[b];
      const common = (x.mask & y.mask) >>> 0;
      if (((x.match ^ y.match) & common) !== 0) continue; // some fixed bit differs: disjoint
      const xInY = ((x.mask & y.mask) >>> 0) === y.mask >>> 0; // x fixes every bit y fixes
      const yInX = ((x.mask & y.mask) >>> 0) === x.mask >>> 0;
      if (!(xInY !== yInX)) throw new Error(`instruction table: ${x.name} and ${y.name} overlap`);
    }
  }
}

/** Rows most specific first (a special case before the row it refines), else in table order. */
const bySpecificity = (rows) => rows.map((r, k) => [r, k]).sort((p, q) => popcount(q[0].mask) - popcount(p[0].mask) || p[1] - q[1]).map(([r]) => r);

/** The code for one row; `known` are the bits the switches above it have already matched. */
function rowCode(r, indent, known) {
  if (!FILL[r.fill]) throw new Error(`instruction table: ${r.name}: no decoder for form ${r.fill}`);
  const [fill, rm] = FILL[r.fill];
  const body = fill.replace("OP", r.opConst);
  const pad = " ".repeat(indent);
  const rest = (r.mask & ~known) >>> 0;
  const test = rest === 0 ? "" : r.mask >>> 0 === 0xffffffff ? `i == ${hex(r.match)}` : `(i & ${hex(r.mask)}) == ${hex(r.match)}`;
  const stmt = `${rm ? "if (f3 == 5 || f3 == 6) break; " : ""}${body}; return;`;
  return test ? `${pad}if (${test}) { ${stmt} } // ${r.name}` : `${pad}${stmt} // ${r.name}`;
}

/** The body of one major opcode: a switch on funct3 or funct7 when all rows fix it, else tests. */
function opcodeCode(rows) {
  const fields = [[M_F3, "f3", 12], [M_F7, "i >> 25", 25]].filter(([m]) => rows.every((r) => ((r.mask & m) >>> 0) === m >>> 0));
  let best;
  for (const [m, expr, shift] of fields) {
    const buckets = new Map();
    for (const r of rows) {
      const k = ((r.match & m) >>> 0) >>> shift;
      if (!buckets.has(k)) buckets.set(k, []);
      buckets.get(k).push(r);
    }
    const worst = Math.max(...[...buckets.values()].map((b) => b.length));
    if (!best || worst < best.worst) best = { expr, buckets, worst, mask: m };
  }
  if (!best || rows.length <= 3) return bySpecificity(rows).map((r) => rowCode(r, 6, 0x7f)).join("\n");
  const cases = [...best.buckets.entries()].sort((p, q) => p[0] - q[0]).map(([k, rs]) =>
    `        case ${k}:\n${bySpecificity(rs).map((r) => rowCode(r, 10, 0x7f | best.mask)).join("\n")}\n          break;`);
  return `      switch (${best.expr}) {\n${cases.join("\n")}\n      }`;
}

// ---- compressed

const CREG = { r: "((i >> 7) & 31)", r2: "((i >> 2) & 31)", c1: "(8 + ((i >> 7) & 7))", c2: "(8 + ((i >> 2) & 7))" };
const cReg = (v) => (v === undefined ? "0" : typeof v === "number" ? String(v) : CREG[v]);

/** The expression of a compressed immediate: its segments, sign-extended if signed. */
export function cImmExpr(imm) {
  const parts = imm.segs.map(([hi, lo, ihi, ilo]) => {
    const w = hi - lo + 1;
    if (ihi - ilo + 1 !== w) throw new Error(`compressed table: segment ${hi}:${lo} -> ${ihi}:${ilo} changes width`);
    const field = `((i >> ${lo}) & ${(1 << w) - 1})`;
    return ilo ? `(${field} << ${ilo})` : field;
  });
  const v = parts.join(" | ");
  if (!imm.signed) return `<i32>(${v})`;
  const top = Math.max(...imm.segs.map((s) => s[2]));
  return `((<i32>((${v}) << ${31 - top})) >> ${31 - top})`;
}

function cRowCode(r, pad) {
  const test = r.mask === 0xffff ? `i == 0x${r.match.toString(16)}` : `(i & 0x${r.mask.toString(16)}) == 0x${r.match.toString(16)}`;
  if (r.op === null) return `${pad}if (${test}) { illegal(e, i, 2); return; } // ${r.name}`;
  const imm = r.imm ? cImmExpr(r.imm) : "0";
  const guard = r.nz === "imm" ? "if (imm == 0) break; " : r.nz ? `if (${CREG[r.nz]} == 0) break; ` : "";
  const decl = r.imm ? `const imm = ${imm}; ` : "";
  const fill = `${r.fill}(e, O.OP_${r.op}, ${cReg(r.rd)}, ${cReg(r.rs1)}, ${cReg(r.rs2)}, ${r.imm ? "imm" : "0"}, 2)`;
  return `${pad}if (${test}) { ${decl}${guard}${fill}; return; } // ${r.name}`;
}

/** decode16 for the compressed rows: a switch on quadrant and funct3. */
function decode16Source(rows) {
  checkTable(rows);
  const buckets = new Map();
  for (const r of rows) {
    if ((r.mask & 0xe003) !== 0xe003) throw new Error(`compressed table: ${r.name} does not fix quadrant and funct3`);
    const k = (r.match & 3) | ((r.match >> 13) << 2);
    if (!buckets.has(k)) buckets.set(k, []);
    buckets.get(k).push(r);
  }
  const cases = [...buckets.entries()].sort((p, q) => p[0] - q[0]).map(([k, rs]) =>
    `    case 0x${k.toString(16).padStart(2, "0")}:\n${bySpecificity(rs).map((r) => cRowCode(r, "      ")).join("\n")}\n      break;`);
  return `/** Decodes the 16-bit compressed instruction \`i\` into entry \`e\` (${rows.length} encodings). */
export function decode16(e: u32, i: u32): void {
  switch ((i & 3) | (((i >> 13) & 7) << 2)) {
${cases.join("\n")}
  }
  illegal(e, i, 2);
}
`;
}

/**
 * assembly/decode.gen.ts for the 32-bit rows (each with `fill`, the decoder form, and
 * `opConst`) and the compressed rows.
 */
export function decoderSource(rows, cRows, header) {
  checkTable(rows);
  const byOpcode = new Map();
  for (const r of rows) {
    const opc = r.match & 0x7f;
    if ((r.mask & 0x7f) !== 0x7f) throw new Error(`instruction table: ${r.name} does not fix its opcode`);
    if (!byOpcode.has(opc)) byOpcode.set(opc, []);
    byOpcode.get(opc).push(r);
  }
  const cases = [...byOpcode.entries()].sort((p, q) => p[0] - q[0]).map(([opc, rs]) =>
    `    case 0x${opc.toString(16).padStart(2, "0")}: {\n${opcodeCode(rs)}\n      break;\n    }`);
  return `${header}
import * as O from "./ops";
import * as B from "./bitmanip.gen";
import { alu, illegal, immB, immI, immJ, immS, put, putCsr, putF } from "./decode-util";

/** Decodes the 32-bit instruction \`i\` into entry \`e\` (${rows.length} instructions). */
export function decode32(e: u32, i: u32): void {
  const rd = (i >> 7) & 31;
  const rs1 = (i >> 15) & 31;
  const rs2 = (i >> 20) & 31;
  const f3 = (i >> 12) & 7;
  switch (i & 0x7f) {
${cases.join("\n")}
  }
  illegal(e, i, 4);
}

${decode16Source(cRows)}`;
}
