// Loading a static RV64 Linux program into a fresh address space: its PT_LOAD segments at their
// virtual addresses (a static-PIE at LOAD_BASE), a stack with argc, argv, envp and the
// auxiliary vector as the kernel lays them out (the RISC-V psABI's process initialisation:
// sp 16-byte aligned at argc), and the break after the last segment.
import { ElfError, ET_DYN, ET_EXEC, PF_R, PF_W, PF_X, parseElf } from "../machine/elf.js";
import { AddressSpace, PAGE, PROT_EXEC, PROT_READ, PROT_WRITE, USER_TOP } from "./address-space.js";
import { AT, S_IFMT, S_IFREG } from "./linux-abi.js";
import { FsError, fileBytes, resolve, type Tree } from "./vfs.js";

/** Where a static-PIE (ET_DYN without an interpreter) is loaded. */
export const LOAD_BASE = 0x10_0000_0000;
/** The top of the stack and its size. */
export const STACK_TOP = USER_TOP - PAGE;
export const STACK_SIZE = 1 << 20;

export class ExecError extends Error {}

/** Where a bare program name is looked up (a container's PATH by default). */
export const DEFAULT_PATH = ["/bin", "/usr/bin", "/sbin", "/usr/sbin"];

/**
 * The program a container's first process runs: `name` as a path inside the root (whatever its
 * `..` and symbolic links say, it stays inside), or a bare name looked up in DEFAULT_PATH.
 * Throws ExecError saying why there is none.
 */
export function findProgram(tree: Tree, name: string): Uint8Array {
  const candidates = name.includes("/") ? [name] : DEFAULT_PATH.map((d) => `${d}/${name}`);
  for (const c of candidates) {
    let file: string;
    try {
      file = resolve(tree, c, "/");
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      if (candidates.length === 1) throw new ExecError(`${e.message} in the container root`);
      continue;
    }
    const st = tree.stat(file);
    if (st && (st.mode & S_IFMT) === S_IFREG) return fileBytes(tree, file, st.size);
  }
  throw new ExecError("not found in the container root");
}

export interface Loaded {
  entry: number;
  sp: number;
  /** The first byte after the program: where brk starts. */
  brk: number;
}

const up = (v: number) => Math.ceil(v / PAGE) * PAGE;
const down = (v: number) => Math.floor(v / PAGE) * PAGE;

/** The program `image` is: a static RISC-V executable whose segments fit in user memory; else throws ExecError. */
export function checkProgram(image: Uint8Array): ReturnType<typeof parseElf> {
  let elf;
  try {
    elf = parseElf(image);
  } catch (e) {
    throw new ExecError(e instanceof ElfError ? `not a RISC-V ELF program: ${e.message}` : String(e));
  }
  if (elf.type !== ET_EXEC && elf.type !== ET_DYN) throw new ExecError("not an executable");
  if (elf.interp !== undefined) throw new ExecError(`a dynamically linked program (interpreter ${elf.interp}): only static programs run`);
  const base = elf.type === ET_DYN ? LOAD_BASE : 0;
  for (const s of elf.segments) {
    const va = base + Number(s.vaddr), memsz = Number(s.memsz);
    if (s.memsz !== 0n && (va < PAGE || va + memsz > STACK_TOP - STACK_SIZE)) throw new ExecError(`segment ${s.index} at 0x${va.toString(16)} is outside user memory`);
  }
  return elf;
}

/** Loads `image` into `as` and builds its initial stack. */
export function loadProgram(as: AddressSpace, image: Uint8Array, argv: string[], env: string[], random: Uint8Array): Loaded {
  const elf = checkProgram(image);
  const base = elf.type === ET_DYN ? LOAD_BASE : 0;
  let end = 0;
  let phdr = 0;
  // Every page a segment covers, with the union of the protections of the segments on it.
  const prot = new Map<number, number>();
  for (const s of elf.segments) {
    if (s.memsz === 0n) continue;
    const va = base + Number(s.vaddr), memsz = Number(s.memsz);
    const p = (s.flags & PF_R ? PROT_READ : 0) | (s.flags & PF_W ? PROT_WRITE : 0) | (s.flags & PF_X ? PROT_EXEC : 0);
    for (let v = down(va); v < va + memsz; v += PAGE) prot.set(v, (prot.get(v) ?? 0) | p);
    end = Math.max(end, va + memsz);
    if (elf.phoff >= s.offset && elf.phoff < s.offset + s.filesz) phdr = va + (elf.phoff - s.offset);
  }
  const contents = pageContents(image, elf, base);
  // Whole runs of pages with the same protection at a time (each map flushes the TLBs once).
  const pages = [...prot.keys()].sort((x, y) => x - y);
  // Its read-only pages are the same in every process that runs this image: shared (by the
  // image's identity: an in-memory root hands every process the same bytes, Tree.view).
  const key = imageKey(image);
  for (const [v, n] of runs(pages, (x) => prot.get(x)!)) as.mapContents(v, n * PAGE, prot.get(v)!, contents, key);

  as.map(STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE, true); // demand-paged
  const sp = buildStack(as, argv, env, random, [
    [AT.PHDR, phdr], [AT.PHENT, elf.phentsize], [AT.PHNUM, elf.phnum], [AT.PAGESZ, PAGE], [AT.BASE, 0],
    [AT.FLAGS, 0], [AT.ENTRY, base + Number(elf.entry)], [AT.UID, 0], [AT.EUID, 0], [AT.GID, 0], [AT.EGID, 0],
    [AT.HWCAP, hwcap("imafdc")], [AT.CLKTCK, 100], [AT.SECURE, 0],
  ]);
  return { entry: base + Number(elf.entry), sp, brk: up(end) };
}

// The pages of an image's segments, worked out once per image: every process that runs it shares them.
const imagePages = new WeakMap<Uint8Array, Map<number, Uint8Array>>();

/**
 * The bytes each page of `image`'s segments starts with (page address -> bytes; the rest of the
 * page zero). The segments' pages are demand-paged: each is read in from these at its first
 * touch (a shell touches a fraction of a static busybox). A page that lies wholly within one
 * segment's file bytes is a view of the image; one the file bytes cover in part (or two
 * segments share) gets its own copy.
 */
function pageContents(image: Uint8Array, elf: ReturnType<typeof parseElf>, base: number): Map<number, Uint8Array> {
  const known = imagePages.get(image);
  if (known) return known;
  const contents = new Map<number, Uint8Array>();
  for (const s of elf.segments) {
    if (s.filesz === 0 || s.memsz === 0n) continue;
    const va = base + Number(s.vaddr), filesz = Math.min(Number(s.filesz), Number(s.memsz));
    for (let v = down(va); v < va + filesz; v += PAGE) {
      const from = Math.max(v, va), to = Math.min(v + PAGE, va + filesz);
      const bytes = image.subarray(s.offset + (from - va), s.offset + (to - va));
      if (from === v && to === v + PAGE && !contents.has(v)) { contents.set(v, bytes); continue; }
      let page = contents.get(v);
      if (!page || page.length < PAGE || page.buffer === image.buffer) {
        const own = new Uint8Array(PAGE);
        if (page) own.set(page);
        contents.set(v, page = own);
      }
      page.set(bytes, from - v);
    }
  }
  imagePages.set(image, contents);
  return contents;
}

const imageKeys = new WeakMap<Uint8Array, number>();
let nextImageKey = 1;
/** A number naming the program image `image` (the same object: the same bytes) for as long as it lives. */
function imageKey(image: Uint8Array): number {
  let k = imageKeys.get(image);
  if (k === undefined) { k = nextImageKey++; imageKeys.set(image, k); }
  return k;
}

/** Runs [first page, count] of consecutive pages (sorted) with the same key. */
function runs(pages: number[], key: (v: number) => number): [number, number][] {
  const out: [number, number][] = [];
  for (const v of pages) {
    const last = out[out.length - 1];
    if (last && last[0] + last[1] * PAGE === v && key(last[0]) === key(v)) last[1]++;
    else out.push([v, 1]);
  }
  return out;
}

/** AT_HWCAP: a bit per single-letter extension (bit 0 = 'a'). */
function hwcap(letters: string): number {
  let v = 0;
  for (const c of letters) v |= 1 << (c.charCodeAt(0) - 97);
  return v;
}

/** The initial stack: strings and AT_RANDOM's bytes at the top, then the vectors; returns sp. */
function buildStack(as: AddressSpace, argv: string[], env: string[], random: Uint8Array, aux: [number, number][]): number {
  const enc = new TextEncoder();
  let top = STACK_TOP;
  const put = (bytes: Uint8Array) => { top -= bytes.length; as.write(top, bytes); return top; };
  const execfn = put(enc.encode((argv[0] ?? "") + "\0"));
  const envp = env.map((s) => put(enc.encode(s + "\0")));
  const args = argv.map((s) => put(enc.encode(s + "\0")));
  top = Math.floor(top / 16) * 16;
  const rand = put(random.subarray(0, 16));
  const vec = [argv.length, ...args, 0, ...envp, 0, ...aux.flat(), AT.RANDOM, rand, AT.EXECFN, execfn, AT.NULL, 0];
  if (vec.length * 8 > STACK_SIZE / 2) throw new ExecError("arguments and environment too long");
  top = Math.floor((top - vec.length * 8) / 16) * 16;
  const words = new DataView(new ArrayBuffer(vec.length * 8));
  vec.forEach((w, i) => words.setBigUint64(i * 8, BigInt(w), true));
  as.write(top, new Uint8Array(words.buffer));
  return top;
}
