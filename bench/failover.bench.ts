// `npm run bench -- failover [--runs N]`: cluster failover on etcd. Per run, three fresh
// `wasmvisor serve --cluster` hosts (the built CLI, VMs on the main thread) share an etcd (the
// one WASMVISOR_ETCD names, or one started here from Debian's etcd-server); a 128 MiB Linux VM
// with its web page behind a port forward runs on one of them; that host is killed with
// SIGKILL. Measured from the kill: the leader's new placement (the lease running out is most of
// it), and the first answer of the page from the new host (that adds the boot). Lease TTLs of
// 2 s (what the tests use) and 5 s (the default). Medians of N; bench/results/failover.{json,md}.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { packageRoot } from "../src/node/images.js";
import { fetchPage, startClusterHost, waitFor, webVm, type ClusterHostProcess } from "../test/helpers/cluster-hosts.js";
import { startEtcd, testPrefix } from "../test/helpers/etcd.js";
import { freePort } from "../test/helpers/ports.js";

interface Run { ttl: number; placedMs: number; answerMs: number; bootMs: number }

async function once(etcd: string, ttl: number): Promise<Run> {
  const prefix = testPrefix();
  const hosts: ClusterHostProcess[] = [];
  try {
    for (const id of ["h1", "h2", "h3"]) hosts.push(await startClusterHost({ id, etcd, prefix, memory: "600M", leaseTtl: ttl, from: "dist" }));
    const port = await freePort();
    const t0 = performance.now();
    const r = await hosts[0].api("PUT", "/cluster/vms/web", webVm(128, port));
    if (r.status !== 204) throw new Error(`define: ${JSON.stringify(r.body)}`);
    await waitFor("the page", async () => ((await fetchPage(port)).includes("VM web") ? true : undefined), 120_000);
    const bootMs = performance.now() - t0;
    const on = (await hosts[0].api("GET", "/cluster/vms/web")).body.host as string;
    const victim = hosts.find((h) => h.id === on)!;
    const survivor = hosts.find((h) => h !== victim)!;
    const killed = performance.now();
    victim.proc.kill("SIGKILL");
    await waitFor("a new placement", async () => ((await survivor.api("GET", "/cluster/vms/web")).body.placed_on !== on ? true : undefined), 60_000);
    const placedMs = performance.now() - killed;
    await waitFor("the page again", async () => ((await fetchPage(port)).includes("VM web") ? true : undefined), 120_000);
    return { ttl, placedMs, answerMs: performance.now() - killed, bootMs };
  } finally {
    for (const h of hosts) if (h.proc.exitCode === null) h.proc.kill("SIGKILL");
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

export async function failoverBench(runs: number): Promise<void> {
  const load0 = loadavg();
  const etcd = await startEtcd();
  const results: Run[] = [];
  try {
    const bench = new Bench({ iterations: runs, warmupIterations: 0, time: 0, warmup: false });
    for (const ttl of [2, 5]) bench.add(`failover, lease TTL ${ttl} s`, async () => { results.push(await once(etcd.url, ttl)); });
    await bench.run();
  } finally {
    await etcd.stop();
  }
  const by = (ttl: number) => results.filter((r) => r.ttl === ttl);
  const summary = [2, 5].map((ttl) => ({ ttl, runs: by(ttl).length, placedMsMedian: median(by(ttl).map((r) => r.placedMs)), answerMsMedian: median(by(ttl).map((r) => r.answerMs)),
    answerMsRange: [Math.min(...by(ttl).map((r) => r.answerMs)), Math.max(...by(ttl).map((r) => r.answerMs))], bootMsMedian: median(by(ttl).map((r) => r.bootMs)) }));
  const report = { command: `npm run bench -- failover --runs ${runs}`, date: new Date().toISOString(), node: process.version, loadavgBefore: load0, loadavgAfter: loadavg(), summary, runs: results };
  const dir = join(packageRoot(), "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "failover.json"), JSON.stringify(report, null, 2) + "\n");
  const ms = (x: number) => `${Math.round(x)} ms`;
  const md = [
    "# Cluster failover on etcd: a host killed with SIGKILL",
    "",
    `${report.command}, ${report.date}, node ${report.node}, load average ${load0.map((x) => x.toFixed(2)).join(" / ")} before, ${report.loadavgAfter.map((x) => x.toFixed(2)).join(" / ")} after`,
    "",
    "Three `wasmvisor serve --cluster` hosts on loopback, one etcd; a 128 MiB Linux VM (para) with its web page behind a port forward; its host killed. Medians:",
    "",
    "| lease TTL | runs | kill → placed on another host | kill → the page answers from there | first boot → page (no failover) |",
    "|---:|---:|---:|---:|---:|",
    ...summary.map((s) => `| ${s.ttl} s | ${s.runs} | ${ms(s.placedMsMedian)} | ${ms(s.answerMsMedian)} (${ms(s.answerMsRange[0])}–${ms(s.answerMsRange[1])}) | ${ms(s.bootMsMedian)} |`),
    "",
  ].join("\n");
  writeFileSync(join(dir, "failover.md"), md);
  process.stdout.write(md);
}
