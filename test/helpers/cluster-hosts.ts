// `wasmvisor serve --cluster` hosts as child processes on loopback, for the cluster tests (from
// source, through tsx) and the failover benchmark (the built CLI in dist/).
import { spawn, type ChildProcess } from "node:child_process";
import { get } from "node:http";
import { resolve } from "node:path";
import { freePort } from "./ports.js";

const ROOT = resolve(import.meta.dirname, "../..").replace(/\/dist$/, "");

export interface ClusterHostProcess {
  id: string;
  port: number;
  proc: ChildProcess;
  log(): string;
  api(method: "GET" | "PUT" | "DELETE", path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

export interface HostOptions {
  id: string;
  etcd: string;
  prefix: string;
  /** --memory-limit. */
  memory: string;
  leaseTtl: number;
  /** Run the CLI from source (tsx) or as built (dist/). */
  from: "source" | "dist";
}

export async function startClusterHost(o: HostOptions): Promise<ClusterHostProcess> {
  const port = await freePort();
  const entry = o.from === "source" ? ["--import", "tsx", "src/cli/main.ts"] : ["dist/src/cli/main.js"];
  const proc = spawn(process.execPath, [...entry, "serve", "--workers", "0", "--listen", `127.0.0.1:${port}`, "--memory-limit", o.memory,
    "--cluster", o.etcd, "--host-id", o.id, "--lease-ttl", String(o.leaseTtl), "--cluster-prefix", o.prefix], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => { log += d; });
  const api = async (method: "GET" | "PUT" | "DELETE", path: string, body?: unknown) => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: body !== undefined ? { "content-type": "application/json" } : {}, body: body !== undefined ? JSON.stringify(body) : undefined });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : {} };
  };
  const t = Date.now();
  while (!/in the cluster at/.test(log)) {
    if (proc.exitCode !== null || Date.now() - t > 60_000) { proc.kill("SIGKILL"); throw new Error(`host ${o.id} did not join:\n${log}`); }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { id: o.id, port, proc, log: () => log, api };
}

/** Polls `f` every 50 ms until it returns something other than undefined (a throw counts as undefined). */
export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const t = Date.now();
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() - t > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The page at http://127.0.0.1:PORT/ (2 s at most). */
export function fetchPage(port: number): Promise<string> {
  return new Promise((res, rej) => {
    const req = get(`http://127.0.0.1:${port}/`, { timeout: 2000 }, (r) => { let d = ""; r.setEncoding("utf8").on("data", (c: string) => { d += c; }).on("end", () => res(d)); });
    req.on("error", rej).on("timeout", () => { req.destroy(new Error("timed out")); });
  });
}

/** A bundled-Linux VM body whose web page (it names the VM) is forwarded from host port `forward`. */
export const webVm = (mib: number, forward: number, policy = "on-failure") => ({
  "machine-config": { mem_size_mib: mib }, "boot-source": { image: "linux" }, "restart-policy": { policy },
  "network-interfaces": [{ iface_id: "eth0", user_mode: { host_forwards: [`tcp:127.0.0.1:${forward}-:80`] } }],
});
