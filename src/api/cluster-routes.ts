// The API's cluster routes (src/cluster/ does the work); any host of the cluster answers them:
//   GET    /cluster              this host's part: its id, the leader, whether it is fenced
//   GET    /cluster/hosts        the live hosts (their API address, memory, which one leads)
//   GET    /cluster/vms          the cluster's VMs: where each is placed and runs, restarts, why
//   GET    /cluster/vms/{id}
//   PUT    /cluster/vms/{id}     a VM for the cluster to run (the body of PUT /vms/{id}, and
//                               "snapshot": {"path", "interval_s"} for periodic snapshots): the
//                               leader places it on a host with room, and again elsewhere when
//                               that host dies (as its restart policy allows), which resumes
//                               its latest snapshot if it has them
//   DELETE /cluster/vms/{id}     the host that runs it stops it
//   GET    /cluster/events       what this host's membership went through (joined, leader,
//                               fenced, started, stopped)
import type { FastifyInstance } from "fastify";
import { ClusterError, withDeadline, type ClusterMember, type ClusterVm } from "../cluster/member.js";
import { HypervisorError } from "../hypervisor/errors.js";
import { clusterVmBody, vmId, type ClusterVmBody, type VmBody } from "./schema.js";

/** The routes answer once `member()` returns the host's membership (undefined: not in a cluster). */
export function registerCluster(app: FastifyInstance, member: () => ClusterMember | undefined, check: (id: string, body: VmBody) => void): void {
  const m = (): ClusterMember => {
    const c = member();
    if (!c) throw new HypervisorError("cluster_unavailable", "this host is not in a cluster (serve --cluster ETCD_URL)");
    return c;
  };
  /** An etcd call; etcd out of reach is a 503. */
  const ask = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await withDeadline(f(), "the request", 5000);
    } catch (e) {
      if (e instanceof HypervisorError) throw e;
      if (e instanceof ClusterError) throw new HypervisorError("already_exists", e.message);
      throw new HypervisorError("cluster_unavailable", `etcd is out of reach: ${(e as Error).message}`);
    }
  };

  // Answers from what the host knows when etcd does not (a fenced host says so).
  app.get("/cluster", async () => {
    const c = m();
    let leader: string | null = null, reachable = true;
    try { leader = await withDeadline(c.leader(), "the leader", 1000); } catch { reachable = false; }
    return { host_id: c.hostId, leader, etcd_reachable: reachable, fenced: c.isFenced, lease_ttl_s: c.ttl, lease_valid_ms: c.leaseValidMs, prefix: c.prefix };
  });
  app.get("/cluster/hosts", async () => (await ask(() => m().hosts())).map((h) => ({ id: h.id, api: h.api, memory_limit_mib: Math.floor(h.memoryLimit / 2 ** 20), leader: h.leader })));
  app.get("/cluster/vms", async () => (await ask(() => m().vms())).map(describe));
  app.get<{ Params: { id: string } }>("/cluster/vms/:id", { schema: { params: vmId } }, async (req) => {
    const vm = (await ask(() => m().vms())).find((v) => v.id === req.params.id);
    if (!vm) throw new HypervisorError("not_found", `the cluster has no VM '${req.params.id}'`);
    return describe(vm);
  });
  app.put<{ Params: { id: string }; Body: ClusterVmBody }>("/cluster/vms/:id", { schema: { params: vmId, body: clusterVmBody } }, async (req, reply) => {
    const c = m();
    const { snapshot: _, ...vm } = req.body;
    check(req.params.id, vm); // the files it names exist here (hosts share them)
    await ask(() => c.define(req.params.id, req.body));
    return reply.code(204).send();
  });
  app.delete<{ Params: { id: string } }>("/cluster/vms/:id", { schema: { params: vmId } }, async (req, reply) => {
    if (!(await ask(() => m().remove(req.params.id)))) throw new HypervisorError("not_found", `the cluster has no VM '${req.params.id}'`);
    return reply.code(204).send();
  });
  app.get("/cluster/events", async () => m().events);
}

function describe(vm: ClusterVm) {
  const p = vm.placement;
  return {
    id: vm.id,
    state: vm.running ? "running" : p?.state === "placed" ? "starting" : p?.state ?? "pending",
    host: vm.running?.host ?? p?.host ?? null,
    placed_on: p?.host ?? null,
    running_since: vm.running ? new Date(vm.running.since).toISOString() : undefined,
    restarts: p?.restarts ?? 0,
    reason: p?.reason,
    config: vm.body,
  };
}
