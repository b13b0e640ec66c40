// Zicbom and Zicboz (the CMO extensions, "Cache-Block Operations" chapter): CBO.INVAL/CLEAN/FLUSH
// and CBO.ZERO on 64-byte blocks. RAM is coherent with every agent (the hart and the host's
// devices share it), so the management operations only check that the access is allowed and
// order nothing; CBO.ZERO writes zeros. Zicbop's prefetches are ORI hints (decoded as NOPs).
import { S_MENVCFG, S_PRIV, S_SENVCFG } from "./layout";
import {
  ENVCFG_CBCFE, ENVCFG_CBIE, ENVCFG_CBZE, EXC_LOAD_ACCESS, EXC_LOAD_PAGE, EXC_STORE_ACCESS,
  EXC_STORE_PAGE, PRIV_M, PRIV_U,
} from "./state";
import * as mmu from "./mmu";
import { pmpAllows } from "./pmp";

/** The cache-block size (bytes) for management and zero operations: the device tree says so. */
export const CBO_BLOCK: u64 = 64;

export const CBO_INVAL: u32 = 0;
export const CBO_CLEAN: u32 = 1;
export const CBO_FLUSH: u32 = 2;
export const CBO_ZERO: u32 = 4;

/** Whether menvcfg (below M) and senvcfg (in U) enable the operation (CMO "CSR state"). */
function enabled(op: u32): bool {
  const p = load<u64>(S_PRIV);
  if (p == PRIV_M) return true;
  const bit: u64 = op == CBO_ZERO ? ENVCFG_CBZE : op == CBO_INVAL ? ENVCFG_CBIE : ENVCFG_CBCFE;
  if ((load<u64>(S_MENVCFG) & bit) == 0) return false;
  return p != PRIV_U || (load<u64>(S_SENVCFG) & bit) != 0;
}

/**
 * Executes CBO operation `op` on the block holding `va` (the value of rs1). Returns false if
 * the instruction is illegal at this privilege; a fault is left in mmu.excCause with tval = va.
 * Management operations need a load or a store to be allowed and fault as stores; CBO.ZERO is a
 * 64-byte store (A and D set). No address-misaligned exceptions: the block is aligned down.
 */
export function execCbo(op: u32, va: u64): bool {
  if (!enabled(op)) return false;
  const p = mmu.dataPriv();
  if (op == CBO_ZERO) {
    const pa = mmu.translate(va, mmu.ACC_STORE, p, true);
    if (mmu.excCause >= 0) return true;
    const block = pa & ~(CBO_BLOCK - 1);
    const h = mmu.ramHost(block, CBO_BLOCK);
    // Only RAM supports cache-block zero accesses (device regions do not: a store access fault).
    if (h == 0 || !pmpAllows(block, CBO_BLOCK, 2, p)) return storeFault(EXC_STORE_ACCESS, va);
    memory.fill(h, 0, <usize>CBO_BLOCK);
    mmu.noteRamStore(h, <u32>CBO_BLOCK); // dirty-page log, decoded code in the block dropped
    return true;
  }
  // A load permission check sets A (not D) as the spec allows; its faults are reported as stores.
  const pa = mmu.translate(va, mmu.ACC_LOAD, p, true);
  if (mmu.excCause == <i64>EXC_LOAD_PAGE) return storeFault(EXC_STORE_PAGE, va);
  if (mmu.excCause == <i64>EXC_LOAD_ACCESS) return storeFault(EXC_STORE_ACCESS, va);
  const block = pa & ~(CBO_BLOCK - 1);
  if (!pmpAllows(block, CBO_BLOCK, 1, p) && !pmpAllows(block, CBO_BLOCK, 2, p)) {
    return storeFault(EXC_STORE_ACCESS, va);
  }
  return true;
}

function storeFault(cause: u64, va: u64): bool {
  mmu.excCause = <i64>cause;
  mmu.excTval = va;
  return true;
}
