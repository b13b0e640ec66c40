// The hypervisor's errors: one table of code, HTTP status and message shape, shared by the
// library, the CLI and (later) the HTTP API. Browser-safe.

export const ERRORS = {
  invalid_config: { status: 400, what: "the VM configuration is not valid" },
  not_found: { status: 404, what: "no such VM" },
  already_exists: { status: 409, what: "a VM with that id exists" },
  invalid_state: { status: 409, what: "the action is not allowed in the VM's state" },
  insufficient_memory: { status: 507, what: "the host cannot give the VM its memory" },
  migration_failed: { status: 502, what: "a live migration did not complete (the message says where the VM is)" },
  cluster_unavailable: { status: 503, what: "the host is not in a cluster, or cannot reach its etcd" },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class HypervisorError extends Error {
  readonly status: number;
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = "HypervisorError";
    this.status = ERRORS[code].status;
  }
}
