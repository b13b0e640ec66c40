// The SBI as the hypervisor implements it (RISC-V Supervisor Binary Interface 2.0): extension
// and function IDs, error codes, and the table of what is implemented. One definition: the
// hypercall handler, its statistics, the probe function and the tests all read this table.
// Browser-safe.

export const SBI_SPEC_VERSION = (2 << 24) | 0; // 2.0 (chapter 4: major in bits 30:24)
/** Implementation ID: not a registered one (chapter 4.9 lists them); "WV" for wasmvisor. */
export const SBI_IMPL_ID = 0x5756;
export const SBI_IMPL_VERSION = 1;

// Error codes (chapter 3, table 1).
export const SBI_SUCCESS = 0;
export const SBI_ERR_FAILED = -1;
export const SBI_ERR_NOT_SUPPORTED = -2;
export const SBI_ERR_INVALID_PARAM = -3;
export const SBI_ERR_DENIED = -4;
export const SBI_ERR_INVALID_ADDRESS = -5;
export const SBI_ERR_ALREADY_AVAILABLE = -6;
export const SBI_ERR_ALREADY_STARTED = -7;
export const SBI_ERR_ALREADY_STOPPED = -8;

// Extension IDs.
export const EID_LEGACY_SET_TIMER = 0x00;
export const EID_LEGACY_PUTCHAR = 0x01;
export const EID_LEGACY_GETCHAR = 0x02;
export const EID_LEGACY_SHUTDOWN = 0x08;
export const EID_BASE = 0x10;
export const EID_TIME = 0x54494d45; // "TIME"
export const EID_IPI = 0x735049; // "sPI"
export const EID_RFENCE = 0x52464e43; // "RFNC"
export const EID_HSM = 0x48534d; // "HSM"
export const EID_SRST = 0x53525354; // "SRST"
export const EID_DBCN = 0x4442434e; // "DBCN"
/** The wasmvisor extension, in the vendor-specific range 0x09000000-0x09ffffff (chapter 3). */
export const EID_WASMVISOR = 0x09575600;

/** Functions of each implemented extension, by name (index = FID). */
export const SBI_EXTENSIONS: ReadonlyMap<number, { name: string; functions: readonly string[] }> = new Map([
  [EID_LEGACY_SET_TIMER, { name: "legacy set_timer", functions: ["set_timer"] }],
  [EID_LEGACY_PUTCHAR, { name: "legacy console_putchar", functions: ["console_putchar"] }],
  [EID_LEGACY_GETCHAR, { name: "legacy console_getchar", functions: ["console_getchar"] }],
  [EID_LEGACY_SHUTDOWN, { name: "legacy shutdown", functions: ["shutdown"] }],
  [EID_BASE, { name: "BASE", functions: ["get_spec_version", "get_impl_id", "get_impl_version", "probe_extension", "get_mvendorid", "get_marchid", "get_mimpid"] }],
  [EID_TIME, { name: "TIME", functions: ["set_timer"] }],
  [EID_IPI, { name: "IPI", functions: ["send_ipi"] }],
  [EID_RFENCE, { name: "RFENCE", functions: ["remote_fence_i", "remote_sfence_vma", "remote_sfence_vma_asid"] }],
  [EID_HSM, { name: "HSM", functions: ["hart_start", "hart_stop", "hart_get_status", "hart_suspend"] }],
  [EID_SRST, { name: "SRST", functions: ["system_reset"] }],
  [EID_DBCN, { name: "DBCN", functions: ["console_write", "console_read", "console_write_byte"] }],
  [EID_WASMVISOR, { name: "wasmvisor", functions: ["ping", "yield", "clock_page", "heartbeat"] }],
]);

// HSM hart states (chapter 9).
export const HSM_STARTED = 0;
export const HSM_STOPPED = 1;
export const HSM_SUSPEND_RETENTIVE = 0x00000000;
export const HSM_SUSPEND_NON_RETENTIVE = 0x80000000;
// SRST types and reasons (chapter 10).
export const SRST_SHUTDOWN = 0;
export const SRST_COLD_REBOOT = 1;
export const SRST_WARM_REBOOT = 2;

/** Largest DBCN transfer answered in one call (bytes); longer ones are answered in part. */
export const DBCN_MAX = 64 * 1024;
/** Longest watchdog timeout a guest may arm with heartbeat (ms). */
export const HEARTBEAT_MAX_MS = 3_600_000;
/** The wasmvisor clock page: version, timebase (Hz), wall-clock ns at mtime 0 (u64 each). */
export const CLOCK_PAGE_BYTES = 24;

/** "TIME.set_timer"-style name of an EID/FID pair, for statistics. */
export function sbiCallName(eid: number, fid: number): string {
  const ext = SBI_EXTENSIONS.get(eid);
  if (!ext) return `0x${eid.toString(16)}.${fid}`;
  if (eid < 0x10) return ext.functions[0];
  return `${ext.name}.${ext.functions[fid] ?? fid}`;
}
