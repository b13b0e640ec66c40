// Cluster failover on etcd, with `wasmvisor serve` hosts as processes on loopback:
// - three hosts run two Linux VMs with web pages behind port forwards; one host is killed with
//   SIGKILL and its VM answers again from another host (the time from the kill to the first
//   answer is printed);
// - a host cut off from etcd (a relay in between is cut) stops its VM before another host starts
//   it, so the VM never runs on two hosts, and when the partition heals it does not take the VM
//   back.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.js";
import { Hypervisor } from "../../src/hypervisor/hypervisor.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { cli, ROOT } from "../helpers/cli-process.js";
import { fetchPage, startClusterHost, waitFor, webVm, type ClusterHostProcess } from "../helpers/cluster-hosts.js";
import { startEtcd, testPrefix, type TestEtcd } from "../helpers/etcd.js";
import { freePort } from "../helpers/ports.js";
import { sleep } from "../helpers/wait.js";

const hosts: ClusterHostProcess[] = [];
let etcd: TestEtcd;

async function serve(id: string, etcdUrl: string, prefix: string, memory: string): Promise<ClusterHostProcess> {
  const h = await startClusterHost({ id, etcd: etcdUrl, prefix, memory, leaseTtl: 2, from: "source" });
  hosts.push(h);
  return h;
}

const quietVm = { "machine-config": { mem_size_mib: 128 }, "boot-source": { image: "linux" }, "restart-policy": { policy: "on-failure" } };

/** A TCP relay to etcd that can be cut (every connection dropped, new ones refused) and healed. */
async function etcdRelay(to: number) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const open = () => new Promise<void>((r) => {
    server = createServer((client) => {
      const up = new Socket();
      up.connect(to, "127.0.0.1");
      sockets.add(client); sockets.add(up);
      client.pipe(up); up.pipe(client);
      const end = () => { client.destroy(); up.destroy(); sockets.delete(client); sockets.delete(up); };
      client.on("error", end); up.on("error", end); client.on("close", end); up.on("close", end);
    });
    server.listen(port, "127.0.0.1", () => r());
  });
  await open();
  return {
    url: `http://127.0.0.1:${port}`,
    cut: async () => {
      const closed = new Promise((r) => server!.close(r)); // once its connections are gone too
      for (const s of sockets) s.destroy();
      await closed;
    },
    heal: open,
  };
}

beforeAll(async () => { etcd = await startEtcd(); }, 60_000);
afterAll(async () => {
  for (const h of hosts) if (h.proc.exitCode === null) h.proc.kill("SIGKILL");
  await etcd?.stop();
});

describe("cluster on etcd", () => {
  it("restarts the VMs of a host killed with SIGKILL on the others, which answer behind the same forwards", async () => {
    const prefix = testPrefix();
    const [h1, h2, h3] = [await serve("h1", etcd.url, prefix, "600M"), await serve("h2", etcd.url, prefix, "600M"), await serve("h3", etcd.url, prefix, "600M")];
    expect((await h2.api("GET", "/cluster/hosts")).body.map((h: { id: string }) => h.id)).toEqual(["h1", "h2", "h3"]);
    const leader = (await h3.api("GET", "/cluster")).body.leader;
    expect(["h1", "h2", "h3"]).toContain(leader);

    const ports = { web1: await freePort(), web2: await freePort() };
    expect((await h3.api("PUT", "/cluster/vms/web1", webVm(128, ports.web1))).status).toBe(204);
    expect((await h3.api("PUT", "/cluster/vms/web2", webVm(128, ports.web2))).status).toBe(204);
    expect((await h1.api("PUT", "/cluster/vms/web1", webVm(128, ports.web1))).body.code).toBe("already_exists");
    for (const id of ["web1", "web2"] as const) await waitFor(`${id}'s page`, async () => ((await fetchPage(ports[id])).includes(id) ? true : undefined), 120_000);
    const before = (await h1.api("GET", "/cluster/vms")).body as { id: string; state: string; host: string }[];
    expect(before.map((v) => v.state)).toEqual(["running", "running"]);
    // Each on a host of its own: the leader places on the host with the most free memory.
    expect(new Set(before.map((v) => v.host)).size).toBe(2);

    const victim = hosts.find((h) => h.id === before[0].host)!;
    const killedAt = performance.now();
    victim.proc.kill("SIGKILL");
    const survivor = [h1, h2, h3].find((h) => h !== victim)!;
    await waitFor("web1 placed elsewhere", async () => ((await survivor.api("GET", "/cluster/vms/web1")).body.placed_on !== victim.id ? true : undefined), 30_000);
    const placedMs = performance.now() - killedAt;
    await waitFor("web1 answering again", async () => ((await fetchPage(ports.web1)).includes("web1") ? true : undefined), 120_000);
    const answerMs = performance.now() - killedAt;
    const after = (await survivor.api("GET", "/cluster/vms/web1")).body;
    expect(after.state).toBe("running");
    expect(after.host).not.toBe(victim.id);
    expect(after.restarts).toBe(1);
    expect(after.reason).toBe(`restarted after host ${victim.id} left the cluster`);
    expect((await fetchPage(ports.web2)).includes("web2")).toBe(true);
    expect((await survivor.api("GET", "/cluster/hosts")).body.map((h: { id: string }) => h.id)).not.toContain(victim.id);
    // The CLI shows the same.
    const ps = await cli(["cluster", "ps", "--host", `http://127.0.0.1:${survivor.port}`]);
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(new RegExp(`^ID +STATE +HOST +RESTARTS +REASON\n`));
    expect(ps.stdout).toMatch(new RegExp(`\nweb1 +running +${after.host} +1 +restarted after host ${victim.id} left the cluster\n`));
    const hl = await cli(["cluster", "hosts", "--host", `http://127.0.0.1:${survivor.port}`, "--json"]);
    expect(JSON.parse(hl.stdout).map((h: { id: string }) => h.id)).toEqual(["h1", "h2", "h3"].filter((id) => id !== victim.id));
    console.log(`cluster failover: SIGKILL of host ${victim.id} to web1's page answering from host ${after.host}: ${Math.round(answerMs)} ms (placed there after ${Math.round(placedMs)} ms; lease TTL 2 s)`);

    expect((await survivor.api("DELETE", "/cluster/vms/web1")).status).toBe(204);
    await waitFor("web1 stopped", async () => ((await survivor.api("GET", "/cluster/vms")).body.length === 1 && (await hosts.find((h) => h.id === after.host)!.api("GET", "/vms/web1")).status === 404 ? true : undefined));
    expect((await survivor.api("DELETE", "/cluster/vms/web1")).body.code).toBe("not_found");
    for (const h of [h1, h2, h3]) if (h !== victim) h.proc.kill("SIGTERM");
  }, 300_000);

  it("fences a host cut off from etcd: its VM stops before another host starts it, and stays there after the partition heals", async () => {
    const prefix = testPrefix();
    const relay = await etcdRelay(etcd.port);
    // The cut-off host has the more free memory, so the VM is placed on it first.
    const a = await serve("a", relay.url, prefix, "1G");
    const b = await serve("b", etcd.url, prefix, "512M");
    expect((await b.api("PUT", "/cluster/vms/p1", quietVm)).status).toBe(204);
    await waitFor("p1 running on a", async () => ((await a.api("GET", "/vms/p1")).body.state === "running" ? true : undefined));

    await relay.cut();
    await waitFor("p1 running on b", async () => ((await b.api("GET", "/vms/p1")).body.state === "running" ? true : undefined), 30_000);
    const fenced = (await a.api("GET", "/cluster/events")).body.filter((e: { type: string }) => e.type === "fenced");
    expect(fenced.length).toBe(1);
    expect(fenced[0].detail).toMatch(/stopping p1/);
    expect((await a.api("GET", "/vms/p1")).status).toBe(404);
    expect((await a.api("GET", "/cluster")).body.fenced).toBe(true);
    const started = (await b.api("GET", "/vms/p1/events")).body.find((e: { type: string }) => e.type === "started");
    // At most one host at a time: a stopped it (fenced) before b started it.
    const stoppedOnA = (await a.api("GET", "/cluster/events")).body.find((e: { type: string; detail?: string }) => e.type === "stopped" && e.detail === "p1");
    expect(stoppedOnA.time).toBeLessThan(started.time);
    expect(fenced[0].time).toBeLessThan(started.time);

    await relay.heal();
    await waitFor("a back in the cluster", async () => ((await a.api("GET", "/cluster")).body.fenced === false ? true : undefined), 30_000).catch((e) => { throw new Error(`${(e as Error).message}; its log:\n${a.log()}`); });
    await sleep(1000); // the placements are looked at again
    expect((await a.api("GET", "/vms/p1")).status).toBe(404);
    expect((await b.api("GET", "/vms/p1")).body.state).toBe("running");
    expect((await b.api("GET", "/cluster/hosts")).body.map((h: { id: string }) => h.id)).toEqual(["a", "b"]);
    a.proc.kill("SIGTERM"); b.proc.kill("SIGTERM");
  }, 180_000);

  it("resumes a VM from its latest snapshot on the host it fails over to", async () => {
    const prefix = testPrefix();
    const dir = mkdtempSync(join(tmpdir(), "wasmvisor-cluster-snap-"));
    const s1 = await serve("s1", etcd.url, prefix, "1G");
    const s2 = await serve("s2", etcd.url, prefix, "512M");
    const port = await freePort();
    const snapshot = { path: join(dir, "snap1.snap"), interval_s: 1 };
    expect((await s2.api("PUT", "/cluster/vms/snap1", { ...webVm(128, port), snapshot })).status).toBe(204);
    expect((await s2.api("PUT", "/cluster/vms/bad", { ...webVm(128, port), snapshot: { path: "x", interval_s: 0 } })).body.fault_message).toMatch(/body.snapshot.interval_s: must be >= 1/);
    await waitFor("snap1's page", async () => ((await fetchPage(port)).includes("VM snap1") ? true : undefined), 120_000);
    expect((await s2.api("GET", "/cluster/vms/snap1")).body.host).toBe("s1");
    // A file in the guest's RAM (its root is an initramfs): only a snapshot can bring it back.
    const console1 = async () => (await fetch(`http://127.0.0.1:${s1.port}/vms/snap1/console`)).text();
    await fetch(`http://127.0.0.1:${s1.port}/vms/snap1/console`, { method: "PUT", headers: { "content-type": "text/plain" }, body: "echo kept-$((6 * 7)) > /tmp/marker; echo written-$((2 * 3))\n" });
    await waitFor("the marker written", async () => (/written-6/.test(await console1()) ? true : undefined));
    const written = Date.now();
    await waitFor("a snapshot after it", async () => ((await s1.api("GET", "/cluster/events")).body.some((e: { type: string; time: number }) => e.type === "snapshot" && e.time > written + 50) ? true : undefined), 30_000);

    s1.proc.kill("SIGKILL");
    await waitFor("snap1 resumed on s2", async () => ((await s2.api("GET", "/cluster/events")).body.some((e: { type: string; detail?: string }) => e.type === "resumed" && e.detail === `snap1 from ${snapshot.path}`) ? true : undefined), 30_000);
    await fetch(`http://127.0.0.1:${s2.port}/vms/snap1/console`, { method: "PUT", headers: { "content-type": "text/plain" }, body: "cat /tmp/marker\n" });
    await waitFor("the marker on s2", async () => (/kept-42/.test(await (await fetch(`http://127.0.0.1:${s2.port}/vms/snap1/console`)).text()) ? true : undefined), 30_000);
    await waitFor("snap1's page from s2", async () => ((await fetchPage(port)).includes("VM snap1") ? true : undefined), 30_000);
    expect((await s2.api("GET", "/cluster/vms/snap1")).body).toMatchObject({ state: "running", host: "s2", restarts: 1 });
    s2.proc.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it("answers the /cluster routes with cluster_unavailable on a host that is not in a cluster", async () => {
    const app = buildServer(new Hypervisor(loadCoreModule()));
    const r = await app.inject({ method: "GET", url: "/cluster/vms" });
    expect(r.statusCode).toBe(503);
    expect(r.json().code).toBe("cluster_unavailable");
    await app.close();
  });

  it("refuses to start a host whose etcd does not answer, with one clear line", async () => {
    const port = await freePort();
    const dead = await freePort();
    const proc = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--workers", "0", "--listen", `127.0.0.1:${port}`,
      "--cluster", `http://127.0.0.1:${dead}`, "--host-id", "lonely", "--lease-ttl", "2"], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    proc.stderr!.setEncoding("utf8").on("data", (d: string) => { err += d; });
    const code = await new Promise<number | null>((r) => proc.once("exit", r));
    expect(code).toBe(2);
    expect(err).toMatch(/cannot reach etcd at http:\/\/127\.0\.0\.1:\d+/);
  }, 60_000);
});
