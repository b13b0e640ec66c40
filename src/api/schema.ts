// The HTTP API's request bodies as JSON Schemas (used by fastify to validate, and published in
// /openapi.json), shaped as Firecracker's resources are (machine-config, boot-source, drives,
// actions), one level down per VM id. Unknown fields are refused.

export const machineConfig = {
  type: "object",
  additionalProperties: false,
  required: ["mem_size_mib"],
  properties: {
    mem_size_mib: { type: "integer", minimum: 1, maximum: 2048 },
    vcpu_count: { type: "integer", minimum: 1, maximum: 1, description: "one hart per VM" },
    mode: { type: "string", enum: ["para", "full", "container"], default: "para", description: "container: boot-source.container's program, whose kernel is the host (mem_size_mib: what its processes may use in all)" },
    cpu_shares: { type: "integer", minimum: 1, maximum: 10000, default: 100 },
    cpu_cap_percent: { type: "number", minimum: 1, maximum: 100, default: 100 },
    jit: { type: "boolean", default: true, description: "compile hot guest code to Wasm (false: interpret only)" },
    track_dirty_pages: { type: "boolean", default: false, description: "log the pages the guest writes, for Diff snapshots" },
  },
} as const;

export const bootSource = {
  type: "object",
  additionalProperties: false,
  properties: {
    image: { type: "string", enum: ["linux", "demo"], description: "a bundled image" },
    kernel_image_path: { type: "string", minLength: 1, maxLength: 4096 },
    initrd_path: { type: "string", minLength: 1, maxLength: 4096 },
    firmware_path: { type: "string", minLength: 1, maxLength: 4096 },
    boot_args: { type: "string", maxLength: 4096 },
    container: {
      type: "object",
      additionalProperties: false,
      required: ["root", "args"],
      description: "with machine-config mode container: a static RV64 Linux program and the root its files come from",
      properties: {
        root: { type: "string", minLength: 1, maxLength: 4096, description: "busybox (the bundled busybox root), or a directory or tar archive on the host" },
        args: { type: "array", minItems: 1, maxItems: 1024, items: { type: "string", maxLength: 4096 }, description: "the program (a path in the root, or a name looked up in /bin, /usr/bin, /sbin, /usr/sbin) and its arguments" },
        env: { type: "array", maxItems: 1024, items: { type: "string", maxLength: 4096 }, description: "NAME=VALUE strings (default PATH, HOME and TERM)" },
        hostname: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9-]{0,62}$", description: "default: the VM id" },
      },
    },
  },
} as const;

// Firecracker's rate limiter: token buckets of bytes (bandwidth) and of operations.
const tokenBucket = {
  type: "object",
  additionalProperties: false,
  required: ["size", "refill_time"],
  properties: {
    size: { type: "integer", minimum: 1, maximum: 2 ** 40 },
    one_time_burst: { type: "integer", minimum: 0, maximum: 2 ** 40 },
    refill_time: { type: "integer", minimum: 1, maximum: 3_600_000, description: "ms to refill an empty bucket" },
  },
} as const;
export const rateLimiter = { type: "object", additionalProperties: false, properties: { bandwidth: tokenBucket, ops: tokenBucket } } as const;

export const drive = {
  type: "object",
  additionalProperties: false,
  required: ["drive_id", "path_on_host"],
  properties: {
    drive_id: { type: "string", pattern: "^[A-Za-z0-9_-]{1,32}$" },
    path_on_host: { type: "string", minLength: 1, maxLength: 4096 },
    is_read_only: { type: "boolean", default: false },
    rate_limiter: rateLimiter,
  },
} as const;

// Firecracker's network-interfaces, with a host switch in place of a tap device: one NIC a VM.
export const networkInterface = {
  type: "object",
  additionalProperties: false,
  required: ["iface_id"],
  properties: {
    iface_id: { type: "string", pattern: "^[A-Za-z0-9_-]{1,32}$" },
    switch: { type: "string", pattern: "^[A-Za-z0-9_.-]{1,64}$", description: "the host's virtual switch the NIC is on (VMs on one switch reach each other)" },
    user_mode: {
      type: "object", additionalProperties: false, description: "user-mode networking instead of a switch: DHCP, DNS, NAT to the host's sockets",
      properties: { host_forwards: { type: "array", maxItems: 64, items: { type: "string", maxLength: 64 }, description: "tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT" } },
    },
    guest_mac: { type: "string", pattern: "^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$", description: "default: derived from the VM id (02:77:76:...)" },
    rx_rate_limiter: rateLimiter,
    tx_rate_limiter: rateLimiter,
  },
} as const;

export const restartPolicy = {
  type: "object",
  additionalProperties: false,
  required: ["policy"],
  properties: {
    policy: { type: "string", enum: ["never", "on-failure", "always"] },
    max_restarts: { type: "integer", minimum: 0, maximum: 1000 },
    backoff_ms: { type: "integer", minimum: 0, maximum: 60000 },
  },
} as const;

export const vmBody = {
  type: "object",
  additionalProperties: false,
  required: ["machine-config", "boot-source"],
  properties: {
    "machine-config": machineConfig,
    "boot-source": bootSource,
    drives: { type: "array", maxItems: 7, items: drive },
    "network-interfaces": { type: "array", maxItems: 1, items: networkInterface },
    "restart-policy": restartPolicy,
  },
} as const;

// A VM for a cluster (PUT /cluster/vms/{id}): a VM's body, and optionally snapshots of it that
// the host running it writes every interval_s seconds to path (shared storage); a host that
// starts it after a failover resumes the latest one instead of booting (a cold boot if none).
export const clusterSnapshot = {
  type: "object",
  additionalProperties: false,
  required: ["path"],
  properties: {
    path: { type: "string", minLength: 1, maxLength: 4096 },
    interval_s: { type: "integer", minimum: 1, maximum: 86_400, default: 60 },
  },
} as const;
export const clusterVmBody = { ...vmBody, properties: { ...vmBody.properties, snapshot: clusterSnapshot } } as const;
export type ClusterVmBody = VmBody & { snapshot?: { path: string; interval_s?: number } };

export const ACTIONS = ["InstanceStart", "Pause", "Resume", "Stop", "Reboot", "SendCtrlAltDel"] as const;
export type ActionType = (typeof ACTIONS)[number];

export const actionBody = {
  type: "object",
  additionalProperties: false,
  required: ["action_type"],
  properties: {
    action_type: { type: "string", enum: ACTIONS },
    // Stop: ms the guest has to power off after Ctrl-Alt-Del before it is stopped at once (0: at once).
    timeout_ms: { type: "integer", minimum: 0, maximum: 600_000 },
  },
} as const;

export const vmId = {
  type: "object",
  properties: { id: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" } },
  required: ["id"],
} as const;

export interface TokenBucketBody { size: number; one_time_burst?: number; refill_time: number }
export interface RateLimiterBody { bandwidth?: TokenBucketBody; ops?: TokenBucketBody }

export interface VmBody {
  "machine-config": { mem_size_mib: number; vcpu_count?: number; mode?: "para" | "full" | "container"; cpu_shares?: number; cpu_cap_percent?: number; jit?: boolean; track_dirty_pages?: boolean };
  "boot-source": { image?: "linux" | "demo"; kernel_image_path?: string; initrd_path?: string; firmware_path?: string; boot_args?: string;
    container?: { root: string; args: string[]; env?: string[]; hostname?: string } };
  drives?: { drive_id: string; path_on_host: string; is_read_only?: boolean; rate_limiter?: RateLimiterBody }[];
  "network-interfaces"?: { iface_id: string; switch?: string; user_mode?: { host_forwards?: string[] }; guest_mac?: string; rx_rate_limiter?: RateLimiterBody; tx_rate_limiter?: RateLimiterBody }[];
  "restart-policy"?: { policy: "never" | "on-failure" | "always"; max_restarts?: number; backoff_ms?: number };
}

export const snapshotCreateBody = {
  type: "object",
  additionalProperties: false,
  required: ["snapshot_path"],
  properties: {
    snapshot_type: { type: "string", enum: ["Full", "Diff"], default: "Full", description: "Diff: only the pages written since the VM's last snapshot to a file (needs track_dirty_pages); loading it reads that one too" },
    snapshot_path: { type: "string", minLength: 1, maxLength: 4096 },
    compress: { type: "boolean", default: false, description: "deflate the file (about 3x smaller for a Linux VM; restoring it takes longer)" },
  },
} as const;

export const snapshotLoadBody = {
  type: "object",
  additionalProperties: false,
  required: ["snapshot_path"],
  properties: {
    snapshot_path: { type: "string", minLength: 1, maxLength: 4096 },
    resume_vm: { type: "boolean", default: false },
  },
} as const;

/** HOST:PORT (a name, an IPv4 address or a bracketed IPv6 one); the CLI's --to checks the same. */
export const HOST_PORT_PATTERN = "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}$";

export const migrateBody = {
  type: "object",
  additionalProperties: false,
  required: ["destination"],
  properties: {
    // The other host's API address (its serve --listen).
    destination: { type: "string", pattern: HOST_PORT_PATTERN, maxLength: 300 },
    // Pre-copy rounds at most before the stop-and-copy (default 30).
    max_rounds: { type: "integer", minimum: 1, maximum: 1000 },
  },
} as const;
