// A container process's address space: pages of a hart's RAM (shared with the processes of
// other containers, HartMemory) handed out page by page, and the Sv39 page tables (privileged
// spec 4.4) that the host builds and edits for it; the hart walks them in U-mode, so a process
// reaches only its own pages and the read-only program pages it shares. The host keeps its own map of the mappings (virtual page -> physical page and
// protection), so system calls copy to and from user memory without walking tables. Anonymous
// memory (the stack, the break, mmap) is demand-paged: a mapping reserves its pages, and a page
// gets a physical page and a PTE when the program first touches it (the page fault comes to the
// host, which maps it and lets the instruction run again).
import { DRAM_BASE, type Hart } from "../core/hart.js";

export const PAGE = 4096;
export const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;

const PTE_V = 1n, PTE_R = 2n, PTE_W = 4n, PTE_X = 8n, PTE_U = 16n, PTE_A = 64n, PTE_D = 128n;
/** User addresses are below 2^38: the lower half of Sv39 (bit 38 clear, sign-extended). */
export const USER_TOP = 2 ** 38;
const SATP_SV39 = 8n << 60n;

const ZERO_PAGE = new Uint8Array(PAGE);

export class OutOfMemory extends Error {}

/**
 * The pages an address space, or the address spaces of one container, may hold (a process's
 * memory size, a container's memory limit): each page one of them maps counts until it is
 * given back or its address space is released, a shared program page too (in every one that
 * maps it: the count never falls short of the RAM they use).
 */
export class MemoryBudget {
  used = 0;
  constructor(readonly limit: number = Infinity) {}
}

/**
 * The RAM of one hart, shared by the address spaces of many processes, of many containers
 * (each walks its own page tables in U-mode, so none reaches another's pages): pages handed out
 * and given back (zeroed again before they are handed out anew), and the read-only pages of the
 * programs they run, one physical page for every process that maps the same page of the same
 * program image. The core decodes (and compiles) code by physical address, so those processes
 * share the decoded code too.
 */
export class HartMemory {
  private next = DRAM_BASE;
  private readonly end: number;
  private readonly free: number[] = [];
  private readonly shared = new Map<string, number>(); // program page key -> physical page
  // Pages with more than one mapping (program pages, and a fork's copy-on-write pages) or a key:
  // their mappings. A page not here has one.
  private readonly sharedRefs = new Map<number, { key?: string; refs: number }>();
  /** Pages the containers on this hart may use in all (their memory limits): never more than its RAM. */
  private reservedPages = 0;

  constructor(readonly hart: Hart) { this.end = DRAM_BASE + hart.memSize; }

  /** Pages of RAM no container has reserved. */
  get unreserved(): number { return this.hart.memSize / PAGE - this.reservedPages; }

  /**
   * Sets aside `pages` for a container (its memory limit), so that what the containers on the
   * hart may use together fits in its RAM: none can take pages another may need. False if it
   * does not fit.
   */
  reserve(pages: number): boolean {
    if (pages > this.unreserved) return false;
    this.reservedPages += pages;
    return true;
  }

  unreserve(pages: number): void { this.reservedPages -= pages; }

  /** Pages handed out now. */
  get usedPages(): number { return this.hart.memSize / PAGE - this.freePages; }

  /** Pages not handed out. */
  get freePages(): number { return (this.end - this.next) / PAGE + this.free.length; }

  /** Pages shared now (program pages, copy-on-write pages), and the mappings of them beyond the first (the pages sharing saves). */
  get sharing(): { pages: number; saved: number } {
    let saved = 0, pages = 0;
    for (const s of this.sharedRefs.values()) if (s.refs > 1 || s.key !== undefined) { pages++; saved += s.refs - 1; }
    return { pages, saved };
  }

  /** Mappings of page `pa`. */
  refs(pa: number): number { return this.sharedRefs.get(pa)?.refs ?? 1; }

  /** A zeroed page; throws OutOfMemory when the hart's RAM is all handed out. */
  alloc(): number {
    const pa = this.free.pop();
    if (pa !== undefined) {
      this.hart.writePhys(pa, ZERO_PAGE); // a page given back: zeroed (and its decoded code dropped)
      return pa;
    }
    if (this.next >= this.end) throw new OutOfMemory("out of memory");
    this.next += PAGE;
    return this.next - PAGE; // never used since the hart's RAM was created: zero already
  }

  /** The shared page `key` names (a program image's page), made from `bytes` if there is none. */
  share(key: string, bytes: Uint8Array): number {
    const pa = this.shared.get(key);
    if (pa !== undefined) { this.sharedRefs.get(pa)!.refs++; return pa; }
    const page = this.alloc();
    this.hart.writePhys(page, bytes);
    this.shared.set(key, page);
    this.sharedRefs.set(page, { key, refs: 1 });
    return page;
  }

  /** One more mapping of page `pa` (a fork). */
  retain(pa: number): void {
    const s = this.sharedRefs.get(pa);
    if (s) s.refs++; else this.sharedRefs.set(pa, { refs: 2 });
  }

  /** Gives back a mapping of a page: the page goes with its last one. */
  release(pa: number): void {
    const s = this.sharedRefs.get(pa);
    if (s) {
      if (--s.refs > 0) { if (s.refs === 1 && s.key === undefined) this.sharedRefs.delete(pa); return; }
      this.sharedRefs.delete(pa);
      if (s.key !== undefined) this.shared.delete(s.key);
    }
    this.free.push(pa);
  }
}

/** A user address that is not mapped (or not with the access asked for): -EFAULT. */
export class BadAddress extends Error {}

/**
 * pa 0: reserved, not backed yet (no PTE; the first touch backs it), with `src` (a program's
 * bytes for the page, the rest zero) or zeroed; a page with `image` is a read-only page of that
 * program image, backed by the hart's shared page of it (`shared` once it is). `cow`: a fork
 * shares the page with another address space until one of them writes it (its PTE has no W
 * meanwhile; the write faults, and the writer gets a copy of its own).
 */
interface Mapping { pa: number; prot: number; src?: Uint8Array; image?: number; shared?: boolean; cow?: boolean }

export class AddressSpace {
  private readonly root: number;
  private readonly tables: number[] = [];
  private readonly pages = new Map<number, Mapping>(); // virtual page number -> mapping
  private released = false;
  private charged = 0; // pages mapped (shared ones too) and tables: what the budgets count
  private readonly hart: Hart;

  /** An address space in `mem`, its private pages counted against each of `budgets`. */
  constructor(private readonly mem: HartMemory, private readonly budgets: MemoryBudget[] = []) {
    this.hart = mem.hart;
    this.root = this.allocPage();
    this.tables.push(this.root);
  }

  /**
   * A copy of this address space in the same RAM (fork): its pages mapped again, the writable
   * ones copy-on-write in both, its reserved pages reserved (with their contents to come).
   * `budgets`: the child's (each page counts in both). Throws OutOfMemory, taking nothing, if a
   * budget cannot hold the copy.
   */
  fork(budgets: MemoryBudget[]): AddressSpace {
    const need = this.charged;
    for (const b of budgets) if (b.used + need > b.limit) throw new OutOfMemory("the container's memory limit");
    if (need > this.mem.freePages) throw new OutOfMemory("out of memory");
    const copy = new AddressSpace(this.mem, budgets);
    try {
      for (const [vpn, m] of this.pages) {
        const c: Mapping = { ...m, pa: 0 };
        if (m.pa !== 0) {
          copy.charge();
          this.mem.retain(m.pa);
          c.pa = m.pa;
          if (!m.shared && (m.prot & PROT_WRITE)) {
            c.cow = true;
            if (!m.cow) { m.cow = true; this.writePte(vpn * PAGE, m); } // the parent's PTE loses W too
          }
        }
        copy.pages.set(vpn, c);
        if (c.pa !== 0) copy.writePte(vpn * PAGE, c);
      }
    } catch (e) { // (the RAM ran out midway): what the copy took goes back
      copy.release();
      throw e;
    }
    this.hart.flushTlb(); // the parent's store TLB entries for its pages that are copy-on-write now
    return copy;
  }

  /** satp for this address space (ASID 0: a switch between address spaces flushes the TLBs). */
  get satp(): bigint { return SATP_SV39 | BigInt(this.root / PAGE); }

  /** Physical pages still free in the RAM. */
  get freePages(): number { return this.mem.freePages; }

  /** Counts one more page against the budgets; throws OutOfMemory if one is full. */
  private charge(): void {
    for (const b of this.budgets) if (b.used >= b.limit) throw new OutOfMemory("the container's memory limit");
    for (const b of this.budgets) b.used++;
    this.charged++;
  }

  private uncharge(): void {
    for (const b of this.budgets) b.used--;
    this.charged--;
  }

  private allocPage(): number {
    this.charge();
    try {
      return this.mem.alloc();
    } catch (e) {
      this.uncharge();
      throw e;
    }
  }

  /** Gives back the page of mapping `m`. */
  private freePage(m: Mapping): void {
    this.mem.release(m.pa);
    this.uncharge();
  }

  /** The address space is gone (its process ended or exec'd): its pages and tables are given back. */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const m of this.pages.values()) if (m.pa !== 0) this.freePage(m);
    this.pages.clear();
    for (const t of this.tables) { this.mem.release(t); this.uncharge(); }
  }

  /** The leaf PTE's physical address for `va`, creating the tables on the way if `create`. */
  private leafSlot(va: number, create: boolean): number | undefined {
    let table = this.root;
    for (let level = 2; level > 0; level--) {
      const slot = table + Math.floor(va / 2 ** (12 + 9 * level)) % 512 * 8;
      const pte = this.hart.readPhys64(slot);
      if ((pte & PTE_V) === 0n) {
        if (!create) return undefined;
        const t = this.allocPage();
        this.tables.push(t);
        this.hart.writePhys64(slot, (BigInt(t / PAGE) << 10n) | PTE_V);
        table = t;
      } else table = Number(pte >> 10n) * PAGE;
    }
    return table + Math.floor(va / PAGE) % 512 * 8;
  }

  private writePte(va: number, m: Mapping | undefined): void {
    const slot = this.leafSlot(va, m !== undefined);
    if (slot === undefined) return;
    let pte = 0n;
    if (m) {
      pte = (BigInt(m.pa / PAGE) << 10n) | PTE_V | PTE_U | PTE_A | PTE_D;
      if (m.prot & PROT_READ) pte |= PTE_R;
      if (m.prot & PROT_WRITE) pte |= (m.cow ? 0n : PTE_W) | PTE_R; // W without R is reserved
      if (m.prot & PROT_EXEC) pte |= PTE_X;
      if ((m.prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) === 0) pte = 0n; // PROT_NONE: absent
    }
    this.hart.writePhys64(slot, pte);
  }

  /** Whether any page of [va, va + len) is mapped. */
  anyMapped(va: number, len: number): boolean {
    for (let p = Math.floor(va / PAGE); p * PAGE < va + len; p++) if (this.pages.has(p)) return true;
    return false;
  }

  /** Whether every page of [va, va + len) is mapped. */
  allMapped(va: number, len: number): boolean {
    for (let p = Math.floor(va / PAGE); p * PAGE < va + len; p++) if (!this.pages.has(p)) return false;
    return true;
  }

  /** The protection of the page holding `va` (0 if unmapped). */
  protection(va: number): number { return this.pages.get(Math.floor(va / PAGE))?.prot ?? 0; }

  /** Moves the pages of [from, from + len) to `to` (mapped there already): the frames, not copies. */
  move(from: number, to: number, len: number): void {
    for (let off = 0; off < len; off += PAGE) {
      const m = this.pages.get((from + off) / PAGE)!;
      this.unmapPage(to + off);
      this.pages.delete((from + off) / PAGE);
      if (m.pa !== 0) this.writePte(from + off, undefined);
      this.pages.set((to + off) / PAGE, m);
      if (m.pa !== 0) this.writePte(to + off, m);
    }
    this.hart.flushTlb();
  }

  /**
   * Maps zeroed pages over [va, va + len) (page-aligned), replacing what was there: backed now,
   * or with `lazy` on their first touch (see fault).
   */
  map(va: number, len: number, prot: number, lazy = false): void {
    if (va % PAGE !== 0 || len <= 0 || va + len > USER_TOP) throw new BadAddress(`map ${va.toString(16)}+${len}`);
    if (!lazy && (len / PAGE > this.freePages || this.budgets.some((b) => b.used + len / PAGE > b.limit))) throw new OutOfMemory("out of memory");
    for (let v = va; v < va + len; v += PAGE) {
      this.unmapPage(v);
      const m = { pa: lazy ? 0 : this.allocPage(), prot };
      this.pages.set(v / PAGE, m);
      if (!lazy) this.writePte(v, m);
    }
    this.hart.flushTlb();
  }

  /**
   * Maps pages whose first touch gives them `contents` (a page-aligned address to its bytes,
   * at most a page; the rest of the page, and pages not in it, zero): a program's segments,
   * read in as they are used rather than copied whole at exec. With `image` (a number naming a
   * program image), the pages no one may write are shared with every process that maps the
   * same page of that image.
   */
  mapContents(va: number, len: number, prot: number, contents: Map<number, Uint8Array>, image?: number): void {
    this.map(va, len, prot, true);
    for (let v = va; v < va + len; v += PAGE) {
      const src = contents.get(v);
      if (!src) continue;
      const m = this.pages.get(v / PAGE)!;
      m.src = src;
      // A page no one may write is the same for every process that maps it: shared.
      if (image !== undefined && (prot & PROT_WRITE) === 0) m.image = image;
    }
  }

  /**
   * A page fault at `va` for an access needing `prot`: backs the page if it is reserved and
   * allows the access (true: run the instruction again), else false (a real fault).
   */
  fault(va: number, prot: number): boolean {
    const m = Number.isSafeInteger(va) ? this.pages.get(Math.floor(va / PAGE)) : undefined;
    if (!m || (m.prot & prot) !== prot) return false;
    const v = Math.floor(va / PAGE) * PAGE;
    if (m.pa === 0) { this.back(v, m); return true; }
    if (m.cow && (prot & PROT_WRITE)) { this.unshare(v, m); return true; }
    return false;
  }

  /** A copy-on-write page about to be written: a copy of its own if another still maps it, else it is just writable again. */
  private unshare(v: number, m: Mapping): void {
    if (this.mem.refs(m.pa) > 1) {
      const old = m.pa;
      const pa = this.mem.alloc(); // (its count stays: one page for another)
      this.hart.writePhys(pa, this.hart.readPhys(old, PAGE));
      this.mem.release(old);
      m.pa = pa;
    }
    m.cow = false;
    this.writePte(v, m);
    this.hart.flushTlb(); // the load TLB may hold the page it had
  }

  private back(v: number, m: Mapping): void {
    if (m.image !== undefined) {
      this.charge();
      try { m.pa = this.mem.share(`${m.image}:${v}`, m.src!); } catch (e) { this.uncharge(); throw e; }
      m.shared = true;
    } else {
      m.pa = this.allocPage();
      if (m.src) this.hart.writePhys(m.pa, m.src);
    }
    m.src = undefined;
    this.writePte(v, m);
  }

  /** A shared page about to be written (mprotect made it writable, or the host writes it): a private copy first. */
  private own(v: number, m: Mapping): void {
    if (!m.shared) {
      m.image = undefined; // (a reserved one backs privately when touched)
      if (m.pa !== 0 && this.mem.refs(m.pa) > 1) m.cow = true; // one a fork shares read-only: copied at its first write
      return;
    }
    const pa = this.allocPage();
    this.hart.writePhys(pa, this.hart.readPhys(m.pa, PAGE));
    this.freePage(m);
    m.pa = pa;
    m.shared = false;
    m.image = undefined;
    this.writePte(v, m);
  }

  /** Pages backed by guest RAM (its program's shared pages and its page tables included). */
  get residentPages(): number { return this.charged; }

  private unmapPage(v: number): void {
    const m = this.pages.get(v / PAGE);
    if (!m) return;
    this.pages.delete(v / PAGE);
    if (m.pa === 0) return;
    this.writePte(v, undefined);
    this.freePage(m);
  }

  /** Unmaps [va, va + len); pages not mapped are skipped. */
  unmap(va: number, len: number): void {
    for (let v = va; v < va + len; v += PAGE) this.unmapPage(v);
    this.hart.flushTlb();
  }

  /** Changes the protection of the mapped pages of [va, va + len); false if one is not mapped. */
  protect(va: number, len: number, prot: number): boolean {
    for (let v = va; v < va + len; v += PAGE) if (!this.pages.has(v / PAGE)) return false;
    for (let v = va; v < va + len; v += PAGE) {
      const m = this.pages.get(v / PAGE)!;
      if (prot & PROT_WRITE) this.own(v, m);
      m.prot = prot;
      if (m.pa !== 0) this.writePte(v, m);
    }
    this.hart.flushTlb();
    return true;
  }

  /** The physical address of user address `va`, checked for `prot` access. */
  private phys(va: number, prot: number): number {
    const m = Number.isSafeInteger(va) ? this.pages.get(Math.floor(va / PAGE)) : undefined;
    if (!m || (m.prot & prot) !== prot) throw new BadAddress(`user address 0x${va.toString(16)}`);
    if (m.pa === 0) this.back(Math.floor(va / PAGE) * PAGE, m); // the kernel's touch backs it too
    else if (m.cow && (prot & PROT_WRITE)) this.unshare(Math.floor(va / PAGE) * PAGE, m);
    return m.pa + (va % PAGE);
  }

  /** Copies `len` bytes of user memory at `va` (as the program would read them). */
  read(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let done = 0; done < len;) {
      const n = Math.min(len - done, PAGE - ((va + done) % PAGE));
      out.set(this.hart.readPhys(this.phys(va + done, PROT_READ), n), done);
      done += n;
    }
    return out;
  }

  /** Writes `bytes` to user memory at `va`; with `force`, also where the program may not write. */
  write(va: number, bytes: Uint8Array, force = false): void {
    for (let done = 0; done < bytes.length;) {
      const n = Math.min(bytes.length - done, PAGE - ((va + done) % PAGE));
      const v = Math.floor((va + done) / PAGE) * PAGE, m = this.pages.get(v / PAGE);
      if (force && m) { this.own(v, m); if (m.cow) this.unshare(v, m); } // (the host writing a page the program may not: never a shared one)
      const pa = force ? this.phys(va + done, 0) : this.phys(va + done, PROT_WRITE);
      this.hart.writePhys(pa, bytes.subarray(done, done + n)); // drops decoded code there
      done += n;
    }
  }

  readU64(va: number): bigint { return new DataView(this.read(va, 8).buffer).getBigUint64(0, true); }

  /** A NUL-terminated string at `va` (at most `max` bytes). */
  readString(va: number, max = 4096): string {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = this.read(va + i, 1)[0];
      if (b === 0) return new TextDecoder().decode(Uint8Array.from(bytes));
      bytes.push(b);
    }
    throw new BadAddress("string too long");
  }
}
