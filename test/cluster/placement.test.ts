// The leader's placement rules (src/cluster/placement.ts), without etcd.
import { describe, expect, it } from "vitest";
import { parsePlacement, plan, type ClusterHost, type Placement, type WantedVm } from "../../src/cluster/placement.js";

const MIB = 2 ** 20;
const host = (id: string, mib: number): ClusterHost => ({ id, api: `http://${id}:8417`, memoryLimit: mib * MIB });
const vm = (id: string, mib: number, restart: WantedVm["restart"] = "on-failure", maxRestarts = 5): WantedVm => ({ id, memory: mib * MIB, restart, maxRestarts });
const placed = (host: string | null, restarts = 0, state: Placement["state"] = "placed"): Placement => ({ state, host, restarts, since: 1 });
const NOW = 1000;

describe("cluster placement", () => {
  it("places new VMs on the host with the most free memory, the lower id on a tie", () => {
    const c = plan([host("b", 1024), host("a", 1024), host("c", 512)], [vm("v1", 256), vm("v2", 256), vm("v3", 256)], new Map(), NOW);
    expect([...c].map(([id, p]) => [id, p?.host])).toEqual([["v1", "a"], ["v2", "b"], ["v3", "a"]]);
    expect(c.get("v1")).toEqual({ state: "placed", host: "a", restarts: 0, reason: undefined, since: NOW });
  });

  it("counts the VMs already placed against their host, and leaves them there", () => {
    const c = plan([host("a", 1024), host("b", 1024)], [vm("old", 768), vm("new", 512)], new Map([["old", placed("a")]]), NOW);
    expect(c.has("old")).toBe(false);
    expect(c.get("new")?.host).toBe("b");
  });

  it("restarts the VMs of a host that left elsewhere, as their restart policy says", () => {
    const wanted = [vm("keep", 128, "always"), vm("fail", 128, "on-failure"), vm("once", 128, "never"), vm("tired", 128, "always", 2)];
    const now = new Map([["keep", placed("dead")], ["fail", placed("dead", 1)], ["once", placed("dead")], ["tired", placed("dead", 2)]]);
    const c = plan([host("a", 1024)], wanted, now, NOW);
    expect(c.get("keep")).toMatchObject({ state: "placed", host: "a", restarts: 1, reason: "restarted after host dead left the cluster" });
    expect(c.get("fail")).toMatchObject({ state: "placed", host: "a", restarts: 2 });
    expect(c.get("once")).toMatchObject({ state: "failed", host: null, restarts: 0, reason: "host dead left the cluster; restart policy never" });
    expect(c.get("tired")).toMatchObject({ state: "failed", host: null, reason: "host dead left the cluster; max_restarts (2) reached" });
  });

  it("keeps a VM pending while no host has room, and places it once one has", () => {
    const first = plan([host("a", 256)], [vm("big", 512)], new Map(), NOW);
    expect(first.get("big")).toEqual({ state: "pending", host: null, restarts: 0, reason: "no host has 512 MiB free (the most is 256 MiB)", since: NOW });
    // Unchanged, it is not written again.
    expect(plan([host("a", 256)], [vm("big", 512)], new Map([["big", first.get("big")!]]), NOW + 1).size).toBe(0);
    expect(plan([], [vm("big", 512)], new Map(), NOW).get("big")?.reason).toBe("no host in the cluster");
    const later = plan([host("a", 256), host("b", 1024)], [vm("big", 512)], new Map([["big", first.get("big")!]]), NOW);
    expect(later.get("big")).toMatchObject({ state: "placed", host: "b", restarts: 0 });
  });

  it("a lost VM with no room left waits with its restart counted, then is placed", () => {
    const c = plan([host("a", 128)], [vm("v", 512)], new Map([["v", placed("gone")]]), NOW);
    expect(c.get("v")).toMatchObject({ state: "pending", restarts: 1 });
    const d = plan([host("a", 128), host("b", 512)], [vm("v", 512)], new Map([["v", c.get("v")!]]), NOW);
    expect(d.get("v")).toMatchObject({ state: "placed", host: "b", restarts: 1 });
  });

  it("removes the placements of VMs no longer wanted, and leaves failed ones alone", () => {
    const c = plan([host("a", 1024)], [vm("down", 128)], new Map([["gone", placed("a")], ["down", placed(null, 3, "failed")]]), NOW);
    expect([...c]).toEqual([["gone", null]]);
  });

  it("reads back only well-formed placements", () => {
    expect(parsePlacement(JSON.stringify(placed("a", 2)))).toEqual(placed("a", 2));
    for (const bad of ["", "nul", "[]", "{}", JSON.stringify({ ...placed("a"), state: "lost" }), JSON.stringify({ ...placed(null), state: "placed" }),
      JSON.stringify({ ...placed("a"), restarts: -1 }), JSON.stringify({ ...placed("a"), restarts: 1.5 }), JSON.stringify({ ...placed("a"), since: "x" }),
      JSON.stringify({ ...placed("a"), reason: 5 }), JSON.stringify({ ...placed("a"), host: 7 })]) {
      expect(parsePlacement(bad), bad).toBeUndefined();
    }
  });
});
