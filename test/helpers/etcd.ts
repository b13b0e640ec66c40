// etcd for the cluster tests: the one .ci/run started (WASMVISOR_ETCD=http://HOST:PORT), or a
// single-member etcd of Debian's etcd-server started here on free loopback ports with a data
// directory of its own, stopped when the tests end. Each test takes a key prefix of its own.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { freePort } from "./ports.js";
import { requireTool } from "./tools.js";

export interface TestEtcd { url: string; port: number; stop(): Promise<void> }

let prefixes = 0;
/** A key prefix no other test uses. */
export function testPrefix(): string { return `/wasmvisor-test-${process.pid}-${Date.now().toString(36)}-${++prefixes}/`; }

async function ready(url: string, ms: number): Promise<void> {
  const c = new Etcd3({ hosts: url, dialTimeout: 1000 });
  const until = Date.now() + ms;
  try {
    for (;;) {
      try { await c.put("/wasmvisor-test-ready").value("1"); return; } catch (e) {
        if (Date.now() > until) throw new Error(`etcd at ${url} does not answer: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally { c.close(); }
}

export async function startEtcd(): Promise<TestEtcd> {
  const given = process.env.WASMVISOR_ETCD;
  if (given) {
    await ready(given, 10_000);
    return { url: given, port: Number(new URL(given).port), stop: async () => undefined };
  }
  const etcd = requireTool("etcd", "etcd-server");
  const dir = mkdtempSync(join(tmpdir(), "wasmvisor-etcd-"));
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const proc: ChildProcess = spawn(etcd, ["--name", "test", "--data-dir", join(dir, "data"),
    "--listen-client-urls", url, "--advertise-client-urls", url,
    "--listen-peer-urls", `http://127.0.0.1:${peer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${peer}`,
    "--initial-cluster", `test=http://127.0.0.1:${peer}`, "--log-level", "error"], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => { err = (err + d).slice(-2000); });
  try {
    await ready(url, 15_000);
  } catch (e) {
    proc.kill("SIGKILL");
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  return {
    url, port: client,
    stop: async () => {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
