/*
 * Sv39 paging (privileged spec 4.3, 4.4): 4 KiB pages, 2 MiB and 1 GiB superpages,
 * misaligned superpages, hardware A/D updates, page faults with cause 12/13/15 and
 * stval/mtval, U-bit and SUM, MXR, non-canonical addresses, MPRV, SFENCE.VMA, a fetch fault
 * in the second half of a page-crossing instruction. See paging_common.inc.
 */
#define LEVELS 3
#define SATP_MODE SATP_SV39
#define NONCANON 0x0000004000000000   /* bit 38 set, bits 63:39 clear */

#include "paging_common.inc"
