/*
 * Sv48 paging (privileged spec 4.3, 4.5): everything paging_sv39.S checks, with four levels,
 * plus 512 GiB leaves (aligned and misaligned) and 48-bit canonical addresses.
 * See paging_common.inc.
 */
#define LEVELS 4
#define SATP_MODE SATP_SV48
#define NONCANON 0x0000800000000000   /* bit 47 set, bits 63:48 clear */
#include "paging_common.inc"
