// Command-line parsing for `wasmvisor` (node:util parseArgs). Pure: errors are thrown as
// UsageError with the one-line message the CLI prints.
import { parseForward } from "../net/user/usernet.js";
import { bytesPerSecond, type RateLimiterConfig } from "../devices/rate-limiter.js";
import { parseArgs as parseNodeArgs } from "node:util";
import { MAX_MEM } from "../core/hart.js";
import { DEFAULT_THRESHOLD } from "../jit/jit.js";
import { HOST_PORT_PATTERN, type VmBody } from "../api/schema.js";
import { ETCD_ENDPOINT_PATTERN, HOST_ID_PATTERN, LEASE_TTL_MAX, LEASE_TTL_MIN, PREFIX_PATTERN } from "../cluster/placement.js";

/** Commands that talk to a running `wasmvisor serve` (src/cli/client.ts). */
export type ClientVerb = "ps" | "create" | "start" | "stop" | "pause" | "resume" | "rm" | "logs" | "events" | "reboot" | "console" | "snapshot" | "migrate" | "cluster";
export const CLIENT_VERBS: readonly ClientVerb[] = ["ps", "create", "start", "stop", "pause", "resume", "rm", "logs", "events", "reboot", "console", "snapshot", "migrate", "cluster"];
/** `wasmvisor cluster hosts | ps | create ID [create options] | rm ID`. */
export type ClusterOp = "hosts" | "ps" | "create" | "rm";
export interface ClientArgs {
  verb: ClientVerb; id?: string; host?: string; token?: string; json: boolean; body?: VmBody;
  /** stop: ms the guest has to power off after Ctrl-Alt-Del (0: at once). */
  timeoutMs?: number;
  /** snapshot create VM FILE / snapshot load FILE [--paused]. */
  snapshot?: { op: "create"; file: string; diff: boolean; compress: boolean } | { op: "load"; file: string; paused: boolean };
  /** migrate VM --to HOST:PORT: the other host's API address. */
  to?: string;
  cluster?: ClusterOp;
}
export interface ServeArgs {
  listen?: string; socket?: string; stateDir?: string; token?: string;
  /** Guest RAM all VMs may commit (bytes). */
  memoryLimit?: number;
  /** Worker threads running the VMs (default one per host core); 0 runs them on the main thread. */
  workers?: number;
  /** The secret shared with the hosts VMs migrate between (or WASMVISOR_MIGRATION_SECRET). */
  migrationSecret?: string;
  /** Join the cluster of the hosts that share these etcd endpoints (src/cluster/). */
  cluster?: { endpoints: string[]; hostId?: string; advertise?: string; leaseTtl?: number; prefix?: string };
}
export const DEFAULT_LISTEN = "127.0.0.1:8417";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** `run --mode container ROOT -- PROGRAM [ARGS...]`: a Linux program whose kernel is wasmvisor. */
export interface ContainerRunArgs {
  kind: "container";
  /** `busybox` (the bundled busybox), a directory or a tar archive holding the program. */
  root: string;
  argv: string[];
  memSize: number;
  maxInstructions?: number;
  jit: RunArgs["jit"];
  /** --net user: a network (connections out through the host's TCP stack; 10.0.2.2 is its loopback). */
  net: boolean;
  /** --net user,hostfwd=tcp:[HOSTADDR]:HOSTPORT-:PORT: container ports the host reaches. */
  publish: { port: number; hostPort: number; hostAddress: string }[];
}

/** ro: read-only for the guest; rw: writes go to the file; neither: a copy-on-write overlay. */
export interface DiskArg { path: string; readOnly: boolean; writeThrough: boolean; rateLimiter?: RateLimiterConfig; rate?: number }

export interface RunArgs {
  kind: "run";
  /** A bare-metal ELF or raw image; undefined with --kernel or a bundled image name. */
  file?: string;
  /** A bundled image ("linux"). */
  bundled?: "linux";
  kernel?: string;
  initrd?: string;
  firmware?: string;
  append?: string;
  disks: DiskArg[];
  mode: "full" | "para";
  memSize: number;
  /** True when --mem was given (a Linux guest defaults to 256M, a bare-metal one to 128M). */
  memGiven: boolean;
  maxInstructions?: number;
  trace: boolean;
  stats: boolean;
  /** Shell commands typed into a Linux guest's console, after which its input ends. */
  exec?: string;
  /** Resume this snapshot instead of booting (the other flags describe the same machine). */
  snapshot?: string;
  /** --net user[,hostfwd=...][,rx-rate=N][,tx-rate=N]: user-mode networking, forwards and bandwidth limits (bytes/s). */
  net?: { forwards: string[]; rxRate?: number; txRate?: number };
  /** The JIT: false with --no-jit, else its options (--jit-threshold). */
  jit: false | { threshold?: number };
}

export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "images" }
  | { kind: "bench"; which: "overhead" | "boot"; runs: number }
  | ({ kind: "serve" } & ServeArgs)
  | ({ kind: "client" } & ClientArgs)
  | RunArgs
  | ContainerRunArgs;

export const BUNDLED = ["linux"] as const;

export const USAGE = `Usage: wasmvisor run <guest.elf> [options]
       wasmvisor run linux [options]
       wasmvisor run --kernel <Image> [--initrd <file>] [--firmware <fw_dynamic.bin>] [options]
       wasmvisor run --mode container busybox|DIR|TAR -- PROGRAM [ARGS...]
       wasmvisor images
       wasmvisor bench overhead|boot [--runs N]
       wasmvisor serve [--listen HOST:PORT | --socket PATH] [--state-dir DIR] [--token T]
                 [--workers N] [--memory-limit SIZE] [--migration-secret S]
                 [--cluster ETCD_URL[,...] [--host-id ID] [--advertise URL] [--lease-ttl S]
                 [--cluster-prefix P]]
       wasmvisor ps | create ID [options] | start|stop|pause|resume|reboot|rm|logs|events|console ID
                 [--host URL] [--json]
       wasmvisor create ID --mode container busybox|DIR|TAR [options] -- PROGRAM [ARGS...]
       wasmvisor snapshot create VM FILE [--diff] [--compress] | snapshot load FILE [--paused]
       wasmvisor migrate VM --to HOST:PORT
       wasmvisor cluster hosts | ps | create ID [options] | rm ID
       wasmvisor --help | --version

run <guest.elf>   a bare-metal RISC-V RV64 guest (an ELF64 executable, or a raw binary loaded
                  at 0x80000000); its exit code becomes wasmvisor's
run linux         the bundled Linux guest (Linux 6.1 + busybox; OpenSBI in full mode)
run --kernel      your own Linux Image (with --initrd, --firmware, --append)
run --mode container ROOT -- PROGRAM
                  a static RV64 Linux program whose kernel is wasmvisor itself (no guest
                  kernel): ROOT is busybox (the bundled busybox root), a directory or a
                  tar archive (gzipped or not) holding PROGRAM (a bare name is looked up
                  in /bin, /usr/bin, /sbin,
                  /usr/sbin); its files are a read-only base under a writable layer of the
                  container's own, gone at its end (paths stay inside the root); its exit
                  status becomes wasmvisor's (128 + N if signal N ended it); --mem (what
                  its processes may use together, default 64M, at most 1G) and
                  --max-instructions apply;
                  --net user gives it the host's network (TCP connections out;
                  10.0.2.2 is the host's loopback), ,hostfwd=tcp:[HOSTADDR]:HOSTPORT-:PORT
                  publishes container port PORT at the host's HOSTPORT
images            list the guest images this installation has
bench overhead    the same Linux workloads in full and para mode, side by side, with the exits
                  and traps by kind, and hypercall/MMIO microbenchmarks (bench/results/overhead.*)
bench boot        Linux boot to the first prompt, next to QEMU (bench/results/boot.*)
serve             the hypervisor host with its HTTP API (default 127.0.0.1:8417; GET /openapi.json);
                  VMs run on --workers threads (default one per core; 0: the main thread), and
                  together may commit --memory-limit of RAM (default 16G); hosts that share
                  --migration-secret (at least 16 characters; or WASMVISOR_MIGRATION_SECRET)
                  move running VMs between them (migrate); hosts given the same --cluster
                  (etcd URLs) form a cluster: PUT /cluster/vms/ID on any of them runs a VM
                  on the host with the most free memory, and when a host dies (its etcd
                  lease, --lease-ttl seconds, default 5, runs out) its VMs start again on
                  the others; --host-id names this host (default HOSTNAME-PORT),
                  --advertise is its API URL for the others (default http://LISTEN)
ps, create, ...   client commands for a running serve (console ID attaches to the VM's console:
                  Ctrl-A x detaches); create ID takes --image linux|demo or
                  --kernel/--initrd/--firmware/--append, --mem, --mode, --disk F[,ro],
                  --restart never|on-failure|always, --shares N, --cpu-cap PERCENT,
                  (create ID --mode container ROOT -- PROGRAM defines a container: --mem
                  is what its processes may use in all, default 64M; --net user,hostfwd=...
                  publishes its ports; stop sends its first process SIGTERM; console ID
                  is its standard input and output),
                  --net switch=NAME[,mac=MAC] (a NIC on the host's switch NAME) or
                  --net user[,hostfwd=...] (as for run), --track-dirty-pages (for Diff
                  snapshots); snapshot create VM FILE saves a VM (pausing it meanwhile;
                  --diff: only what changed since its last snapshot to a file, --compress:
                  deflated), snapshot load FILE brings it back (defining it from the snapshot
                  if the host has not got it; a Diff with the files it builds on) and
                  resumes it; stop ID
                  sends Ctrl-Alt-Del and waits --timeout MS (default 10000) for the guest to
                  power off, then stops it at once; migrate VM --to HOST:PORT moves a running
                  VM to the serve at HOST:PORT (live: it keeps running meanwhile, then stops
                  for a few ms) and prints the rounds, bytes and downtime
cluster ...       the cluster a serve --cluster host is in: hosts lists the live hosts, ps
                  the cluster's VMs and where they run, create ID (with create's options)
                  has the cluster run a VM, rm ID stops it

Options for run:
  --mem <size>              guest RAM: bytes, or with a K/M/G suffix (default 128M, Linux 256M);
                            a multiple of 4K, at most 2G
  --mode para|full|container
                            para (the default): no firmware, the kernel's SBI calls are
                            hypercalls and its console is virtio; full: unmodified firmware
                            (OpenSBI) in the guest's M-mode, the console a trapped 16550 UART
  --kernel <file>           Linux kernel Image (arch/riscv/boot/Image)
  --initrd <file>           initramfs (cpio, gzip-compressed or not)
  --firmware <file>         M-mode firmware for full mode (default: the bundled OpenSBI fw_dynamic)
  --append <text>           kernel command line (default: console=hvc1 in para mode, the
                            virtio console; console=ttyS0 in full mode)
  --disk <file>[,ro|,rw][,rate=N]
                            a virtio-blk disk (raw image, a multiple of 512 bytes); repeatable.
                            Writes go to a copy-on-write overlay in memory: the file is never
                            modified. ,ro makes the disk read-only for the guest; ,rw writes
                            the guest's changes to the file itself; ,rate=N limits it to N
                            bytes per second
  --net user[,hostfwd=tcp:[ADDR]:PORT-:GPORT]...[,rx-rate=N][,tx-rate=N]
                            a virtio-net NIC with user-mode networking: DHCP gives the guest
                            10.0.2.15, the router 10.0.2.2 is the host's loopback, DNS 10.0.2.3;
                            its TCP and UDP leave through the host's sockets; each hostfwd
                            forwards a host port (default address 127.0.0.1) to a guest port;
                            rx-rate/tx-rate limit the NIC to N bytes per second
  --snapshot <file>         resume a snapshot (saved with Ctrl-A s) instead of booting; give
                            the same guest, --mode, --mem and --disk flags as when it was saved
  --exec <commands>         (Linux) type these commands at the guest's shell, then end its
                            console input, so the guest powers off
  --max-instructions <n>    stop after n instructions (exit status 124)
  --runs <n>                (bench) runs per measurement, the median is reported (default 5)
  --trace                   print every executed instruction to stderr
  --stats                   print instructions, seconds and MIPS to stderr at the end (and
                            what the JIT compiled)
  --no-jit                  interpret only: do not compile hot guest code to Wasm
  --jit-threshold <n>       entries into a block before it is compiled (default ${DEFAULT_THRESHOLD}; 0
                            compiles every block at its first entry)
  -h, --help                show this help
  -V, --version             show the version

Bare-metal guests stop through HTIF tohost ((code << 1) | 1) or the SiFive test finisher at
0x100000 (0x5555 = success, (code << 16) | 0x3333 = failure). Linux guests stop when they power
off (status 0); a kernel panic ends the run with status 1 and the panic line on stderr; a
reboot boots the same images again. On a terminal, stdin is raw: Ctrl-A x stops the guest,
Ctrl-A s saves a snapshot, Ctrl-A h lists the escapes, Ctrl-A Ctrl-A sends Ctrl-A. Without a terminal, stdin is the
console input, and its end closes the guest's console (the bundled Linux then powers off).

Exit status: the guest's exit code (a non-zero code with a zero low byte becomes 1);
1 kernel panic; 2 for a bad command line or an image that cannot be loaded (nothing runs);
124 instruction limit; 125 deadlock or fatal error; 130 stopped by Ctrl-A x or SIGINT.
`;

const SIZE_UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a RAM size such as 134217728, 64K, 128M, 2G (binary units; "KiB"/"KB" also accepted). */
export function parseMemSize(text: string): number {
  const m = /^(\d+)(?:([kmg])(?:i?b)?)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`invalid --mem value '${text}': expected a size such as 128M, 64K or 1G`);
  const bytes = Number(m[1]) * SIZE_UNITS[(m[2] ?? "").toLowerCase()];
  if (bytes <= 0) throw new UsageError(`invalid --mem value '${text}': must be more than 0`);
  if (bytes > MAX_MEM) throw new UsageError(`invalid --mem value '${text}': at most 2G`);
  if (bytes % 4096 !== 0) throw new UsageError(`invalid --mem value '${text}': must be a multiple of 4K (4096 bytes)`);
  return bytes;
}

/** Parses serve's --memory-limit: a size as for --mem (K/M/G/T suffixes), any amount. */
export function parseMemoryLimit(text: string): number {
  const m = /^(\d+)(?:([kmgt])(?:i?b)?)?$/i.exec(text.trim());
  const bytes = m ? Number(m[1]) * ({ ...SIZE_UNITS, t: 1024 ** 4 } as Record<string, number>)[(m[2] ?? "").toLowerCase()] : NaN;
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) throw new UsageError(`invalid --memory-limit value '${text}': expected a size such as 16G or 512M`);
  return bytes;
}

/** Parses an instruction count: digits (underscores allowed between them) or a form like 1e9. */
export function parseCount(text: string, flag: string): number {
  const t = text.trim();
  let n = NaN;
  if (/^\d+(_\d+)*$/.test(t)) n = Number(t.replace(/_/g, ""));
  else if (/^\d+(\.\d+)?e\d+$/i.test(t)) n = Number(t);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new UsageError(`invalid ${flag} value '${text}': expected a positive integer (at most 2^53-1)`);
  }
  return n;
}

/** Parses `--disk file[,ro]`. */
export function parseDisk(text: string): DiskArg {
  const parts = text.split(",");
  const path = parts[0];
  if (path === "") throw new UsageError(`invalid --disk value '${text}': expected a file name, optionally followed by ,ro`);
  let readOnly = false, writeThrough = false, rate: number | undefined;
  for (const opt of parts.slice(1)) {
    const r = /^rate=(\d+)$/.exec(opt);
    if (opt === "ro") readOnly = true;
    else if (opt === "rw") writeThrough = true;
    else if (r && Number(r[1]) >= 1 && Number(r[1]) <= 2 ** 40) rate = Number(r[1]);
    else throw new UsageError(`invalid --disk value '${text}': unknown disk option '${opt}' (known: ro, rw, rate=BYTES/S)`);
  }
  if (readOnly && writeThrough) throw new UsageError(`invalid --disk value '${text}': ro and rw exclude each other`);
  return { path, readOnly, writeThrough, ...(rate !== undefined && { rate, rateLimiter: bytesPerSecond(rate) }) };
}

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
  mem: { type: "string" },
  mode: { type: "string" },
  kernel: { type: "string" },
  initrd: { type: "string" },
  firmware: { type: "string" },
  append: { type: "string" },
  disk: { type: "string", multiple: true },
  exec: { type: "string" },
  snapshot: { type: "string" },
  "max-instructions": { type: "string" },
  runs: { type: "string" },
  listen: { type: "string" },
  socket: { type: "string" },
  "state-dir": { type: "string" },
  paused: { type: "boolean" },
  diff: { type: "boolean" },
  compress: { type: "boolean" },
  "track-dirty-pages": { type: "boolean" },
  net: { type: "string" }, // run: user[,hostfwd=...]; create: switch=NAME[,mac=MAC] or user[,hostfwd=...]
  timeout: { type: "string" },
  workers: { type: "string" },
  "memory-limit": { type: "string" },
  "migration-secret": { type: "string" },
  cluster: { type: "string" },
  "host-id": { type: "string" },
  advertise: { type: "string" },
  "lease-ttl": { type: "string" },
  "cluster-prefix": { type: "string" },
  to: { type: "string" },
  token: { type: "string" },
  host: { type: "string" },
  json: { type: "boolean" },
  image: { type: "string" },
  restart: { type: "string" },
  shares: { type: "string" },
  "cpu-cap": { type: "string" },
  trace: { type: "boolean" },
  stats: { type: "boolean" },
  "no-jit": { type: "boolean" },
  "jit-threshold": { type: "string" },
} as const;

type OptionName = keyof typeof OPTIONS;
const CREATE_OPTIONS: OptionName[] = ["image", "mem", "mode", "kernel", "initrd", "firmware", "append", "disk", "restart", "shares", "cpu-cap", "net", "track-dirty-pages"];
const CLIENT_OPTIONS: OptionName[] = ["host", "token", "json"];
// The options each command takes (besides --help and --version); any other is an error.
const COMMAND_OPTIONS: Record<string, OptionName[]> = {
  run: ["mem", "mode", "kernel", "initrd", "firmware", "append", "disk", "net", "exec", "snapshot", "max-instructions", "trace", "stats", "no-jit", "jit-threshold"],
  images: [],
  bench: ["runs"],
  serve: ["listen", "socket", "state-dir", "token", "workers", "memory-limit", "migration-secret", "cluster", "host-id", "advertise", "lease-ttl", "cluster-prefix"],
  create: [...CLIENT_OPTIONS, ...CREATE_OPTIONS],
  snapshot: [...CLIENT_OPTIONS, "paused", "diff", "compress"],
  stop: [...CLIENT_OPTIONS, "timeout"],
  migrate: [...CLIENT_OPTIONS, "to"],
  cluster: [...CLIENT_OPTIONS, ...CREATE_OPTIONS],
};

/** The command of the option it would belong to, for the error message. */
function ownerOf(option: OptionName): string | undefined {
  return Object.keys(COMMAND_OPTIONS).find((c) => COMMAND_OPTIONS[c].includes(option));
}

export function parseArgs(argv: string[]): Command {
  if (argv.length === 0) throw new UsageError("no command given (try 'wasmvisor --help')");
  let parsed: ReturnType<typeof parseNodeArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseNodeArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as { code?: string; message: string };
    const name = /'(-[^']*)'/.exec(err.message)?.[1] ?? "";
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown option '${name.split("=")[0]}' (try 'wasmvisor --help')`);
    if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      throw new UsageError(/argument missing/.test(err.message) ? `option ${name.split(" ")[0]} needs a value` : `option ${name.split(" ")[0]} takes no value`);
    }
    throw new UsageError(err.message);
  }
  const { values: v, positionals } = parsed;
  const [command, ...rest] = positionals;
  // An unknown command is an error even with --help (it must not print some other help).
  if (command !== undefined && !["run", "images", "bench", "serve", "help", ...CLIENT_VERBS].includes(command)) {
    throw new UsageError(`unknown command '${command}' (try 'wasmvisor --help')`);
  }
  if (v.help || command === "help") return { kind: "help" };
  if (command !== undefined && !v.version) {
    const allowed = COMMAND_OPTIONS[command] ?? CLIENT_OPTIONS;
    for (const k of Object.keys(v) as OptionName[]) {
      if (k === "help" || k === "version" || allowed.includes(k)) continue;
      const owner = ownerOf(k);
      throw new UsageError(`${command}: --${k} is not an option of ${command}${owner ? ` (it is one of ${owner})` : ""}`);
    }
  }
  if (v.version) return { kind: "version" };
  if (command === undefined) throw new UsageError("no command given (try 'wasmvisor --help')");
  if (command === "images") {
    if (rest.length) throw new UsageError(`images: unexpected argument '${rest[0]}'`);
    return { kind: "images" };
  }
  if (command === "bench") {
    const which = rest[0];
    if (which !== "overhead" && which !== "boot") throw new UsageError(`bench: expected overhead or boot, got ${which === undefined ? "nothing" : `'${which}'`}`);
    if (rest.length > 1) throw new UsageError(`bench: unexpected argument '${rest[1]}'`);
    return { kind: "bench", which, runs: v.runs !== undefined ? parseCount(v.runs, "--runs") : 5 };
  }
  if (command === "serve") {
    if (rest.length) throw new UsageError(`serve: unexpected argument '${rest[0]}'`);
    if (v.listen !== undefined && v.socket !== undefined) throw new UsageError("serve: give --listen or --socket, not both");
    const workers = v.workers === undefined ? undefined : /^\d+$/.test(v.workers) && Number(v.workers) <= 256 ? Number(v.workers) : NaN;
    if (Number.isNaN(workers)) throw new UsageError(`invalid --workers value '${v.workers}': expected 0 to 256`);
    const secret = v["migration-secret"];
    if (secret !== undefined && secret.length < 16) throw new UsageError("invalid --migration-secret: at least 16 characters");
    return { kind: "serve", listen: v.listen, socket: v.socket, stateDir: v["state-dir"], token: v.token, workers, migrationSecret: secret,
      memoryLimit: v["memory-limit"] === undefined ? undefined : parseMemoryLimit(v["memory-limit"]), cluster: clusterArgs(v) };
  }
  if ((CLIENT_VERBS as readonly string[]).includes(command)) {
    const verb = command as ClientVerb;
    if (verb === "ps") {
      if (rest.length) throw new UsageError(`ps: unexpected argument '${rest[0]}'`);
      return { kind: "client", verb, host: v.host, token: v.token, json: v.json ?? false };
    }
    if (verb === "snapshot") {
      const [op, a, b, ...extra] = rest;
      const client = { kind: "client" as const, verb, host: v.host, token: v.token, json: v.json ?? false };
      if (op === "create" && a !== undefined && b !== undefined && !extra.length) {
        if (v.paused) throw new UsageError("snapshot create: --paused is an option of snapshot load");
        return { ...client, id: a, snapshot: { op, file: b, diff: v.diff ?? false, compress: v.compress ?? false } };
      }
      if (op === "load" && a !== undefined && b === undefined) {
        for (const f of ["diff", "compress"] as const) if (v[f]) throw new UsageError(`snapshot load: --${f} is an option of snapshot create`);
        return { ...client, snapshot: { op, file: a, paused: v.paused ?? false } };
      }
      throw new UsageError("snapshot: expected 'snapshot create VM FILE' or 'snapshot load FILE [--paused]' (create takes --diff and --compress)");
    }
    if (verb === "cluster") {
      const [op, id, ...extra] = rest;
      const client = { kind: "client" as const, verb, host: v.host, token: v.token, json: v.json ?? false };
      const createFlags = CREATE_OPTIONS.filter((f) => v[f] !== undefined);
      if (op !== "create" && createFlags.length) throw new UsageError(`cluster${op ? ` ${op}` : ""}: --${createFlags[0]} is an option of cluster create`);
      if ((op === "hosts" || op === "ps") && id === undefined) return { ...client, cluster: op };
      if (op === "rm" && id !== undefined && !extra.length) return { ...client, cluster: op, id };
      if (op === "create" && id !== undefined && !extra.length) return { ...client, cluster: op, id, body: createBody(v) };
      throw new UsageError("cluster: expected 'cluster hosts', 'cluster ps', 'cluster create ID [options]' or 'cluster rm ID'");
    }
    // create ID --mode container ROOT -- PROGRAM [ARGS...], as run takes a container
    const container = verb === "create" && v.mode === "container";
    if (container && rest.length < 3) throw new UsageError("create: --mode container needs a root and a program (usage: wasmvisor create ID --mode container busybox|DIR|TAR -- PROGRAM [ARGS...])");
    if (!container && rest.length !== 1) throw new UsageError(`${verb}: expected one VM id`);
    if (verb === "migrate") {
      if (v.to === undefined) throw new UsageError("migrate: --to HOST:PORT is required (the other host's API address)");
      if (!new RegExp(HOST_PORT_PATTERN).test(v.to) || Number(v.to.slice(v.to.lastIndexOf(":") + 1)) > 65535) throw new UsageError(`invalid --to value '${v.to}': expected HOST:PORT`);
      return { kind: "client", verb, id: rest[0], to: v.to, host: v.host, token: v.token, json: v.json ?? false };
    }
    const out: ClientArgs & { kind: "client" } = { kind: "client", verb, id: rest[0], host: v.host, token: v.token, json: v.json ?? false };
    if (verb === "create") out.body = createBody(v, container ? { root: rest[1], args: rest.slice(2) } : undefined);
    if (v.timeout !== undefined) {
      if (!/^\d+$/.test(v.timeout) || Number(v.timeout) > 600_000) throw new UsageError(`invalid --timeout value '${v.timeout}': expected ms from 0 to 600000`);
      out.timeoutMs = Number(v.timeout);
    }
    return out;
  }
  if (command !== "run") throw new UsageError(`unknown command '${command}' (try 'wasmvisor --help')`);
  if (v.mode === "container") return containerArgs(v as Record<string, unknown>, rest);
  if (rest.length > 1) throw new UsageError(`run: one guest expected, got extra argument '${rest[1]}'`);
  const target = rest[0];
  if (target === undefined && v.kernel === undefined) {
    throw new UsageError("run: missing guest (usage: wasmvisor run <guest.elf> | linux | --kernel <Image>)");
  }
  if (target !== undefined && v.kernel !== undefined) {
    throw new UsageError(`run: give either a guest ('${target}') or --kernel, not both`);
  }
  const bundled = (BUNDLED as readonly string[]).includes(target ?? "") ? (target as "linux") : undefined;
  const linux = bundled !== undefined || v.kernel !== undefined;
  if (!linux) {
    for (const f of ["initrd", "firmware", "append", "disk", "exec", "mode"] as const) {
      if (v[f] !== undefined) throw new UsageError(`run: --${f} is for Linux guests (run linux, or --kernel)`);
    }
  }
  if (v.mode !== undefined && v.mode !== "full" && v.mode !== "para") {
    throw new UsageError(`invalid --mode value '${v.mode}': expected full, para or container`);
  }
  const memGiven = v.mem !== undefined;
  return {
    kind: "run",
    file: linux ? undefined : target,
    bundled,
    kernel: v.kernel,
    initrd: v.initrd,
    firmware: v.firmware,
    append: v.append,
    disks: (v.disk ?? []).map(parseDisk),
    net: v.net !== undefined ? parseUserNet(v.net, "run") : undefined,
    mode: (v.mode as "full" | "para" | undefined) ?? "para",
    memSize: memGiven ? parseMemSize(v.mem!) : linux ? 256 << 20 : 128 << 20,
    memGiven,
    maxInstructions: v["max-instructions"] !== undefined ? parseCount(v["max-instructions"], "--max-instructions") : undefined,
    trace: v.trace ?? false,
    stats: v.stats ?? false,
    exec: v.exec,
    snapshot: v.snapshot,
    jit: jitArgs(v["no-jit"] as boolean | undefined, v["jit-threshold"] as string | undefined),
  };
}

/** serve's --cluster URL[,URL...] [--host-id ID] [--advertise URL] [--lease-ttl S] [--cluster-prefix P]. */
function clusterArgs(v: Record<string, string | boolean | string[] | undefined>): ServeArgs["cluster"] {
  const endpoints = v.cluster as string | undefined;
  if (endpoints === undefined) {
    for (const f of ["host-id", "advertise", "lease-ttl", "cluster-prefix"]) if (v[f] !== undefined) throw new UsageError(`serve: --${f} needs --cluster ETCD_URL`);
    return undefined;
  }
  if (v["state-dir"] !== undefined) throw new UsageError("serve: --cluster and --state-dir exclude each other (the cluster keeps its VMs in etcd)");
  const urls = endpoints.split(",");
  for (const u of urls) if (!ETCD_ENDPOINT_PATTERN.test(u)) throw new UsageError(`invalid --cluster value '${endpoints}': expected etcd URLs such as http://127.0.0.1:2379, separated by commas`);
  const hostId = v["host-id"] as string | undefined;
  if (hostId !== undefined && !HOST_ID_PATTERN.test(hostId)) throw new UsageError(`invalid --host-id value '${hostId}': 1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit`);
  const advertise = v.advertise as string | undefined;
  if (advertise !== undefined && !/^https?:\/\/[^/\s]+$/.test(advertise)) throw new UsageError(`invalid --advertise value '${advertise}': expected the URL other hosts reach this API at, such as http://10.0.0.5:8417`);
  const ttl = v["lease-ttl"] as string | undefined;
  if (ttl !== undefined && (!/^\d+$/.test(ttl) || Number(ttl) < LEASE_TTL_MIN || Number(ttl) > LEASE_TTL_MAX)) throw new UsageError(`invalid --lease-ttl value '${ttl}': seconds from ${LEASE_TTL_MIN} to ${LEASE_TTL_MAX}`);
  const prefix = v["cluster-prefix"] as string | undefined;
  if (prefix !== undefined && !PREFIX_PATTERN.test(prefix)) throw new UsageError(`invalid --cluster-prefix value '${prefix}': a key path starting and ending with /`);
  return { endpoints: urls, hostId, advertise, leaseTtl: ttl === undefined ? undefined : Number(ttl), prefix };
}

/** --no-jit / --jit-threshold N. */
function jitArgs(noJit: boolean | undefined, threshold: string | undefined): RunArgs["jit"] {
  if (noJit && threshold !== undefined) throw new UsageError("run: --no-jit and --jit-threshold exclude each other");
  if (noJit) return false;
  if (threshold === undefined) return {};
  if (!/^\d+$/.test(threshold) || Number(threshold) > 0x7fffffff) {
    throw new UsageError(`invalid --jit-threshold value '${threshold}': expected an integer from 0 to 2147483647`);
  }
  return { threshold: Number(threshold) };
}

/** The API's rate limiter body for N bytes per second (a bucket of one second's worth, as bytesPerSecond). */
const rateBody = (n: number) => ({ bandwidth: { size: n, refill_time: 1000 } });

function containerArgs(v: Record<string, unknown>, rest: string[]): ContainerRunArgs {
  for (const f of ["kernel", "initrd", "firmware", "append", "disk", "exec", "snapshot", "trace", "stats"] as const) {
    if (v[f] !== undefined) throw new UsageError(`run: --${f} is not for containers`);
  }
  const [root, ...argv] = rest;
  if (root === undefined) throw new UsageError("run: --mode container needs a root (usage: wasmvisor run --mode container busybox|DIR -- PROGRAM [ARGS...])");
  if (argv.length === 0) throw new UsageError("run: --mode container needs a program to run after the root (e.g. -- /bin/sh -c 'echo hi')");
  return {
    kind: "container",
    root,
    argv,
    memSize: containerMem(v.mem as string | undefined),
    maxInstructions: v["max-instructions"] !== undefined ? parseCount(v["max-instructions"] as string, "--max-instructions") : undefined,
    jit: jitArgs(v["no-jit"] as boolean | undefined, v["jit-threshold"] as string | undefined),
    net: v.net !== undefined,
    publish: (v.net !== undefined ? parseUserNet(v.net as string, "run --mode container").forwards : [])
      .map(parseForward).map((f) => ({ port: f.guestPort, hostPort: f.hostPort, hostAddress: f.hostAddress })),
  };
}

/** A container's --mem: what its processes may use together, 1M to 1G (default 64M). */
function containerMem(text: string | undefined): number {
  if (text === undefined) return 64 << 20;
  const n = parseMemSize(text);
  if (n < 1 << 20 || n > 1 << 30) throw new UsageError(`invalid --mem value '${text}': a container takes 1M to 1G`);
  return n;
}

/** --net user[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT]...: user-mode networking. */
export function parseUserNet(text: string, command: string): { forwards: string[]; rxRate?: number; txRate?: number } {
  const [first, ...rest] = text.split(",");
  if (first !== "user") throw new UsageError(`invalid --net value '${text}': ${command} takes user[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT][,rx-rate=BYTES/S][,tx-rate=BYTES/S]`);
  const out: { forwards: string[]; rxRate?: number; txRate?: number } = { forwards: [] };
  for (const part of rest) {
    const fwd = /^hostfwd=(.*)$/.exec(part), rate = /^(rx|tx)-rate=(\d+)$/.exec(part);
    if (rate) {
      const n = Number(rate[2]);
      if (n < 1 || n > 2 ** 40) throw new UsageError(`invalid --net value '${text}': ${rate[1]}-rate is bytes per second, from 1`);
      if (rate[1] === "rx") out.rxRate = n; else out.txRate = n;
      continue;
    }
    if (!fwd) throw new UsageError(`invalid --net value '${text}': unknown part '${part}' (expected hostfwd=..., rx-rate=N or tx-rate=N)`);
    try { parseForward(fwd[1]); } catch (e) { throw new UsageError(`invalid --net value '${text}': ${(e as Error).message}`); }
    out.forwards.push(fwd[1]);
  }
  return out;
}

/** create's --net switch=NAME[,mac=MAC] (a NIC on the host's switch NAME) or --net user[,hostfwd=...]. */
export function parseNet(text: string): NonNullable<VmBody["network-interfaces"]>[number] {
  if (text === "user" || text.startsWith("user,")) {
    const u = parseUserNet(text, "create");
    return { iface_id: "eth0", user_mode: { host_forwards: u.forwards }, ...(u.rxRate && { rx_rate_limiter: rateBody(u.rxRate) }), ...(u.txRate && { tx_rate_limiter: rateBody(u.txRate) }) };
  }
  const nic: NonNullable<VmBody["network-interfaces"]>[number] = { iface_id: "eth0", switch: "" };
  for (const part of text.split(",")) {
    const [k, val, extra] = part.split("=");
    if (extra !== undefined || val === undefined || val === "") throw new UsageError(`invalid --net value '${text}': expected switch=NAME[,mac=MAC]`);
    if (k === "switch" && /^[A-Za-z0-9_.-]{1,64}$/.test(val)) nic.switch = val;
    else if (k === "mac" && /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(val)) nic.guest_mac = val;
    else throw new UsageError(`invalid --net value '${text}': ${k === "switch" || k === "mac" ? `bad ${k} '${val}'` : `unknown key '${k}'`} (expected switch=NAME[,mac=MAC])`);
  }
  if (!nic.switch) throw new UsageError(`invalid --net value '${text}': give switch=NAME`);
  return nic;
}

/** The API body of `wasmvisor create` from its flags (the server validates it again). */
function createBody(v: Record<string, string | boolean | string[] | undefined>, container?: { root: string; args: string[] }): VmBody {
  if (container) return containerBody(v, container);
  const image = v.image as string | undefined;
  if (image !== undefined && image !== "linux" && image !== "demo") throw new UsageError(`invalid --image value '${image}': expected linux or demo`);
  if (image === undefined && v.kernel === undefined) throw new UsageError("create: give --image linux|demo or --kernel <Image>");
  const mode = (v.mode as string | undefined) ?? "para";
  if (mode !== "para" && mode !== "full") throw new UsageError(`invalid --mode value '${mode}': expected full, para or container`);
  const mem = v.mem !== undefined ? parseMemSize(v.mem as string) : (image === "demo" ? 16 : 256) << 20;
  if (mem % (1 << 20) !== 0) throw new UsageError(`invalid --mem value '${String(v.mem)}': create takes whole MiB`);
  const body: VmBody = {
    "machine-config": { mem_size_mib: mem >> 20, mode: mode as "para" | "full" },
    "boot-source": image !== undefined ? { image: image as "linux" | "demo" } : { kernel_image_path: v.kernel as string },
  };
  const bs = body["boot-source"];
  if (v.initrd !== undefined) bs.initrd_path = v.initrd as string;
  if (v.firmware !== undefined) bs.firmware_path = v.firmware as string;
  if (v.append !== undefined) bs.boot_args = v.append as string;
  scheduling(v, body);
  const disks = (v.disk as string[] | undefined) ?? [];
  if (disks.length) body.drives = disks.map((d, i) => {
    const p = parseDisk(d);
    if (p.writeThrough) throw new UsageError("create: ,rw disks are not available through the API");
    return { drive_id: `vd${String.fromCharCode(97 + i)}`, path_on_host: p.path, is_read_only: p.readOnly, ...(p.rate !== undefined && { rate_limiter: rateBody(p.rate) }) };
  });
  if (v.net !== undefined) body["network-interfaces"] = [parseNet(v.net as string)];
  if (v["track-dirty-pages"]) body["machine-config"].track_dirty_pages = true;
  return body;
}

/** create --mode container ROOT -- PROGRAM [ARGS...]: what its processes may use (--mem, default 64M), its ports (--net user,hostfwd=...). */
function containerBody(v: Record<string, string | boolean | string[] | undefined>, c: { root: string; args: string[] }): VmBody {
  for (const f of ["image", "kernel", "initrd", "firmware", "append", "disk", "track-dirty-pages"] as const) {
    if (v[f] !== undefined) throw new UsageError(`create: --${f} is not for containers`);
  }
  const mem = containerMem(v.mem as string | undefined);
  if (mem % (1 << 20) !== 0) throw new UsageError(`invalid --mem value '${String(v.mem)}': create takes whole MiB`);
  const body: VmBody = { "machine-config": { mem_size_mib: mem >> 20, mode: "container" }, "boot-source": { container: { root: c.root, args: c.args } } };
  if (v.net !== undefined) {
    const u = parseUserNet(v.net as string, "create --mode container");
    body["network-interfaces"] = [{ iface_id: "eth0", user_mode: { host_forwards: u.forwards } }];
  }
  scheduling(v, body);
  return body;
}

/** create's --shares, --cpu-cap and --restart. */
function scheduling(v: Record<string, string | boolean | string[] | undefined>, body: VmBody): void {
  if (v.shares !== undefined) body["machine-config"].cpu_shares = parseCount(v.shares as string, "--shares");
  if (v["cpu-cap"] !== undefined) {
    const c = Number(v["cpu-cap"]);
    if (!(c >= 1 && c <= 100)) throw new UsageError(`invalid --cpu-cap value '${String(v["cpu-cap"])}': a percentage from 1 to 100`);
    body["machine-config"].cpu_cap_percent = c;
  }
  if (v.restart !== undefined) {
    const r = v.restart as string;
    if (r !== "never" && r !== "on-failure" && r !== "always") throw new UsageError(`invalid --restart value '${r}': never, on-failure or always`);
    body["restart-policy"] = { policy: r };
  }
}
