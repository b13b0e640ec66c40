// The HTTP JSON API of `wasmvisor serve` (fastify): resources shaped as Firecracker's, one
// level down per VM id. Bodies are validated against src/api/schema.ts (unknown fields refused,
// 64 KiB at most); errors come from one table (src/hypervisor/errors.ts) as
// { "fault_message": ... } with its status: 400 bad body, 404 unknown VM, 409 wrong state.
//   GET    /vms                  list
//   PUT    /vms/{id}             create (machine-config, boot-source, drives, restart-policy)
//   PUT    /vms/{id}/machine-config | /boot-source | /drives/{drive}
//                                the same parts one at a time, before the VM starts: the VM is
//                                defined once it has a machine-config and a boot-source
//   GET    /vms/{id}             config, state, reason, statistics
//   PUT    /vms/{id}/actions     {"action_type": InstanceStart|Pause|Resume|Stop|Reboot|SendCtrlAltDel}
//                                Stop: Ctrl-Alt-Del, then "timeout_ms" (default 10 s) for the
//                                guest to power off, then at once; answers when it is off
//   DELETE /vms/{id}
//   GET    /vms/{id}/events      the event log
//   GET    /vms/{id}/console     the console ring buffer (text)
//   PUT    /vms/{id}/console     console input (text body)
//   GET    /vms/{id}/console/ws  the console as a WebSocket: the ring first, then live output;
//                                messages sent are typed into the guest
//   PUT    /vms/{id}/snapshot/create  {"snapshot_path": F, "snapshot_type": Full|Diff, "compress"}:
//                                a paused VM to a snapshot file (a Diff: what changed since the last)
//   PUT    /vms/{id}/snapshot/load    {"snapshot_path": F, "resume_vm": bool}: into a stopped VM
//   PUT    /snapshot/load        {"snapshot_path": F}: into the VM the snapshot names (defined from it if need be)
//   PUT    /vms/{id}/migrate     {"destination": "HOST:PORT"}: live migration to another host
//                                (migration-routes.ts); GET /migrations/incoming takes them
//   GET    /openapi.json         this API as OpenAPI 3.1
//   GET    /metrics              Prometheus text format
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import websocket from "@fastify/websocket";
import { ERRORS, HypervisorError } from "../hypervisor/errors.js";
import type { Host } from "../hypervisor/host.js";
import type { BootSource, VmConfig, VmView } from "../hypervisor/vm.js";
import { checkDiskFiles, GuestFileError, loadLinuxImages, readGuestFile } from "../node/guest-files.js";
import { packageRoot } from "../node/images.js";
import { join, resolve } from "node:path";
import { actionBody, ACTIONS, bootSource, drive, machineConfig, migrateBody, snapshotCreateBody, snapshotLoadBody, vmBody, vmId, type ActionType, type RateLimiterBody, type TokenBucketBody, type VmBody } from "./schema.js";
import type { RateLimiterConfig } from "../devices/rate-limiter.js";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { PersistentOverlay } from "../node/persistent-overlay.js";
import { snapshotVm, SnapshotError } from "../snapshot/format.js";
import { readSnapshotFile, writeSnapshotFile } from "../node/snapshot-files.js";
import { MAX_MIGRATION_MESSAGE, MIGRATION_PATH } from "./migration.js";
import { registerMigration } from "./migration-routes.js";
import { registerCluster } from "./cluster-routes.js";
import type { ClusterMember } from "../cluster/member.js";
import { Ajv } from "ajv";
import { parseMac } from "../net/switch.js";
import { parseForward } from "../net/user/usernet.js";
import { openContainerRoot } from "../node/container-roots.js";
import { RootError } from "../container/rootfs.js";

export interface ServerOptions {
  /** Required as `Authorization: Bearer <token>` on every request when set. */
  token?: string;
  /** Called after each change of the VM definitions (create, delete), e.g. to save them. */
  onChange?: (hv: Host, bodies: Map<string, VmBody>) => void;
  /**
   * Keep the copy-on-write overlays of the VMs' writable drives in files under this directory
   * (DIR/ID/DRIVE.*) so guest writes outlive the host; default in memory.
   */
  overlayDir?: string;
  /** The secret shared with the hosts VMs migrate from and to (none: this host takes no part in migrations). */
  migrationSecret?: string;
  /** The host's membership of a cluster, once it has joined (src/cluster/; the /cluster routes). */
  cluster?: () => ClusterMember | undefined;
}

/** Turns an API body into a VM configuration, reading the files it names (disks are checked, and opened by the host). */
export function vmConfigFromBody(id: string, b: VmBody, overlayDir?: string): VmConfig {
  const mc = b["machine-config"], bs = b["boot-source"];
  const mode = mc.mode ?? "para";
  let boot: BootSource;
  if ((mode === "container") !== (bs.container !== undefined)) {
    throw new HypervisorError("invalid_config", mode === "container" ? "boot-source: mode container needs boot-source.container (root and args)" : "boot-source: container needs machine-config mode container");
  }
  try {
    if (bs.container) {
      const { root, args, env, hostname } = bs.container;
      for (const k of ["image", "kernel_image_path", "initrd_path", "firmware_path", "boot_args"] as const) {
        if (bs[k] !== undefined) throw new HypervisorError("invalid_config", `boot-source: ${k} is not for containers`);
      }
      if (b.drives?.length) throw new HypervisorError("invalid_config", "drives: a container's files are its root (no drives)");
      try { openContainerRoot(root); } catch (e) { // refused now rather than at its start
        if (e instanceof RootError) throw new HypervisorError("invalid_config", `boot-source.container: ${e.message}`);
        throw e;
      }
      boot = { kind: "container", root, argv: args, env, hostname };
    } else if (bs.image === "demo") boot = { kind: "bare", image: readGuestFile(join(packageRoot(), "guests/demo/demo.elf")) };
    else if (bs.image === "linux" || bs.kernel_image_path) {
      boot = { kind: "linux", mode: mode as "full" | "para", images: loadLinuxImages({ bundled: bs.image === "linux", kernel: bs.kernel_image_path, initrd: bs.initrd_path, firmware: bs.firmware_path, append: bs.boot_args, mode: mode as "full" | "para" }) };
    } else {
      throw new HypervisorError("invalid_config", "boot-source: give image (linux or demo) or kernel_image_path");
    }
  } catch (e) {
    if (e instanceof GuestFileError) throw new HypervisorError("invalid_config", `boot-source: ${e.message}`);
    throw e;
  }
  const diskFiles = (b.drives ?? []).map((d) => ({ path: d.path_on_host, readOnly: d.is_read_only ?? false, writeThrough: false,
    overlay: overlayDir ? overlayPath(overlayDir, id, d.drive_id) : undefined, rateLimiter: limiter(d.rate_limiter) }));
  try {
    checkDiskFiles(diskFiles);
  } catch (e) {
    if (e instanceof GuestFileError) throw new HypervisorError("invalid_config", `drives: ${e.message}`);
    throw e;
  }
  const rp = b["restart-policy"];
  const nic = b["network-interfaces"]?.[0];
  if (nic?.guest_mac !== undefined) {
    try { parseMac(nic.guest_mac); } catch (e) { throw new HypervisorError("invalid_config", `network-interfaces: guest_mac ${(e as Error).message}`); }
  }
  if (nic && (nic.switch === undefined) === (nic.user_mode === undefined)) {
    throw new HypervisorError("invalid_config", "network-interfaces: give switch or user_mode (one of them)");
  }
  for (const f of nic?.user_mode?.host_forwards ?? []) {
    try { parseForward(f); } catch (e) { throw new HypervisorError("invalid_config", `network-interfaces: host_forwards: ${(e as Error).message}`); }
  }
  return {
    net: !nic ? undefined : { ...(nic.switch !== undefined ? { switch: nic.switch } : { user: { forwards: nic.user_mode!.host_forwards ?? [] } }),
      mac: nic.guest_mac, rx: limiter(nic.rx_rate_limiter), tx: limiter(nic.tx_rate_limiter) },
    id, memSize: mc.mem_size_mib * 2 ** 20, boot, diskFiles, shares: mc.cpu_shares, cpuCap: mc.cpu_cap_percent, jit: mc.jit, trackDirtyPages: mc.track_dirty_pages,
    restart: rp?.policy, maxRestarts: rp?.max_restarts, backoffMs: rp?.backoff_ms,
  };
}

/** A snapshot file, whole (expanded, Diffs merged onto their bases); its problems are a 400. */
function snapshotFile(path: string): Uint8Array {
  try { return readSnapshotFile(path); } catch (e) {
    if (e instanceof GuestFileError) throw new HypervisorError("invalid_config", `snapshot_path: ${e.message}`);
    if (e instanceof SnapshotError) throw new HypervisorError("invalid_config", e.message);
    throw e;
  }
}

/** Firecracker's rate limiter body as the devices' configuration. */
function limiter(b: RateLimiterBody | undefined): RateLimiterConfig | undefined {
  if (!b) return undefined;
  const bucket = (t: TokenBucketBody | undefined) => t && { size: t.size, oneTimeBurst: t.one_time_burst, refillTimeMs: t.refill_time };
  return { ...(b.bandwidth && { bandwidth: bucket(b.bandwidth) }), ...(b.ops && { ops: bucket(b.ops) }) };
}

function overlayPath(dir: string, id: string, drive: string): string {
  mkdirSync(join(dir, id), { recursive: true });
  return join(dir, id, drive);
}

/** Guest instructions per second of the host CPU time the VM used, in millions. */
function mips(vm: VmView): number { return vm.cpuMs > 0 ? vm.stats().instructions / (vm.cpuMs * 1000) : 0; }

/** What a VM is, as ps shows it: full, para (Linux or bare metal) or container. */
function modeOf(vm: VmView): string {
  const b = vm.config.boot;
  return b.kind === "container" ? "container" : b.mode ?? "full";
}

function describe(vm: VmView, body: VmBody | undefined) {
  const st = vm.stats();
  return {
    id: vm.id, state: vm.state, reason: vm.reason || undefined, exit_code: vm.exitCode >= 0 ? vm.exitCode : undefined,
    restarts: vm.restarts, config: body,
    stats: { cpu_ms: Math.round(vm.cpuMs), instructions: st.instructions, mips: Math.round(mips(vm) * 10) / 10, exceptions: st.exceptions, interrupts: st.interrupts, hypercalls: st.hypercalls,
      jit_instructions: st.jitInstructions },
  };
}

export function buildServer(hv: Host, options: ServerOptions = {}): FastifyInstance {
  const validVmBody = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: false }).compile(vmBody);
  const app = Fastify({ bodyLimit: 64 * 1024, ajv: { customOptions: { allErrors: false, removeAdditional: false, coerceTypes: false, useDefaults: false } } });
  const bodies = new Map<string, VmBody>();

  app.addContentTypeParser("text/plain", { parseAs: "string", bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));

  if (options.token) {
    const want = `Bearer ${options.token}`;
    app.addHook("onRequest", async (req, reply) => {
      if (req.url.split("?")[0] === MIGRATION_PATH) return; // the migration secret authenticates it
      if (req.headers.authorization !== want) await reply.code(401).send({ fault_message: "missing or wrong access token" });
    });
  }

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof HypervisorError) return reply.code(err.status).send({ fault_message: err.message, code: err.code });
    if (err.validation) {
      const v = err.validation[0];
      const where = `${err.validationContext ?? "body"}${v.instancePath ? v.instancePath.replace(/\//g, ".") : ""}`;
      const extra = (v.params as { additionalProperty?: string }).additionalProperty;
      const msg = extra ? `${where}: unknown field '${extra}'` : `${where}: ${v.message}`;
      return reply.code(400).send({ fault_message: msg, code: "invalid_config" });
    }
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ fault_message: err.message });
    return reply.code(500).send({ fault_message: `internal error: ${err.message}` });
  });

  app.get("/vms", async () => [...hv.vms.values()].map((vm) => ({ id: vm.id, mode: modeOf(vm), state: vm.state, reason: vm.reason || undefined })));

  app.put<{ Params: { id: string }; Body: VmBody }>("/vms/:id", { schema: { params: vmId, body: vmBody } }, async (req, reply) => {
    const { id } = req.params;
    if (hv.vms.has(id)) throw new HypervisorError("already_exists", `a VM '${id}' exists`);
    hv.create(vmConfigFromBody(id, req.body, options.overlayDir));
    bodies.set(id, req.body);
    options.onChange?.(hv, bodies);
    return reply.code(204).send();
  });

  // The parts of a VM one at a time (Firecracker's pre-boot resources). A VM not yet defined is
  // kept as a draft until it has its machine-config and boot-source; a defined one may change
  // while it is still `created` (it is redefined with the new body).
  const drafts = new Map<string, Partial<VmBody>>();
  const setPart = async (id: string, change: (b: Partial<VmBody>) => void) => {
    const vm = hv.vms.get(id);
    if (vm && vm.state !== "created") {
      throw new HypervisorError("invalid_state", `cannot change the configuration of VM '${id}': it is ${vm.state} (allowed before it starts)`);
    }
    const body: Partial<VmBody> = structuredClone(bodies.get(id) ?? drafts.get(id) ?? {});
    change(body);
    if (!body["machine-config"] || !body["boot-source"]) { drafts.set(id, body); return; }
    const config = vmConfigFromBody(id, body as VmBody, options.overlayDir); // checks the files before anything changes
    const free = hv.memoryLimit - hv.committed + (vm?.config.memSize ?? 0);
    if (config.memSize > free) {
      throw new HypervisorError("insufficient_memory", `VM '${id}' needs ${config.memSize >> 20} MiB of RAM; ${free >> 20} MiB of the host's ${hv.memoryLimit / 2 ** 20} MiB are free`);
    }
    if (vm) await hv.delete(id);
    // A drive that now names another image (or is gone) starts with an empty overlay.
    if (options.overlayDir) {
      for (const d of bodies.get(id)?.drives ?? []) {
        if (!body.drives?.some((n) => n.drive_id === d.drive_id && n.path_on_host === d.path_on_host)) PersistentOverlay.remove(join(options.overlayDir, id, d.drive_id));
      }
    }
    hv.create(config);
    drafts.delete(id);
    bodies.set(id, body as VmBody);
    options.onChange?.(hv, bodies);
  };
  app.put<{ Params: { id: string }; Body: VmBody["machine-config"] }>("/vms/:id/machine-config", { schema: { params: vmId, body: machineConfig } }, async (req, reply) => {
    await setPart(req.params.id, (b) => { b["machine-config"] = req.body; });
    return reply.code(204).send();
  });
  app.put<{ Params: { id: string }; Body: VmBody["boot-source"] }>("/vms/:id/boot-source", { schema: { params: vmId, body: bootSource } }, async (req, reply) => {
    await setPart(req.params.id, (b) => { b["boot-source"] = req.body; });
    return reply.code(204).send();
  });
  app.put<{ Params: { id: string; drive: string }; Body: NonNullable<VmBody["drives"]>[number] }>("/vms/:id/drives/:drive",
    { schema: { params: { type: "object", properties: { ...vmId.properties, drive: drive.properties.drive_id }, required: ["id", "drive"] }, body: drive } }, async (req, reply) => {
      if (req.body.drive_id !== req.params.drive) throw new HypervisorError("invalid_config", `drive_id '${req.body.drive_id}' is not the drive in the path ('${req.params.drive}')`);
      await setPart(req.params.id, (b) => {
        const drives = (b.drives ?? []).filter((d) => d.drive_id !== req.body.drive_id);
        drives.push(req.body);
        if (drives.length > 7) throw new HypervisorError("invalid_config", "drives: at most 7");
        b.drives = drives;
      });
      return reply.code(204).send();
    });

  app.get<{ Params: { id: string } }>("/vms/:id", { schema: { params: vmId } }, async (req) => {
    const vm = hv.vms.get(req.params.id);
    if (!vm) throw new HypervisorError("not_found", `no VM '${req.params.id}'`);
    return describe(vm, bodies.get(vm.id));
  });

  app.put<{ Params: { id: string }; Body: { action_type: ActionType; timeout_ms?: number } }>("/vms/:id/actions", { schema: { params: vmId, body: actionBody } }, async (req, reply) => {
    const id = req.params.id;
    if (req.body.timeout_ms !== undefined && req.body.action_type !== "Stop") {
      throw new HypervisorError("invalid_config", `timeout_ms: only for Stop, not ${req.body.action_type}`);
    }
    switch (req.body.action_type) {
      case "InstanceStart": await hv.start(id); break;
      case "Pause": await hv.pause(id); break;
      case "Resume": await hv.resume(id); break;
      case "Stop": await hv.stop(id, req.body.timeout_ms); break;
      case "Reboot": await hv.reboot(id); break;
      case "SendCtrlAltDel": await hv.sendCtrlAltDel(id); break;
    }
    return reply.code(204).send();
  });

  app.delete<{ Params: { id: string } }>("/vms/:id", { schema: { params: vmId } }, async (req, reply) => {
    if (drafts.delete(req.params.id) && !hv.vms.has(req.params.id)) return reply.code(204).send();
    await hv.delete(req.params.id);
    if (options.overlayDir) rmSync(join(options.overlayDir, req.params.id), { recursive: true, force: true });
    bodies.delete(req.params.id);
    options.onChange?.(hv, bodies);
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>("/vms/:id/events", { schema: { params: vmId } }, async (req) => {
    const vm = hv.vms.get(req.params.id);
    if (!vm) throw new HypervisorError("not_found", `no VM '${req.params.id}'`);
    return vm.events;
  });

  app.get<{ Params: { id: string } }>("/vms/:id/console", { schema: { params: vmId } }, async (req, reply) => {
    const vm = hv.vms.get(req.params.id);
    if (!vm) throw new HypervisorError("not_found", `no VM '${req.params.id}'`);
    return reply.type("text/plain; charset=utf-8").send(Buffer.from(vm.console.contents()));
  });

  app.put<{ Params: { id: string }; Body: string }>("/vms/:id/console", { schema: { params: vmId } }, async (req, reply) => {
    if (typeof req.body !== "string") throw new HypervisorError("invalid_config", "console input: send a text/plain body");
    hv.input(req.params.id, new TextEncoder().encode(req.body));
    return reply.code(204).send();
  });

  // Messages up to a migration's largest (its state); the console takes 64 KiB at a time.
  void app.register(websocket, { options: { maxPayload: MAX_MIGRATION_MESSAGE } });
  void app.register(async (scope) => {
    scope.get<{ Params: { id: string } }>("/vms/:id/console/ws", { websocket: true, schema: { params: vmId } }, (socket, req) => {
      const vm = hv.vms.get(req.params.id);
      if (!vm) { socket.close(4404, `no VM '${req.params.id}'`); return; }
      const past = vm.console.contents();
      if (past.length) socket.send(past);
      const listener = (b: Uint8Array) => { if (socket.readyState === socket.OPEN) socket.send(b); };
      vm.console.listeners.add(listener);
      socket.on("message", (data: Buffer) => {
        if (data.length > 64 * 1024) { socket.close(1009, "console input: 64 KiB at a time"); return; }
        try { hv.input(vm.id, new Uint8Array(data)); } catch (e) { socket.send(`\r\n[wasmvisor: ${(e as Error).message}]\r\n`); }
      });
      socket.on("close", () => vm.console.listeners.delete(listener));
    });
  });

  registerCluster(app, options.cluster ?? (() => undefined), (id, body) => { vmConfigFromBody(id, body); });

  registerMigration(app, hv, {
    secret: options.migrationSecret,
    bodies,
    define: (id, body) => {
      if (!validVmBody(body)) throw new HypervisorError("invalid_config", `the source's definition of VM '${id}' is not valid here: ${validVmBody.errors?.[0]?.instancePath ?? ""} ${validVmBody.errors?.[0]?.message ?? ""}`.trim());
      // Overlay files left from an earlier stay of this VM here are not its disks' state now.
      if (options.overlayDir) rmSync(join(options.overlayDir, id), { recursive: true, force: true });
      const config = vmConfigFromBody(id, body, options.overlayDir);
      // On the source's machine (loopback) the forwards' ports are free once the source lets go.
      if (config.net?.user) config.net.user.retryForwardsMs = 10_000;
      hv.create(config);
      bodies.set(id, body);
    },
    // The VM is gone from this host (migrated away, or a failed incoming one): its definition
    // and overlay files with it.
    forget: (id) => {
      bodies.delete(id);
      if (options.overlayDir) rmSync(join(options.overlayDir, id), { recursive: true, force: true });
      options.onChange?.(hv, bodies);
    },
    arrived: () => options.onChange?.(hv, bodies),
  });

  app.put<{ Params: { id: string }; Body: { snapshot_path: string; snapshot_type?: "Full" | "Diff"; compress?: boolean } }>("/vms/:id/snapshot/create", { schema: { params: vmId, body: snapshotCreateBody } }, async (req, reply) => {
    // The path as given is what a Diff records of its base: load Diffs from where they were written.
    const path = resolve(req.body.snapshot_path);
    const snap = await hv.snapshot(req.params.id, bodies.get(req.params.id), { type: req.body.snapshot_type ?? "Full", path });
    try { writeSnapshotFile(path, snap, req.body.compress ?? false); } catch (e) {
      throw new HypervisorError("invalid_config", `snapshot_path: cannot write ${path}: ${(e as Error).message}`);
    }
    return reply.code(204).send();
  });

  app.put<{ Params: { id: string }; Body: { snapshot_path: string; resume_vm?: boolean } }>("/vms/:id/snapshot/load", { schema: { params: vmId, body: snapshotLoadBody } }, async (req, reply) => {
    const bytes = snapshotFile(req.body.snapshot_path);
    await hv.restore(req.params.id, bytes, req.body.resume_vm ?? false);
    return reply.code(204).send();
  });

  // A snapshot that names its VM (every one this host made does): the VM is defined from the
  // snapshot's own definition when the host does not have it, then the snapshot is loaded.
  app.put<{ Body: { snapshot_path: string; resume_vm?: boolean } }>("/snapshot/load", { schema: { body: snapshotLoadBody } }, async (req, reply) => {
    const bytes = snapshotFile(req.body.snapshot_path);
    let meta;
    try { meta = snapshotVm(bytes); } catch (e) { throw new HypervisorError("invalid_config", (e as Error).message); }
    if (!meta) throw new HypervisorError("invalid_config", "snapshot: it does not name its VM; load it into one with PUT /vms/{id}/snapshot/load");
    const id = meta.id;
    if (!hv.vms.has(id)) {
      const body = meta.body as VmBody | undefined;
      if (!body || typeof body !== "object") throw new HypervisorError("invalid_config", `snapshot: VM '${id}' is not defined here and the snapshot carries no definition of it`);
      if (!validVmBody(body)) throw new HypervisorError("invalid_config", `snapshot: its definition of VM '${id}' is not valid: ${validVmBody.errors?.[0]?.instancePath ?? ""} ${validVmBody.errors?.[0]?.message ?? ""}`.trim());
      hv.create(vmConfigFromBody(id, body, options.overlayDir));
      bodies.set(id, body);
      options.onChange?.(hv, bodies);
    }
    await hv.restore(id, bytes, req.body.resume_vm ?? true);
    return reply.code(200).send({ id, state: hv.vms.get(id)!.state });
  });

  app.get("/openapi.json", async () => openapi());

  app.get("/metrics", async (_req, reply) => reply.type("text/plain; version=0.0.4").send(metrics(hv)));

  return app;
}

/** Prometheus text format: per VM and for the host. */
export function metrics(hv: Host): string {
  const lines: string[] = [];
  const head = (name: string, type: string, help: string) => { lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`); };
  const vms = [...hv.vms.values()];
  head("wasmvisor_vm_instructions_total", "counter", "Guest instructions executed.");
  for (const vm of vms) lines.push(`wasmvisor_vm_instructions_total{vm="${vm.id}"} ${vm.stats().instructions}`);
  head("wasmvisor_vm_jit_instructions_total", "counter", "Guest instructions run by compiled (JIT) code.");
  for (const vm of vms) lines.push(`wasmvisor_vm_jit_instructions_total{vm="${vm.id}"} ${vm.stats().jitInstructions}`);
  head("wasmvisor_vm_mips", "gauge", "Guest instructions per second of host CPU time used, in millions (since the VM last booted).");
  for (const vm of vms) lines.push(`wasmvisor_vm_mips{vm="${vm.id}"} ${mips(vm).toFixed(3)}`);
  head("wasmvisor_vm_cpu_seconds_total", "counter", "Host CPU time used by the VM.");
  for (const vm of vms) lines.push(`wasmvisor_vm_cpu_seconds_total{vm="${vm.id}"} ${(vm.cpuMs / 1000).toFixed(6)}`);
  head("wasmvisor_vm_exits_total", "counter", "Exceptions, interrupts and hypercalls, by kind.");
  for (const vm of vms) {
    const st = vm.stats();
    for (const k of ["exceptions", "interrupts", "hypercalls"] as const) lines.push(`wasmvisor_vm_exits_total{vm="${vm.id}",kind="${k}"} ${st[k]}`);
  }
  head("wasmvisor_vm_restarts_total", "counter", "Restarts by the restart policy.");
  for (const vm of vms) lines.push(`wasmvisor_vm_restarts_total{vm="${vm.id}"} ${vm.restarts}`);
  head("wasmvisor_vm_state", "gauge", "1 for the VM's current state.");
  for (const vm of vms) lines.push(`wasmvisor_vm_state{vm="${vm.id}",state="${vm.state}"} 1`);
  head("wasmvisor_host_vms", "gauge", "VMs by state.");
  for (const s of ["created", "running", "paused", "shutoff", "crashed"]) lines.push(`wasmvisor_host_vms{state="${s}"} ${vms.filter((v) => v.state === s).length}`);
  head("wasmvisor_host_memory_committed_bytes", "gauge", "Guest RAM committed to VMs.");
  lines.push(`wasmvisor_host_memory_committed_bytes ${hv.committed}`);
  head("wasmvisor_host_jit_cache_bytes", "gauge", "Compiled guest code (Wasm bytes) in the process-wide JIT cache.");
  const code = hv.codeBytes();
  lines.push(`wasmvisor_host_jit_cache_bytes ${code.cache}`);
  head("wasmvisor_host_jit_installed_bytes", "gauge", "Compiled guest code (Wasm bytes) installed in the process's VMs, bounded process-wide (coldest evicted first).");
  lines.push(`wasmvisor_host_jit_installed_bytes ${code.installed}`);
  head("wasmvisor_host_memory_limit_bytes", "gauge", "Guest RAM the host may commit.");
  lines.push(`wasmvisor_host_memory_limit_bytes ${hv.memoryLimit}`);
  return lines.join("\n") + "\n";
}

/** The API as an OpenAPI 3.1 document, built from the same schemas the server validates with. */
export function openapi(): Record<string, unknown> {
  const errorResponse = { description: "error", content: { "application/json": { schema: { type: "object", properties: { fault_message: { type: "string" }, code: { type: "string", enum: Object.keys(ERRORS) } } } } } };
  const idParam = [{ name: "id", in: "path", required: true, schema: vmId.properties.id }];
  const errs = (...codes: number[]) => Object.fromEntries(codes.map((c) => [String(c), errorResponse]));
  return {
    openapi: "3.1.0",
    info: { title: "wasmvisor", version: "1", description: "VMs of one wasmvisor host. Resources are shaped as Firecracker's, one level down per VM id." },
    paths: {
      "/vms": { get: { summary: "List the VMs", responses: { 200: { description: "VMs with their state" } } } },
      "/vms/{id}": {
        put: { summary: "Create a VM", parameters: idParam, requestBody: { required: true, content: { "application/json": { schema: vmBody } } }, responses: { 204: { description: "created" }, ...errs(400, 409, 507) } },
        get: { summary: "Describe a VM", parameters: idParam, responses: { 200: { description: "config, state, reason, statistics" }, ...errs(404) } },
        delete: { summary: "Delete a VM (stopping it)", parameters: idParam, responses: { 204: { description: "deleted" }, ...errs(404) } },
      },
      "/vms/{id}/machine-config": { put: { summary: "Set the VM's machine configuration (before it starts)", parameters: idParam, requestBody: { required: true, content: { "application/json": { schema: machineConfig } } }, responses: { 204: { description: "set" }, ...errs(400, 409) } } },
      "/vms/{id}/boot-source": { put: { summary: "Set what the VM boots (before it starts)", parameters: idParam, requestBody: { required: true, content: { "application/json": { schema: bootSource } } }, responses: { 204: { description: "set" }, ...errs(400, 409) } } },
      "/vms/{id}/drives/{drive}": { put: { summary: "Add or replace a drive (before the VM starts)", parameters: [...idParam, { name: "drive", in: "path", required: true, schema: drive.properties.drive_id }], requestBody: { required: true, content: { "application/json": { schema: drive } } }, responses: { 204: { description: "set" }, ...errs(400, 409) } } },
      "/vms/{id}/actions": { put: { summary: "Act on a VM", parameters: idParam, requestBody: { required: true, content: { "application/json": { schema: actionBody } } }, responses: { 204: { description: "done" }, ...errs(400, 404, 409) }, description: `action_type: ${ACTIONS.join(", ")}` } },
      "/vms/{id}/events": { get: { summary: "The VM's event log", parameters: idParam, responses: { 200: { description: "events" }, ...errs(404) } } },
      "/vms/{id}/console": {
        get: { summary: "The last 64 KiB of the console", parameters: idParam, responses: { 200: { description: "text" }, ...errs(404) } },
        put: { summary: "Type into the console", parameters: idParam, requestBody: { content: { "text/plain": { schema: { type: "string" } } } }, responses: { 204: { description: "sent" }, ...errs(404, 409) } },
      },
      "/vms/{id}/console/ws": { get: { summary: "The console as a WebSocket (the last 64 KiB, then live; messages are typed in)", parameters: idParam, responses: { 101: { description: "switching protocols" } } } },
      "/vms/{id}/snapshot/create": { put: { summary: "Save a paused VM to a snapshot file", parameters: idParam, requestBody: { required: true, content: { "application/json": { schema: snapshotCreateBody } } }, responses: { 204: { description: "written" }, ...errs(400, 404, 409) } } },
      "/vms/{id}/snapshot/load": { put: { summary: "Load a snapshot into a VM that is not running (same configuration)", parameters: idParam, requestBody: { required: true, content: { "application/json": { schema: snapshotLoadBody } } }, responses: { 204: { description: "loaded" }, ...errs(400, 404, 409) } } },
      "/snapshot/load": { put: { summary: "Load a snapshot into the VM it names, defining that VM from the snapshot when this host has not got it; resumed unless resume_vm is false", requestBody: { required: true, content: { "application/json": { schema: snapshotLoadBody } } }, responses: { 200: { description: "{ id, state }" }, ...errs(400, 409) } } },
      "/vms/{id}/migrate": { put: { summary: "Move a running or paused VM to another wasmvisor host (live migration: pre-copy, then a short stop-and-copy); answers once it runs there", parameters: idParam, requestBody: { required: true, content: { "application/json": { schema: migrateBody } } }, responses: { 200: { description: "{ id, destination, rounds, round_pages, bytes, total_ms, downtime_ms }" }, ...errs(400, 404, 409, 502) } } },
      [MIGRATION_PATH]: { get: { summary: "The WebSocket another host's migration connects to (authenticated by the shared migration secret)", responses: { 101: { description: "switching protocols" } } } },
      "/cluster": { get: { summary: "This host's part in its cluster (serve --cluster): its id, the leader, whether it is fenced", responses: { 200: { description: "{ host_id, leader, etcd_reachable, fenced, lease_ttl_s, lease_valid_ms, prefix }" }, ...errs(503) } } },
      "/cluster/hosts": { get: { summary: "The cluster's live hosts", responses: { 200: { description: "[{ id, api, memory_limit_mib, leader }]" }, ...errs(503) } } },
      "/cluster/vms": { get: { summary: "The cluster's VMs: where each is placed and runs", responses: { 200: { description: "[{ id, state, host, placed_on, running_since, restarts, reason, config }]" }, ...errs(503) } } },
      "/cluster/vms/{id}": {
        put: { summary: "A VM for the cluster to run: placed on a host with room, restarted elsewhere when that host dies (as its restart policy allows)", parameters: idParam, requestBody: { required: true, content: { "application/json": { schema: vmBody } } }, responses: { 204: { description: "defined" }, ...errs(400, 409, 503) } },
        get: { summary: "A cluster VM", parameters: idParam, responses: { 200: { description: "{ id, state, host, ... }" }, ...errs(404, 503) } },
        delete: { summary: "Stop running a VM in the cluster", parameters: idParam, responses: { 204: { description: "removed" }, ...errs(404, 503) } },
      },
      "/cluster/events": { get: { summary: "What this host's membership went through (joined, leader, fenced, started, stopped)", responses: { 200: { description: "[{ time, type, detail }]" }, ...errs(503) } } },
      "/openapi.json": { get: { summary: "This document", responses: { 200: { description: "OpenAPI 3.1" } } } },
      "/metrics": { get: { summary: "Prometheus metrics", responses: { 200: { description: "text format 0.0.4" } } } },
    },
  };
}
