// `wasmvisor serve`: the hypervisor host with its HTTP API, on loopback (or a Unix socket) by
// default; any other address needs an access token. With --state-dir, VM definitions are kept
// in DIR/vms.json (written atomically) and come back when the host restarts; those with the
// `always` restart policy start by themselves, and what guests wrote to their drives is kept in
// DIR/disks (copy-on-write overlays in files; the images themselves are never written). The VMs run on a pool of worker threads (one per
// core by default), or with --workers 0 on the main thread.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { buildServer } from "../api/server.js";
import type { VmBody } from "../api/schema.js";
import type { Host } from "../hypervisor/host.js";
import { Hypervisor } from "../hypervisor/hypervisor.js";
import { loadCoreModule } from "../node/core-module.js";
import { openDisks } from "../node/guest-files.js";
import { nodeSockets } from "../node/host-sockets.js";
import { nodeContainerHost } from "../node/container-host.js";
import { createWorkerPool } from "../node/worker-pool.js";
import { SetupError } from "./run-command.js";
import { ClusterError, ClusterMember } from "../cluster/member.js";
import { DEFAULT_LISTEN, type ServeArgs } from "./args.js";


const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 0 || port > 65535) throw new SetupError(`invalid --listen value '${text}': expected HOST:PORT`);
  return { host: m[1].replace(/^\[|\]$/g, ""), port };
}

export async function serveCommand(a: ServeArgs): Promise<number> {
  const token = a.token ?? process.env.WASMVISOR_TOKEN;
  const listen = a.socket ? undefined : parseListen(a.listen ?? DEFAULT_LISTEN);
  if (listen && !LOOPBACK.has(listen.host) && !token) {
    throw new SetupError(`serve: listening on ${listen.host} (not loopback) needs an access token (--token or WASMVISOR_TOKEN)`);
  }
  const hv: Host = a.workers === 0
    ? new Hypervisor(loadCoreModule(), { memoryLimit: a.memoryLimit, openDisks, sockets: nodeSockets, containers: nodeContainerHost })
    : createWorkerPool({ workers: a.workers, memoryLimit: a.memoryLimit });
  const statePath = a.stateDir ? join(a.stateDir, "vms.json") : undefined;
  const save = (_hv: Host, bodies: Map<string, VmBody>) => {
    if (!statePath) return;
    const tmp = `${statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(bodies), null, 2) + "\n");
    renameSync(tmp, statePath); // atomic: a crash leaves the old file or the new one
  };
  const migrationSecret = a.migrationSecret ?? process.env.WASMVISOR_MIGRATION_SECRET;
  if (migrationSecret !== undefined && migrationSecret.length < 16) throw new SetupError("serve: the migration secret (WASMVISOR_MIGRATION_SECRET) must be at least 16 characters");
  let member: ClusterMember | undefined;
  const app = buildServer(hv, { token, onChange: save, overlayDir: a.stateDir ? join(a.stateDir, "disks") : undefined, migrationSecret, cluster: () => member });
  if (a.stateDir && statePath) {
    mkdirSync(a.stateDir, { recursive: true });
    let saved: Record<string, VmBody> = {};
    try { saved = JSON.parse(readFileSync(statePath, "utf8")) as Record<string, VmBody>; } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new SetupError(`${statePath}: not a wasmvisor state file (${(e as Error).message})`);
    }
    for (const [id, body] of Object.entries(saved)) {
      // Recreate through the API so the same validation applies to what was saved.
      const r = await app.inject({ method: "PUT", url: `/vms/${encodeURIComponent(id)}`, payload: body });
      if (r.statusCode !== 204) { process.stderr.write(`wasmvisor serve: cannot restore VM '${id}': ${r.json().fault_message}\n`); continue; }
      if (body["restart-policy"]?.policy === "always") await hv.start(id);
    }
  }
  const address = a.socket ? await app.listen({ path: a.socket }) : await app.listen({ host: listen!.host, port: listen!.port });
  const where = a.workers === 0 ? "VMs on the main thread" : `VMs on ${(hv as ReturnType<typeof createWorkerPool>).workers} worker threads`;
  process.stderr.write(`wasmvisor serve: listening on ${address}, ${where}${statePath ? `, state in ${statePath}` : ""}\n`);
  if (a.cluster) {
    const c = a.cluster;
    const port = new URL(address).port;
    const advertise = c.advertise ?? (a.socket ? undefined : address);
    if (!advertise) throw new SetupError("serve: --cluster with --socket needs --advertise URL (how the other hosts reach this API)");
    const hostId = c.hostId ?? `${hostname().replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 56)}-${port}`;
    try {
      member = new ClusterMember({ endpoints: c.endpoints, hostId, api: advertise, memoryLimit: hv.memoryLimit, leaseTtl: c.leaseTtl, prefix: c.prefix,
        log: (line) => process.stderr.write(`wasmvisor serve: ${line}\n`) });
      await member.join({ request: async (method, url, payload) => {
        const r = await app.inject({ method, url, payload: payload as object });
        return { status: r.statusCode, body: r.body ? (r.json() as Record<string, unknown>) : {} };
      } });
    } catch (e) {
      await app.close();
      await hv.close();
      if (e instanceof ClusterError) throw new SetupError(`serve: ${e.message}`);
      throw e;
    }
    process.stderr.write(`wasmvisor serve: in the cluster at ${c.endpoints.join(",")} as host '${hostId}' (lease TTL ${member.ttl} s)\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await member?.close(); // its VMs stop here and the leader places them elsewhere
  await app.close();
  await hv.close();
  return 0;
}
