// One host's part in a cluster of `wasmvisor serve` hosts that share an etcd (v3 API, through the
// etcd3 client). Node-only. Under the cluster's prefix (KEYS says what each key holds):
//
//   hosts/ID        the host's API address and memory, put under the host's lease: it exists
//                   while the host keeps its lease alive and vanishes when it dies
//   leader          the elected leader's host id, under its lease: the first host to create the
//                   key (an etcd election: create-if-absent, lost with the lease) places VMs
//   vms/ID          a VM the cluster runs (its API body), written by any host's API
//   placement/ID    where it runs ({state, host, restarts, ...}), written by the leader only,
//                   in transactions that check the leader key is still its own (placement.ts
//                   decides)
//   status/ID       "running on HOST since T", under that host's lease
//
// Every host watches the placements and runs what is placed on it (defining the VM through its
// own API, so the same checks apply) and stops what is placed elsewhere.
//
// Fencing: a VM runs on at most one host at a time, even when a host loses etcd but goes on
// running (a partition). A host keeps its lease alive itself and counts its lease as valid until
// the time it *sent* its last renewal that etcd acknowledged, plus the TTL, less a margin: etcd
// cannot expire the lease before that moment. Past it, the host stops its VMs at once (it
// fences itself), before etcd can expire the lease, before the leader can see the host gone and
// place the VMs elsewhere. It starts VMs again only with a lease it has renewed since.
import { Etcd3, EtcdLeaseInvalidError, type Lease, type Namespace, type Watcher } from "etcd3";
import { ETCD_ENDPOINT_PATTERN, HOST_ID_PATTERN, LEASE_TTL_MAX, LEASE_TTL_MIN, parsePlacement, plan, PREFIX_PATTERN, type ClusterHost, type Placement, type WantedVm } from "./placement.js";
import type { ClusterVmBody as VmBody } from "../api/schema.js";
import type { RestartPolicy } from "../hypervisor/vm.js";

/** The host's own API, for the VMs the cluster places on it (an in-process request: fastify's inject). */
export interface LocalApi {
  request(method: "GET" | "PUT" | "DELETE", url: string, payload?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
}

export interface ClusterOptions {
  /** etcd client URLs ("http://127.0.0.1:2379"). */
  endpoints: string[];
  /** This host's id in the cluster (unique among the live hosts). */
  hostId: string;
  /** This host's API as the other hosts and clients reach it ("http://HOST:PORT"). */
  api: string;
  /** Guest RAM this host's VMs may commit (bytes). */
  memoryLimit: number;
  /** Key prefix of the cluster in etcd (default "/wasmvisor/"). */
  prefix?: string;
  /** Lease TTL in seconds (default 5; at least 2): a dead host's VMs restart elsewhere after about this long. */
  leaseTtl?: number;
  log?: (line: string) => void;
}

export class ClusterError extends Error {
  constructor(message: string) { super(message); this.name = "ClusterError"; }
}

/** A VM as the cluster sees it. */
export interface ClusterVm {
  id: string;
  body: VmBody;
  placement: Placement | undefined;
  /** The host that reports it running, and since when (wall-clock ms). */
  running: { host: string; since: number } | undefined;
}

export interface ClusterEvent { time: number; type: string; detail?: string }

export const DEFAULT_PREFIX = "/wasmvisor/";
export const DEFAULT_LEASE_TTL = 5;

const KEYS = {
  hosts: "hosts/", host: (id: string) => `hosts/${id}`,
  vms: "vms/", vm: (id: string) => `vms/${id}`,
  placements: "placement/", placement: (id: string) => `placement/${id}`,
  statuses: "status/", status: (id: string) => `status/${id}`,
  leader: "leader",
} as const;

const MIB = 2 ** 20;
const CALL_MS = 3000; // deadline of a call to etcd

export class ClusterMember {
  readonly hostId: string;
  readonly prefix: string;
  readonly ttl: number;
  readonly events: ClusterEvent[] = [];
  private readonly margin: number;
  private client: Etcd3 | undefined;
  private ns: Namespace | undefined;
  private local: LocalApi | undefined;
  private lease: Lease | undefined;
  private leaseId = "";
  /** performance.now() until which the lease is certainly alive in etcd. */
  private validUntil = 0;
  private fenced = false;
  private leading = false;
  private closed = false;
  private renewing = false;
  private readonly watchers: Watcher[] = [];
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  /** VMs this host runs for the cluster. */
  private readonly mine = new Set<string>();
  /** Runs what is placed on this host and stops what is not; the leader's placing. */
  private readonly localPass = new Serial(() => this.reconcileOnce(), () => !this.closed, (e) => this.opts.log?.(`cluster: running the placed VMs failed: ${e.message}`));
  private readonly placing = new Serial(() => this.placeOnce(), () => this.isLeader, (e) => this.opts.log?.(`cluster: placing VMs failed: ${e.message}`));
  private leaderTimer: ReturnType<typeof setTimeout> | undefined;
  /** Periodic snapshots of this host's cluster VMs that have them. */
  private readonly snapshotTimers = new Map<string, ReturnType<typeof setInterval>>();
  private readonly snapshotting = new Set<string>();

  constructor(private readonly opts: ClusterOptions) {
    if (!HOST_ID_PATTERN.test(opts.hostId)) throw new ClusterError(`invalid host id '${opts.hostId}': 1-64 characters of A-Z a-z 0-9 _ . -`);
    if (!opts.endpoints.length) throw new ClusterError("no etcd endpoint given");
    for (const e of opts.endpoints) if (!ETCD_ENDPOINT_PATTERN.test(e)) throw new ClusterError(`invalid etcd endpoint '${e}': expected http://HOST:PORT`);
    this.hostId = opts.hostId;
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    if (!PREFIX_PATTERN.test(this.prefix)) throw new ClusterError(`invalid cluster prefix '${this.prefix}': a key path starting and ending with /`);
    this.ttl = opts.leaseTtl ?? DEFAULT_LEASE_TTL;
    if (!Number.isInteger(this.ttl) || this.ttl < LEASE_TTL_MIN || this.ttl > LEASE_TTL_MAX) throw new ClusterError(`invalid lease TTL ${this.ttl}: an integer number of seconds from ${LEASE_TTL_MIN} to ${LEASE_TTL_MAX}`);
    // Time to stop the VMs (a worker pool's answer) and for the two clocks' rates to differ.
    this.margin = Math.max(500, this.ttl * 100);
  }

  get isLeader(): boolean { return this.leading && this.canRun(); }
  get isFenced(): boolean { return this.fenced; }
  /** ms the lease is known to be alive for (0: fenced or expired). */
  get leaseValidMs(): number { return Math.max(0, Math.round(this.validUntil - performance.now())); }

  private note(type: string, detail?: string): void {
    this.events.push({ time: Date.now(), type, detail });
    if (this.events.length > 1000) this.events.splice(0, this.events.length - 1000);
    this.opts.log?.(`cluster: ${type}${detail ? `: ${detail}` : ""}`);
  }

  private get etcd(): Namespace {
    if (!this.ns) throw new ClusterError("not joined to the cluster");
    return this.ns;
  }

  /** Connects, registers this host (waiting out a previous life's lease), and starts taking part. */
  async join(local: LocalApi): Promise<void> {
    this.local = local;
    this.client = new Etcd3({ hosts: this.opts.endpoints, dialTimeout: CALL_MS });
    this.ns = this.client.namespace(this.prefix);
    const give = performance.now() + (this.ttl + 2) * 1000;
    for (;;) {
      try { await this.register(); break; } catch (e) {
        // The same id alive elsewhere, or this host's previous process whose lease has not expired yet.
        if (!(e instanceof ClusterError) || performance.now() > give) {
          this.client.close();
          throw e instanceof ClusterError ? e : new ClusterError(`cannot reach etcd at ${this.opts.endpoints.join(", ")}: ${(e as Error).message}`);
        }
        await sleep(250);
      }
    }
    for (const prefix of [KEYS.placements, KEYS.hosts, KEYS.vms]) {
      const w = await this.etcd.watch().prefix(prefix).create();
      w.on("put", () => this.changed(prefix)).on("delete", () => this.changed(prefix)).on("error", () => { /* the client reconnects */ });
      this.watchers.push(w);
    }
    const lw = await this.etcd.watch().key(KEYS.leader).create();
    lw.on("delete", () => { void this.campaign(); }).on("error", () => { /* the client reconnects */ });
    this.watchers.push(lw);
    this.timers.push(setInterval(() => { void this.renew(); }, (this.ttl * 1000) / 4));
    this.timers.push(setInterval(() => this.checkLease(), 100));
    // A periodic look as well as the watches: a watch event lost in a reconnect is caught here.
    this.timers.push(setInterval(() => { this.changed(KEYS.placements); this.changed(KEYS.hosts); }, this.ttl * 1000));
    await this.campaign();
    this.changed(KEYS.placements);
  }

  /** A new lease, and this host's key under it (refused while another live lease holds the id). */
  private async register(): Promise<void> {
    const lease = this.etcd.lease(this.ttl, { autoKeepAlive: false });
    const sentAt = performance.now();
    const id = await withDeadline(lease.grant(), "lease grant");
    const info = { id: this.hostId, api: this.opts.api, memory_limit: this.opts.memoryLimit };
    const r = await this.etcd.if(KEYS.host(this.hostId), "Create", "==", 0)
      .then(this.etcd.put(KEYS.host(this.hostId)).value(JSON.stringify(info)).lease(id)).commit();
    if (!r.succeeded) {
      await lease.revoke().catch(() => undefined);
      throw new ClusterError(`host id '${this.hostId}' is taken by a live host of the cluster`);
    }
    this.lease = lease;
    this.leaseId = id;
    this.validUntil = sentAt + this.ttl * 1000 - this.margin;
    this.note("joined", `lease ${id}, TTL ${this.ttl} s`);
  }

  /** Renews the lease; once it has expired, registers this host anew under a new one. */
  private async renew(): Promise<void> {
    if (this.renewing || this.closed) return;
    this.renewing = true;
    const sentAt = performance.now();
    try {
      if (!this.lease) await this.register();
      else {
        const res = await withDeadline(this.lease.keepaliveOnce({ deadline: Date.now() + CALL_MS }), "lease keep-alive");
        const left = Number(res.TTL);
        if (left > 0) this.validUntil = Math.max(this.validUntil, sentAt + left * 1000 - this.margin);
        else this.leaseExpired();
      }
    } catch (e) {
      if (e instanceof EtcdLeaseInvalidError) this.leaseExpired();
      // Otherwise etcd is out of reach: checkLease() fences when the lease may run out.
    } finally {
      this.renewing = false;
    }
    if (this.fenced && !this.closed && performance.now() < this.validUntil) {
      this.fenced = false;
      this.note("unfenced", "the lease is renewed: this host runs the VMs placed on it again");
      void this.campaign();
      this.changed(KEYS.placements);
    }
  }

  /** etcd says the lease is gone: fenced until the next renewal registers a new one. */
  private leaseExpired(): void {
    this.fence("the lease expired in etcd");
    this.lease = undefined;
  }

  private canRun(): boolean { return !this.closed && !this.fenced && performance.now() < this.validUntil; }

  private checkLease(): void {
    if (!this.fenced && !this.closed && performance.now() >= this.validUntil) this.fence("etcd did not renew the lease in time");
  }

  /** Stops every VM this host runs for the cluster, at once: another host may soon run them. */
  private fence(why: string): void {
    if (this.fenced) return;
    this.fenced = true;
    this.leading = false;
    const vms = [...this.mine];
    this.note("fenced", `${why}; stopping ${vms.length ? vms.join(", ") : "no VMs"}`);
    this.mine.clear();
    for (const id of vms) void this.removeLocal(id);
  }

  private async campaign(): Promise<void> {
    if (!this.canRun() || !this.ns) return;
    try {
      const r = await this.etcd.if(KEYS.leader, "Create", "==", 0)
        .then(this.etcd.put(KEYS.leader).value(this.hostId).lease(this.leaseId)).commit();
      const now = r.succeeded || (await this.etcd.get(KEYS.leader).string()) === this.hostId;
      if (now && !this.leading) this.note("leader", "this host places the cluster's VMs");
      this.leading = now;
      if (now) this.changed(KEYS.vms);
    } catch { /* etcd out of reach: the next change or look tries again */ }
  }

  /** Something under `prefix` changed: this host's VMs and, if it leads, the placements are looked at again. */
  private changed(prefix: string): void {
    if (this.closed) return;
    if (prefix === KEYS.placements) this.localPass.run();
    if (this.leading) {
      if (this.leaderTimer) return;
      this.leaderTimer = setTimeout(() => { this.leaderTimer = undefined; this.placing.run(); }, 20);
    }
  }

  // ---- the leader ------------------------------------------------------------------------------

  private async placeOnce(): Promise<void> {
    const [hosts, vms, placements] = await Promise.all([this.readHosts(), this.readVms(), this.etcd.getAll().prefix(KEYS.placements).exec()]);
    const placed = new Map<string, Placement>();
    const rev = new Map<string, string>();
    for (const kv of placements.kvs) {
      const id = kv.key.toString().slice(KEYS.placements.length); // keys come back without the prefix
      const p = parsePlacement(kv.value.toString());
      rev.set(id, kv.mod_revision);
      if (p) placed.set(id, p);
    }
    const wanted: WantedVm[] = [];
    for (const [id, body] of vms) wanted.push(wantedOf(id, body));
    // A placement that does not parse is placed anew.
    const changes = plan(hosts, wanted, placed, Date.now());
    for (const [id, p] of changes) {
      if (!this.isLeader) return;
      const key = KEYS.placement(id);
      let txn = this.etcd.if(KEYS.leader, "Lease", "==", this.leaseId).and(KEYS.leader, "Value", "==", this.hostId);
      txn = rev.has(id) ? txn.and(key, "Mod", "==", rev.get(id)!) : txn.and(key, "Create", "==", 0);
      if (p?.state === "placed") txn = txn.and(KEYS.host(p.host!), "Create", ">", 0);
      const r = await txn.then(p ? this.etcd.put(key).value(JSON.stringify(p)) : this.etcd.delete().key(key)).commit();
      if (!r.succeeded) { this.placing.run(); continue; } // another pass with what etcd holds now
      if (p?.state === "placed") this.opts.log?.(`cluster: placed ${id} on ${p.host}${p.reason ? ` (${p.reason})` : ""}`);
      else if (p) this.opts.log?.(`cluster: ${id} is ${p.state}: ${p.reason}`);
    }
  }

  private async readHosts(): Promise<ClusterHost[]> {
    const all = await this.etcd.getAll().prefix(KEYS.hosts).strings();
    const out: ClusterHost[] = [];
    for (const [key, text] of Object.entries(all)) {
      const h = parseJson(text) as { id?: unknown; api?: unknown; memory_limit?: unknown } | undefined;
      const id = key.slice(KEYS.hosts.length);
      if (h && h.id === id && typeof h.api === "string" && typeof h.memory_limit === "number" && h.memory_limit >= 0) out.push({ id, api: h.api, memoryLimit: h.memory_limit });
    }
    return out;
  }

  private async readVms(): Promise<Map<string, VmBody>> {
    const all = await this.etcd.getAll().prefix(KEYS.vms).strings();
    const out = new Map<string, VmBody>();
    for (const [key, text] of Object.entries(all)) {
      const body = parseJson(text) as VmBody | undefined;
      if (body && typeof body === "object" && typeof body["machine-config"]?.mem_size_mib === "number") out.set(key.slice(KEYS.vms.length), body);
    }
    return out;
  }

  // ---- this host's VMs ---------------------------------------------------------------------

  private async reconcileOnce(): Promise<void> {
    const all = await this.etcd.getAll().prefix(KEYS.placements).strings();
    const here = new Map<string, Placement>();
    for (const [key, text] of Object.entries(all)) {
      const p = parsePlacement(text);
      if (p?.state === "placed" && p.host === this.hostId) here.set(key.slice(KEYS.placements.length), p);
    }
    for (const id of [...this.mine]) if (!here.has(id)) { this.mine.delete(id); await this.removeLocal(id); }
    for (const [id, p] of here) {
      if (this.mine.has(id) || !this.canRun()) continue;
      const body = parseJson((await this.etcd.get(KEYS.vm(id)).string()) ?? "") as VmBody | undefined;
      if (!body) continue;
      await this.startLocal(id, body, p.restarts > 0);
    }
  }

  /**
   * Defines and starts a VM placed here: after a failover (`restarted`), from its latest snapshot
   * if it has them and one is there, else booted from its disks.
   */
  private async startLocal(id: string, cluster: VmBody, restarted: boolean): Promise<void> {
    const local = this.local!;
    const url = `/vms/${encodeURIComponent(id)}`;
    const { snapshot, ...body } = cluster;
    // A VM of that id left here from before (fenced, or stopped) goes first.
    await this.removeLocal(id);
    if (!this.canRun()) return;
    let r = await local.request("PUT", url, body);
    let resumed = false;
    if (r.status === 204 && snapshot && restarted) {
      const load = await local.request("PUT", `${url}/snapshot/load`, { snapshot_path: snapshot.path, resume_vm: true });
      resumed = load.status === 204;
      this.note(resumed ? "resumed" : "snapshot-unused", resumed ? `${id} from ${snapshot.path}` : `${id}: ${String(load.body.fault_message ?? load.status)}; booting it`);
    }
    if (r.status === 204 && !resumed) r = await local.request("PUT", `${url}/actions`, { action_type: "InstanceStart" });
    if (r.status !== 204) {
      this.note("start-failed", `${id}: ${String(r.body.fault_message ?? r.status)}`);
      await local.request("DELETE", `/vms/${encodeURIComponent(id)}`);
      return;
    }
    if (!this.canRun()) { await this.removeLocal(id); return; } // fenced meanwhile
    this.mine.add(id);
    this.note("started", id);
    if (snapshot) this.snapshotTimers.set(id, setInterval(() => { void this.snapshotOnce(id, snapshot.path); }, (snapshot.interval_s ?? 60) * 1000));
    await this.etcd.put(KEYS.status(id)).value(JSON.stringify({ host: this.hostId, since: Date.now() })).lease(this.leaseId).exec().catch(() => undefined);
  }

  /** Writes a snapshot of a running cluster VM here (paused meanwhile), unless fenced. */
  private async snapshotOnce(id: string, path: string): Promise<void> {
    if (!this.mine.has(id) || !this.canRun() || this.snapshotting.has(id)) return;
    const local = this.local!;
    const url = `/vms/${encodeURIComponent(id)}`;
    this.snapshotting.add(id);
    try {
      if ((await local.request("GET", url)).body.state !== "running") return;
      const t = performance.now();
      await local.request("PUT", `${url}/actions`, { action_type: "Pause" });
      let r;
      try {
        r = this.canRun() ? await local.request("PUT", `${url}/snapshot/create`, { snapshot_type: "Full", snapshot_path: path }) : undefined;
      } finally {
        if (this.mine.has(id)) await local.request("PUT", `${url}/actions`, { action_type: "Resume" });
      }
      if (r && r.status !== 204) this.note("snapshot-failed", `${id}: ${String(r.body.fault_message ?? r.status)}`);
      else if (r) this.note("snapshot", `${id} to ${path} (paused ${Math.round(performance.now() - t)} ms)`);
    } finally {
      this.snapshotting.delete(id);
    }
  }

  /** Stops a VM here at once and forgets it (nothing if this host has none of that id). */
  private async removeLocal(id: string): Promise<void> {
    clearInterval(this.snapshotTimers.get(id));
    this.snapshotTimers.delete(id);
    const local = this.local!;
    const url = `/vms/${encodeURIComponent(id)}`;
    const r = await local.request("GET", url);
    if (r.status === 404) return;
    if (r.body.state === "running" || r.body.state === "paused") await local.request("PUT", `${url}/actions`, { action_type: "Stop", timeout_ms: 0 });
    await local.request("DELETE", url);
    this.note("stopped", id);
    if (this.ns && !this.fenced) {
      await this.etcd.if(KEYS.status(id), "Lease", "==", this.leaseId).then(this.etcd.delete().key(KEYS.status(id))).commit().catch(() => undefined);
    }
  }

  // ---- what the API asks ---------------------------------------------------------------------

  /** Adds a VM to the cluster (refused if the id is taken). */
  async define(id: string, body: VmBody): Promise<void> {
    const r = await this.etcd.if(KEYS.vm(id), "Create", "==", 0).then(this.etcd.put(KEYS.vm(id)).value(JSON.stringify(body))).commit();
    if (!r.succeeded) throw new ClusterError(`the cluster has a VM '${id}'`);
  }

  /** Removes a VM from the cluster (the host that runs it stops it); false if there is none. */
  async remove(id: string): Promise<boolean> {
    const r = await this.etcd.delete().key(KEYS.vm(id)).exec();
    return Number(r.deleted) > 0;
  }

  async hosts(): Promise<(ClusterHost & { leader: boolean })[]> {
    const [hosts, leader] = await Promise.all([this.readHosts(), this.etcd.get(KEYS.leader).string()]);
    return hosts.sort((a, b) => (a.id < b.id ? -1 : 1)).map((h) => ({ ...h, leader: h.id === leader }));
  }

  async leader(): Promise<string | null> { return this.etcd.get(KEYS.leader).string(); }

  async vms(): Promise<ClusterVm[]> {
    const [vms, placements, statuses] = await Promise.all([this.readVms(), this.etcd.getAll().prefix(KEYS.placements).strings(), this.etcd.getAll().prefix(KEYS.statuses).strings()]);
    return [...vms].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, body]) => {
      const s = parseJson(statuses[KEYS.status(id)] ?? "") as { host?: unknown; since?: unknown } | undefined;
      const placement = placements[KEYS.placement(id)] !== undefined ? parsePlacement(placements[KEYS.placement(id)]) : undefined;
      const running = s && typeof s.host === "string" && typeof s.since === "number" ? { host: s.host, since: s.since } : undefined;
      return { id, body, placement, running };
    });
  }

  /** Leaves the cluster: stops this host's cluster VMs and gives up the lease (the leader places them elsewhere). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of [...this.timers, ...this.snapshotTimers.values()]) clearInterval(t);
    if (this.leaderTimer) clearTimeout(this.leaderTimer);
    await this.localPass.done;
    for (const id of [...this.mine]) await this.removeLocal(id).catch(() => undefined);
    this.mine.clear();
    await Promise.all(this.watchers.map((w) => w.cancel().catch(() => undefined)));
    await this.lease?.revoke().catch(() => undefined);
    this.client?.close();
  }
}

/** Runs `pass` one at a time while `go()` holds; asked again while it runs, it runs once more after. */
class Serial {
  private busy = false;
  private again = false;
  /** Settles when the current passes are over. */
  done: Promise<void> = Promise.resolve();
  constructor(private readonly pass: () => Promise<void>, private readonly go: () => boolean, private readonly failed: (e: Error) => void) {}

  run(): void {
    if (this.busy) { this.again = true; return; }
    this.busy = true;
    this.done = (async () => {
      try {
        do {
          this.again = false;
          if (!this.go()) return;
          await this.pass();
        } while (this.again);
      } catch (e) {
        this.failed(e as Error);
      } finally {
        this.busy = false;
      }
    })();
  }
}

function wantedOf(id: string, body: VmBody): WantedVm {
  const rp = body["restart-policy"];
  return { id, memory: body["machine-config"].mem_size_mib * MIB, restart: (rp?.policy ?? "never") as RestartPolicy, maxRestarts: rp?.max_restarts ?? 5 };
}

function parseJson(text: string): unknown {
  try { return JSON.parse(text); } catch { return undefined; }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A call to etcd that gives up after `ms` (the client retries on its own for longer). */
export function withDeadline<T>(p: Promise<T>, what: string, ms = CALL_MS): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<never>((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: no answer from etcd in ${ms} ms`)), ms); })]).finally(() => clearTimeout(t));
}

