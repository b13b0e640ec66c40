// Live migration of a booted Linux VM between two API hosts over loopback TCP (a WebSocket):
// `wasmvisor migrate` moves it from a worker pool to another host while it runs; it arrives
// with its console history, its files in RAM and its web page behind the same port forward,
// and its own clock shows the downtime and never goes back. Failures over the real network
// (no secret there, a wrong one, the stream cut, the target process killed) leave it running
// on the source, answering on its console.
import { spawn, type ChildProcess } from "node:child_process";
import { get } from "node:http";
import { createServer, Socket, type AddressInfo } from "node:net";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.js";
import type { Host } from "../../src/hypervisor/host.js";
import { Hypervisor } from "../../src/hypervisor/hypervisor.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { nodeSockets } from "../../src/node/host-sockets.js";
import { createWorkerPool } from "../../src/node/worker-pool.js";
import { until } from "../helpers/wait.js";
import { cli } from "../helpers/cli-process.js";
import { freePort } from "../helpers/ports.js";

const ROOT = resolve(import.meta.dirname, "../..");
const SECRET = "a secret both hosts were given";

async function apiHost(hv: Host, secret: string | null = SECRET) {
  const app = buildServer(hv, { migrationSecret: secret ?? undefined });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const addr = `127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const api = async (method: "GET" | "PUT" | "DELETE", url: string, payload?: unknown) => {
    const r = await app.inject({ method, url, payload: payload as object });
    return { status: r.statusCode, body: r.body ? (r.json() as Record<string, unknown>) : {} };
  };
  return { hv, app, addr, api };
}
type ApiHost = Awaited<ReturnType<typeof apiHost>>;

const text = (h: ApiHost, id: string) => new TextDecoder().decode(h.hv.vms.get(id)!.console.contents());
async function run(h: ApiHost, id: string, cmd: string, marker: RegExp, ms = 60_000) {
  h.hv.input(id, new TextEncoder().encode(cmd + "\n"));
  await until(() => marker.test(text(h, id)), ms).catch(() => { throw new Error(`no ${marker} after \`${cmd}\`; the console ends:\n${text(h, id).slice(-800)}`); });
}
async function boot(h: ApiHost, id: string, mib: number, forwards: string[] = []) {
  const body = { "machine-config": { mem_size_mib: mib }, "boot-source": { image: "linux" },
    ...(forwards.length && { "network-interfaces": [{ iface_id: "eth0", user_mode: { host_forwards: forwards } }] }) };
  expect((await h.api("PUT", `/vms/${id}`, body)).status).toBe(204);
  expect((await h.api("PUT", `/vms/${id}/actions`, { action_type: "InstanceStart" })).status).toBe(204);
  await until(() => /root@wasmvisor:~# $/.test(text(h, id)), 120_000);
}

function fetchPage(port: number): Promise<string> {
  return new Promise((res, rej) => {
    const req = get(`http://127.0.0.1:${port}/`, { timeout: 3000 }, (r) => { let d = ""; r.setEncoding("utf8").on("data", (c: string) => { d += c; }).on("end", () => res(d)); });
    req.on("error", rej).on("timeout", () => { req.destroy(new Error("timed out")); });
  });
}

/** A TCP relay to `to` that calls `at` once `limit` bytes went through, holding the rest until it returns. */
async function relay(to: number, limit: number, at: (client: Socket, server: Socket) => Promise<void>) {
  const s = createServer((client) => {
    const server = new Socket();
    server.connect(to, "127.0.0.1");
    let n = 0, fired = false;
    client.on("data", (d: Buffer) => {
      if (fired) return;
      n += d.length;
      if (n < limit) { server.write(d); return; }
      fired = true;
      client.pause();
      void at(client, server);
    });
    server.on("data", (d: Buffer) => client.write(d));
    const end = () => { client.destroy(); server.destroy(); };
    client.on("error", end); server.on("error", end); client.on("close", end); server.on("close", end);
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return { addr: `127.0.0.1:${(s.address() as AddressInfo).port}`, close: () => s.close() };
}

function serveChild(port: number): Promise<ChildProcess> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--listen", `127.0.0.1:${port}`, "--workers", "0"],
      { cwd: ROOT, env: { ...process.env, WASMVISOR_MIGRATION_SECRET: SECRET } });
    let err = "";
    proc.stderr!.setEncoding("utf8").on("data", (d: string) => { err += d; if (/listening on/.test(err)) done(proc); });
    proc.on("close", (code) => fail(new Error(`serve exited ${code}: ${err}`)));
  });
}

describe("live migration of a Linux VM between hosts", () => {
  it("wasmvisor migrate: it runs on, with its console, files, clock and web page, on the other host", async () => {
    const src = await apiHost(createWorkerPool({ workers: 1 }));
    const dst = await apiHost(new Hypervisor(loadCoreModule(), { sockets: nodeSockets }));
    const port = await freePort();
    await boot(src, "web", 256, [`tcp:127.0.0.1:${port}-:80`]);
    for (let i = 0; i < 100; i++) { if (await fetchPage(port).then((b) => b === "wasmvisor VM web\n", () => false)) break; await new Promise((r) => setTimeout(r, 100)); }
    expect(await fetchPage(port)).toBe("wasmvisor VM web\n");
    // A file in RAM, and a loop that notes the largest step of the guest's own clock (and any step back).
    await run(src, "web", "echo kept-$((6 * 7)) > /tmp/x; echo saved-$((1 + 1))", /\nsaved-2\r?\n/);
    await run(src, "web", "(m=0; l=0; b=0; while read u _ < /proc/uptime; do c=$((${u%.*} * 100 + 1${u#*.} - 100)); [ $l -gt 0 ] && [ $((c - l)) -gt $m ] && m=$((c - l)); [ $c -lt $l ] && b=1; l=$c; [ -e /tmp/stop ] && break; done; echo gap-$m-back-$b) > /tmp/gap 2>&1 & echo watching-$((2 + 1))", /\nwatching-3\r?\n/);
    await new Promise((r) => setTimeout(r, 300));
    const r = await cli(["migrate", "web", "--to", dst.addr, "--host", `http://${src.addr}`, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { rounds: number; round_pages: number[]; bytes: number; downtime_ms: number; total_ms: number };
    expect(report.rounds).toBeGreaterThanOrEqual(2);
    expect(report.bytes).toBeGreaterThan(report.round_pages[0] * 4096);
    expect(report.downtime_ms).toBeGreaterThan(0);
    expect((await src.api("GET", "/vms/web")).status).toBe(404);
    expect((await dst.api("GET", "/vms/web")).body.state).toBe("running");
    expect(text(dst, "web")).toMatch(/saved-2/); // the console history came along
    await run(dst, "web", "touch /tmp/stop; while [ ! -s /tmp/gap ]; do sleep 0.1; done; cat /tmp/gap /tmp/x; echo after-$((2 + 3))", /\nafter-5\r?\n/);
    const out = text(dst, "web");
    expect(out).toMatch(/\nkept-42\r?\n/);
    const gap = /gap-(\d+)-back-(\d)/.exec(out);
    expect(gap, out.slice(-600)).not.toBeNull();
    expect(gap![2]).toBe("0"); // never backwards
    expect(Number(gap![1]) * 10).toBeLessThan(5000); // a step of the downtime's size, not a jump (bench -- migrate measures it)
    // The same port forward, now on this host (it waited for the source to let go of the port).
    for (let i = 0; i < 20; i++) { if (await fetchPage(port).then((b) => b === "wasmvisor VM web\n", () => false)) break; await new Promise((r) => setTimeout(r, 50)); }
    expect(await fetchPage(port)).toBe("wasmvisor VM web\n");
    await src.app.close(); await dst.app.close();
    await src.hv.close(); await dst.hv.close();
  }, 300_000);

  it("no secret there, a wrong one, the stream cut, the target killed: the VM runs on at the source", async () => {
    const src = await apiHost(new Hypervisor(loadCoreModule(), { sockets: nodeSockets }));
    await boot(src, "v", 128);
    const stillHere = async (what: string, n: number) => {
      expect(src.hv.vms.get("v")!.state, what).toBe("running");
      await run(src, "v", `echo alive-$((${n} + 100))`, new RegExp(`\\nalive-${n + 100}\\r?\\n`));
    };
    const migrate = (to: string) => src.api("PUT", "/vms/v/migrate", { destination: to });

    const none = await apiHost(new Hypervisor(loadCoreModule()), null);
    let r = await migrate(none.addr);
    expect(r.status).toBe(502);
    expect(r.body.fault_message).toMatch(/no migration secret|closed/);
    await stillHere("no secret", 1);
    await none.app.close();

    const other = await apiHost(new Hypervisor(loadCoreModule()), "some other secret of theirs");
    r = await migrate(other.addr);
    expect(r.status).toBe(502);
    expect(r.body.fault_message).toMatch(/could not be verified/);
    expect(other.hv.vms.size).toBe(0);
    await stillHere("wrong secret", 2);
    await other.app.close();

    const dst = await apiHost(new Hypervisor(loadCoreModule()));
    const cut = await relay(Number(dst.addr.split(":")[1]), 4 << 20, async (c, s) => { c.destroy(); s.destroy(); });
    r = await migrate(cut.addr);
    expect(r.status).toBe(502);
    expect(r.body.fault_message).toMatch(/the VM is running here/);
    await until(() => dst.hv.vms.size === 0, 5000); // the target dropped what it had
    await stillHere("stream cut", 3);
    cut.close();

    const port = await freePort();
    const child = await serveChild(port);
    const killed = await relay(port, 1 << 20, async (c) => {
      await new Promise<void>((done) => { child.removeAllListeners("close"); child.on("close", () => done()); child.kill("SIGKILL"); });
      c.resume();
    });
    r = await migrate(killed.addr);
    expect(r.status).toBe(502);
    expect(child.signalCode, String(r.body.fault_message)).toBe("SIGKILL");
    await stillHere("target killed", 4);
    killed.close();

    // And it still migrates when the way is clear.
    r = await migrate(dst.addr);
    expect(r.status).toBe(200);
    expect(dst.hv.vms.get("v")!.state).toBe("running");
    await run(dst, "v", "echo moved-$((3 + 4))", /\nmoved-7\r?\n/);
    await src.app.close(); await dst.app.close();
    src.hv.close(); dst.hv.close();
  }, 300_000);
});
