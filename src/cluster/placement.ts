// Where the cluster's VMs run: the leader's decisions, as a pure function of the hosts alive
// (their etcd leases), the VMs wanted and where they are placed now. No I/O here, so every rule
// is tested without etcd (test/cluster/placement.test.ts).
//
// Rules, in order:
// - a placement whose VM is no longer wanted goes;
// - a VM on a live host stays there (it counts against that host's memory);
// - a VM whose host is gone was lost with it: the restart policy decides (never: it stays
//   failed; on-failure and always: it is placed again, up to max_restarts times);
// - a VM not placed (new, or waiting for room) goes to the live host with the most free memory
//   that can hold it (ties: the lower host id), or waits until one can.
import type { RestartPolicy } from "../hypervisor/vm.js";

/** A host id; the cluster's key prefix in etcd; lease TTL bounds (seconds). */
export const HOST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const PREFIX_PATTERN = /^\/[A-Za-z0-9_.\/-]*\/$/;
export const LEASE_TTL_MIN = 2, LEASE_TTL_MAX = 3600;
/** An etcd client URL: http(s)://HOST:PORT. */
export const ETCD_ENDPOINT_PATTERN = /^https?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/;

export interface ClusterHost {
  id: string;
  /** The host's API, as other hosts and clients reach it ("http://HOST:PORT"). */
  api: string;
  /** Guest RAM the host's VMs may commit (bytes). */
  memoryLimit: number;
}

export interface WantedVm {
  id: string;
  /** Guest RAM (bytes). */
  memory: number;
  restart: RestartPolicy;
  maxRestarts: number;
}

export type PlacementState = "placed" | "pending" | "failed";

export interface Placement {
  state: PlacementState;
  /** The host that runs it ("placed"), or null. */
  host: string | null;
  /** Times it was placed again after losing its host. */
  restarts: number;
  /** Why it is pending or failed, or where it came from. */
  reason?: string;
  /** Wall-clock ms of the decision. */
  since: number;
}

/** The changes to make: a new placement for a VM id, or null to remove its placement. */
export type PlacementChanges = Map<string, Placement | null>;

const MIB = 2 ** 20;

export function plan(hosts: readonly ClusterHost[], wanted: readonly WantedVm[], placed: ReadonlyMap<string, Placement>, now: number): PlacementChanges {
  const changes: PlacementChanges = new Map();
  const want = new Map(wanted.map((v) => [v.id, v]));
  const alive = new Map(hosts.map((h) => [h.id, h]));
  const used = new Map(hosts.map((h) => [h.id, 0]));
  for (const id of placed.keys()) if (!want.has(id)) changes.set(id, null);

  const toPlace: { vm: WantedVm; restarts: number; from?: string }[] = [];
  for (const vm of [...want.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const p = placed.get(vm.id);
    if (!p) { toPlace.push({ vm, restarts: 0 }); continue; }
    if (p.state === "failed") continue;
    if (p.state === "pending") { toPlace.push({ vm, restarts: p.restarts }); continue; }
    if (p.host !== null && alive.has(p.host)) { used.set(p.host, used.get(p.host)! + vm.memory); continue; }
    // Its host is gone, and the VM with it.
    const lost = `host ${p.host} left the cluster`;
    if (vm.restart === "never") changes.set(vm.id, { state: "failed", host: null, restarts: p.restarts, reason: `${lost}; restart policy never`, since: now });
    else if (p.restarts >= vm.maxRestarts) changes.set(vm.id, { state: "failed", host: null, restarts: p.restarts, reason: `${lost}; max_restarts (${vm.maxRestarts}) reached`, since: now });
    else toPlace.push({ vm, restarts: p.restarts + 1, from: p.host ?? undefined });
  }

  for (const { vm, restarts, from } of toPlace) {
    let best: ClusterHost | undefined;
    let bestFree = -1;
    for (const h of [...alive.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const free = h.memoryLimit - used.get(h.id)!;
      if (free >= vm.memory && free > bestFree) { best = h; bestFree = free; }
    }
    if (best) {
      used.set(best.id, used.get(best.id)! + vm.memory);
      changes.set(vm.id, { state: "placed", host: best.id, restarts, reason: from ? `restarted after host ${from} left the cluster` : undefined, since: now });
    } else {
      const largest = Math.max(0, ...[...alive.values()].map((h) => h.memoryLimit - used.get(h.id)!));
      const reason = alive.size === 0 ? "no host in the cluster" : `no host has ${vm.memory / MIB} MiB free (the most is ${Math.floor(largest / MIB)} MiB)`;
      const p = placed.get(vm.id);
      // Unchanged waits are not written again (every write wakes every host's watch).
      if (p?.state !== "pending" || p.reason !== reason || p.restarts !== restarts) changes.set(vm.id, { state: "pending", host: null, restarts, reason, since: now });
    }
  }
  return changes;
}

/** Checks a placement read back from etcd (anyone with access to it could have written it). */
export function parsePlacement(text: string): Placement | undefined {
  let v: unknown;
  try { v = JSON.parse(text); } catch { return undefined; }
  if (typeof v !== "object" || v === null) return undefined;
  const p = v as Record<string, unknown>;
  if (p.state !== "placed" && p.state !== "pending" && p.state !== "failed") return undefined;
  if (!(p.host === null || typeof p.host === "string")) return undefined;
  if (p.state === "placed" && typeof p.host !== "string") return undefined;
  if (!Number.isInteger(p.restarts) || (p.restarts as number) < 0) return undefined;
  if (typeof p.since !== "number" || (p.reason !== undefined && typeof p.reason !== "string")) return undefined;
  return { state: p.state, host: p.host, restarts: p.restarts as number, reason: p.reason as string | undefined, since: p.since };
}
