// ELF64 reader for RISC-V guests (System V gABI, ELF-64 object format; RISC-V psABI for the
// machine number and e_flags). It validates everything it reads: a hostile or truncated file
// gets an ElfError that says what is wrong, never a RangeError from a DataView.
// Browser-safe: bytes in, plain data out.

export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ElfError";
  }
}

export const EM_RISCV = 243;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const SHT_NULL = 0;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;
const SHN_UNDEF = 0;
const SHN_LORESERVE = 0xff00;
const SHN_ABS = 0xfff1;
const SHN_XINDEX = 0xffff;
const PN_XNUM = 0xffff;
const STB_LOCAL = 0;
const STT_SECTION = 3;
const STT_FILE = 4;
const U64_LIMIT = 1n << 64n;

/** One PT_LOAD program header. Addresses and sizes in memory are bigint (64-bit), file positions are numbers. */
export interface ElfSegment {
  /** Index of this program header in the program header table. */
  index: number;
  paddr: bigint;
  vaddr: bigint;
  /** File offset of the segment's bytes (validated: offset + filesz <= file length). */
  offset: number;
  filesz: number;
  memsz: bigint;
  /** PF_X | PF_W | PF_R bits. */
  flags: number;
  align: bigint;
}

export interface ElfImage {
  /** ET_EXEC (2) or ET_DYN (3). */
  type: number;
  /** e_flags: RISC-V ABI flags (EF_RISCV_RVC = 1, float ABI in bits 1-2, RVE = 8, TSO = 16). */
  flags: number;
  entry: bigint;
  /** PT_LOAD segments in program-header order (segments with memsz 0 included). */
  segments: ElfSegment[];
  /** The program interpreter (PT_INTERP) of a dynamically linked program, if any. */
  interp?: string;
  /** Program header table position, for an auxiliary vector (AT_PHDR, AT_PHENT, AT_PHNUM). */
  phoff: number;
  phentsize: number;
  phnum: number;
  /**
   * Defined symbols from .symtab (or .dynsym when there is no .symtab): name → st_value.
   * When a name occurs more than once a global/weak definition wins over a local one, else the first.
   */
  symbols: Map<string, bigint>;
}

const MACHINES: Record<number, string> = {
  3: "Intel 80386", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64", 22: "S/390", 40: "ARM",
  42: "SuperH", 43: "SPARC V9", 50: "IA-64", 62: "x86-64", 183: "AArch64", 243: "RISC-V",
  258: "LoongArch",
};
const TYPES: Record<number, string> = { 0: "ET_NONE", 1: "ET_REL (relocatable object)", 4: "ET_CORE (core dump)" };

const hex = (v: bigint | number) => "0x" + v.toString(16);

/** Bounds-checked little-endian reads over the file; out-of-file reads become ElfErrors. */
class Reader {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number { return this.bytes.length; }
  private check(off: number, n: number, what: string): void {
    if (!Number.isSafeInteger(off) || off < 0 || off + n > this.bytes.length) {
      throw new ElfError(`truncated file: ${what} at offset ${off} extends past the end of the file (${this.bytes.length} bytes)`);
    }
  }
  u8(off: number, what: string): number { this.check(off, 1, what); return this.view.getUint8(off); }
  u16(off: number, what: string): number { this.check(off, 2, what); return this.view.getUint16(off, true); }
  u32(off: number, what: string): number { this.check(off, 4, what); return this.view.getUint32(off, true); }
  u64(off: number, what: string): bigint { this.check(off, 8, what); return this.view.getBigUint64(off, true); }
}

/** A file position or size from the file, as a number; larger than the file means "out of file". */
function filePos(v: bigint, what: string, fileLen: number): number {
  if (v > BigInt(fileLen)) throw new ElfError(`${what} ${hex(v)} is beyond the end of the file (${fileLen} bytes)`);
  return Number(v);
}

/** True if `bytes` starts with the ELF magic number. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Parses and validates a little-endian ELF64 RISC-V executable (ET_EXEC or ET_DYN). */
export function parseElf(bytes: Uint8Array): ElfImage {
  if (!isElf(bytes)) {
    throw new ElfError(bytes.length < 4 ? `not an ELF file (only ${bytes.length} bytes)` : "not an ELF file (no \\x7fELF magic number)");
  }
  if (bytes.length < 16) throw new ElfError(`truncated ELF header: ${bytes.length} bytes, e_ident needs 16`);
  const cls = bytes[4];
  if (cls === 1) throw new ElfError("32-bit ELF (ELFCLASS32) is not supported: wasmvisor runs RV64 guests (ELFCLASS64)");
  if (cls !== 2) throw new ElfError(`invalid ELF class ${cls} (expected 2, ELFCLASS64)`);
  const data = bytes[5];
  if (data === 2) throw new ElfError("big-endian ELF (ELFDATA2MSB) is not supported: RISC-V guests are little-endian");
  if (data !== 1) throw new ElfError(`invalid ELF data encoding ${data} (expected 1, little-endian)`);
  if (bytes[6] !== 1) throw new ElfError(`unsupported ELF version ${bytes[6]} in e_ident (expected 1)`);
  if (bytes.length < EHDR_SIZE) {
    throw new ElfError(`truncated ELF header: ${bytes.length} bytes, an ELF64 header needs ${EHDR_SIZE}`);
  }
  const r = new Reader(bytes);
  const len = bytes.length;
  const type = r.u16(16, "e_type");
  const machine = r.u16(18, "e_machine");
  if (machine !== EM_RISCV) {
    const name = MACHINES[machine] ? ` (${MACHINES[machine]})` : "";
    throw new ElfError(`wrong machine: e_machine is ${machine}${name}, expected ${EM_RISCV} (RISC-V)`);
  }
  if (type !== ET_EXEC && type !== ET_DYN) {
    const name = TYPES[type] ?? `type ${type}`;
    throw new ElfError(`not an executable: ELF ${name}; expected ET_EXEC or ET_DYN`);
  }
  const version = r.u32(20, "e_version");
  if (version !== 1) throw new ElfError(`unsupported ELF version ${version} in e_version (expected 1)`);
  const entry = r.u64(24, "e_entry");
  const phoffRaw = r.u64(32, "e_phoff");
  const shoffRaw = r.u64(40, "e_shoff");
  const flags = r.u32(48, "e_flags");
  const ehsize = r.u16(52, "e_ehsize");
  const phentsize = r.u16(54, "e_phentsize");
  let phnum = r.u16(56, "e_phnum");
  const shentsize = r.u16(58, "e_shentsize");
  let shnum = r.u16(60, "e_shnum");
  let shstrndx = r.u16(62, "e_shstrndx");
  if (ehsize < EHDR_SIZE) throw new ElfError(`invalid e_ehsize ${ehsize} (an ELF64 header is ${EHDR_SIZE} bytes)`);

  // Section header table (needed first: extended numbering keeps counts in section 0).
  let shoff = 0;
  if (shoffRaw !== 0n) {
    shoff = filePos(shoffRaw, "section header table offset e_shoff", len);
    if (shentsize < SHDR_SIZE) {
      throw new ElfError(`invalid e_shentsize ${shentsize} (an ELF64 section header is ${SHDR_SIZE} bytes)`);
    }
    if (shoff + SHDR_SIZE > len) throw new ElfError(`section header table at ${hex(shoff)} is out of the file (${len} bytes)`);
    if (shnum === 0) {
      const big = r.u64(shoff + 32, "section 0 sh_size");
      shnum = filePos(big, "extended section count (section 0 sh_size)", len);
    }
    if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + 40, "section 0 sh_link");
    if (phnum === PN_XNUM) phnum = r.u32(shoff + 44, "section 0 sh_info");
    if (shoff + shnum * shentsize > len) {
      throw new ElfError(`section header table (${shnum} × ${shentsize} bytes at ${hex(shoff)}) is out of the file (${len} bytes)`);
    }
  } else if (phnum === PN_XNUM) {
    throw new ElfError("e_phnum is PN_XNUM (extended numbering) but there is no section header 0 to hold the count");
  }
  // Section names are not needed (symbol tables are found by type), but the index must be sane.
  if (shstrndx !== 0 && shstrndx >= shnum) {
    throw new ElfError(`section name table index e_shstrndx ${shstrndx} does not exist (${shnum} sections)`);
  }

  // Program headers.
  if (phnum === 0) throw new ElfError("no program headers: nothing to load");
  if (phentsize < PHDR_SIZE) {
    throw new ElfError(`invalid e_phentsize ${phentsize} (an ELF64 program header is ${PHDR_SIZE} bytes)`);
  }
  if (phoffRaw === 0n) throw new ElfError(`e_phoff is 0 but e_phnum is ${phnum}: no program header table`);
  const phoff = filePos(phoffRaw, "program header table offset e_phoff", len);
  if (phoff + phnum * phentsize > len) {
    throw new ElfError(`program headers (${phnum} × ${phentsize} bytes at ${hex(phoffRaw)}) are out of the file (${len} bytes)`);
  }

  const segments: ElfSegment[] = [];
  let interp: string | undefined;
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * phentsize;
    const ptype = r.u32(p, "p_type");
    if (ptype === PT_INTERP) {
      const off = r.u64(p + 8, "p_offset"), size = r.u64(p + 32, "p_filesz");
      if (off + size > BigInt(len)) throw new ElfError(`program header ${i} (PT_INTERP): interpreter path is out of the file`);
      const raw = bytes.subarray(Number(off), Number(off + size));
      const nul = raw.indexOf(0);
      interp = new TextDecoder().decode(nul >= 0 ? raw.subarray(0, nul) : raw);
      continue;
    }
    if (ptype !== PT_LOAD) continue;
    const pflags = r.u32(p + 4, "p_flags");
    const offset = r.u64(p + 8, "p_offset");
    const vaddr = r.u64(p + 16, "p_vaddr");
    const paddr = r.u64(p + 24, "p_paddr");
    const filesz = r.u64(p + 32, "p_filesz");
    const memsz = r.u64(p + 40, "p_memsz");
    const align = r.u64(p + 48, "p_align");
    const what = `segment ${i} (PT_LOAD at ${hex(paddr)})`;
    if (filesz > memsz) throw new ElfError(`${what}: p_filesz ${hex(filesz)} is larger than p_memsz ${hex(memsz)}`);
    if (offset + filesz > BigInt(len)) {
      throw new ElfError(`${what}: segment data (${hex(filesz)} bytes at file offset ${hex(offset)}) is out of the file (${len} bytes)`);
    }
    if (paddr + memsz > U64_LIMIT) throw new ElfError(`${what}: p_paddr + p_memsz wraps around the 64-bit address space`);
    if (vaddr + memsz > U64_LIMIT) throw new ElfError(`${what}: p_vaddr + p_memsz wraps around the 64-bit address space`);
    segments.push({ index: i, paddr, vaddr, offset: Number(offset), filesz: Number(filesz), memsz, flags: pflags, align });
  }

  // Loadable segments must not overlap where they are loaded (physical addresses). Sorted, so
  // a hostile file with thousands of segments costs O(n log n), not O(n²).
  const sized = segments.filter((s) => s.memsz > 0n).sort((a, b) => (a.paddr < b.paddr ? -1 : a.paddr > b.paddr ? 1 : 0));
  for (let k = 1; k < sized.length; k++) {
    const s = sized[k - 1], t = sized[k];
    if (t.paddr < s.paddr + s.memsz) {
      const [x, y] = s.index < t.index ? [s, t] : [t, s];
      throw new ElfError(`segments ${x.index} and ${y.index} overlap in physical memory ` +
        `([${hex(x.paddr)}, ${hex(x.paddr + x.memsz)}) and [${hex(y.paddr)}, ${hex(y.paddr + y.memsz)}))`);
    }
  }

  const symbols = shoff !== 0 ? readSymbols(r, shoff, shnum, shentsize) : new Map<string, bigint>();
  return { type, flags, entry, segments, interp, phoff, phentsize, phnum, symbols };
}

interface Section { index: number; type: number; offset: number; size: number; link: number; entsize: number }

function section(r: Reader, shoff: number, shentsize: number, index: number): Section {
  const s = shoff + index * shentsize;
  const type = r.u32(s + 4, "sh_type");
  const offsetRaw = r.u64(s + 24, "sh_offset");
  const sizeRaw = r.u64(s + 32, "sh_size");
  const link = r.u32(s + 40, "sh_link");
  const entsizeRaw = r.u64(s + 56, "sh_entsize");
  if (type === SHT_NOBITS || type === SHT_NULL) return { index, type, offset: 0, size: 0, link, entsize: 0 };
  if (offsetRaw + sizeRaw > BigInt(r.length)) {
    throw new ElfError(`section ${index}: contents (${hex(sizeRaw)} bytes at file offset ${hex(offsetRaw)}) are out of the file (${r.length} bytes)`);
  }
  return { index, type, offset: Number(offsetRaw), size: Number(sizeRaw), link, entsize: Number(entsizeRaw) };
}

function readSymbols(r: Reader, shoff: number, shnum: number, shentsize: number): Map<string, bigint> {
  const symbols = new Map<string, bigint>();
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) sections.push(section(r, shoff, shentsize, i));
  let tables = sections.filter((s) => s.type === SHT_SYMTAB);
  if (tables.length === 0) tables = sections.filter((s) => s.type === SHT_DYNSYM);
  const decoder = new TextDecoder();
  const isGlobal = new Set<string>();
  for (const tab of tables) {
    const kind = tab.type === SHT_SYMTAB ? "symbol table" : "dynamic symbol table";
    if (tab.entsize < SYM_SIZE) throw new ElfError(`section ${tab.index} (${kind}): invalid sh_entsize ${tab.entsize} (a symbol is ${SYM_SIZE} bytes)`);
    if (tab.link === 0 || tab.link >= shnum) throw new ElfError(`section ${tab.index} (${kind}): string table index ${tab.link} does not exist`);
    const str = sections[tab.link];
    if (str.type !== SHT_STRTAB) throw new ElfError(`section ${tab.index} (${kind}): linked section ${tab.link} is not a string table`);
    const count = Math.floor(tab.size / tab.entsize);
    const strBytes = r.bytes.subarray(str.offset, str.offset + str.size);
    for (let k = 1; k < count; k++) { // symbol 0 is the reserved null symbol
      const e = tab.offset + k * tab.entsize;
      const nameOff = r.u32(e, "st_name");
      const info = r.u8(e + 4, "st_info");
      const shndx = r.u16(e + 6, "st_shndx");
      const value = r.u64(e + 8, "st_value");
      const stType = info & 15;
      const bind = info >> 4;
      if (nameOff === 0 || shndx === SHN_UNDEF || stType === STT_SECTION || stType === STT_FILE) continue;
      if (shndx >= SHN_LORESERVE && shndx !== SHN_ABS && shndx !== SHN_XINDEX) continue; // e.g. SHN_COMMON
      if (nameOff >= str.size) {
        throw new ElfError(`section ${tab.index} (${kind}): symbol ${k} name offset ${nameOff} is outside its string table (${str.size} bytes)`);
      }
      const end = strBytes.indexOf(0, nameOff);
      if (end < 0) throw new ElfError(`section ${tab.index} (${kind}): symbol ${k} name is not NUL-terminated`);
      const name = decoder.decode(strBytes.subarray(nameOff, end));
      const global = bind !== STB_LOCAL;
      if (!symbols.has(name) || (global && !isGlobal.has(name))) {
        symbols.set(name, value);
        if (global) isGlobal.add(name);
      }
    }
  }
  return symbols;
}
