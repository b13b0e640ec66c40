// `npm run bench -- migrate [--runs N]`: live migration of a booted 256 MiB Linux VM (para mode)
// between two API hosts in this process over loopback TCP (the source a worker pool, the target
// a main-thread host), idle and busy (rewriting an 8 MiB file in RAM all the time). Per run:
// total time, rounds, pages and bytes sent, the downtime as the source sees it (pause to the
// target's confirmation) and as the guest sees it (the largest step of /proc/uptime, 10 ms
// resolution, in a loop that reads it all the time). Medians of N; bench/results/migrate.{json,md}.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { Bench } from "tinybench";
import { buildServer } from "../src/api/server.js";
import { Hypervisor } from "../src/hypervisor/hypervisor.js";
import type { Host } from "../src/hypervisor/host.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { packageRoot } from "../src/node/images.js";
import { createWorkerPool } from "../src/node/worker-pool.js";

const SECRET = "benchmark secret, long enough";
// Notes the largest step of the guest's uptime in centiseconds, until /tmp/stop appears.
const WATCH = "(m=0; l=0; while read u _ < /proc/uptime; do c=$((${u%.*} * 100 + 1${u#*.} - 100)); [ $l -gt 0 ] && [ $((c - l)) -gt $m ] && m=$((c - l)); l=$c; [ -e /tmp/stop ] && break; done; echo gap-$m) > /tmp/gap 2>&1 &";
const WRITER = "while :; do dd if=/dev/zero of=/tmp/big bs=64k count=128 2>/dev/null; done &";

interface Run { totalMs: number; rounds: number; pages: number; bytes: number; downtimeMs: number; guestGapMs: number; parts: Record<string, number> }

async function host(hv: Host) {
  const app = buildServer(hv, { migrationSecret: SECRET });
  await app.listen({ host: "127.0.0.1", port: 0 });
  return { hv, app, addr: `127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

const text = (hv: Host, id: string) => new TextDecoder().decode(hv.vms.get(id)!.console.contents());
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t = Date.now();
  while (!cond()) {
    if (Date.now() - t > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
async function type(hv: Host, id: string, cmd: string, marker: RegExp): Promise<void> {
  hv.input(id, new TextEncoder().encode(cmd + "\n"));
  await until(() => marker.test(text(hv, id)), 60_000, `${marker} from ${id}`);
}

export async function migrateBench(runs: number): Promise<void> {
  const src = await host(createWorkerPool({ workers: 1 }));
  const dst = await host(new Hypervisor(loadCoreModule()));
  const results: Record<string, Run[]> = { idle: [], busy: [] };
  let n = 0;
  const once = async (kind: "idle" | "busy") => {
    const id = `m${++n}`;
    const r0 = await src.app.inject({ method: "PUT", url: `/vms/${id}`, payload: { "machine-config": { mem_size_mib: 256 }, "boot-source": { image: "linux" } } });
    if (r0.statusCode !== 204) throw new Error(r0.body);
    await src.app.inject({ method: "PUT", url: `/vms/${id}/actions`, payload: { action_type: "InstanceStart" } });
    await until(() => /root@wasmvisor:~# $/.test(text(src.hv, id)), 120_000, `${id} at its prompt`);
    if (kind === "busy") await type(src.hv, id, `${WRITER} echo writing-$((1 + 1))`, /\nwriting-2\r?\n/);
    await type(src.hv, id, `${WATCH} echo watching-$((2 + 1))`, /\nwatching-3\r?\n/);
    await new Promise((r) => setTimeout(r, 1000));
    const t = performance.now();
    const res = await src.app.inject({ method: "PUT", url: `/vms/${id}/migrate`, payload: { destination: dst.addr } });
    const totalMs = performance.now() - t;
    if (res.statusCode !== 200) throw new Error(`migrate: ${res.body}`);
    const rep = res.json() as { rounds: number; round_pages: number[]; bytes: number; downtime_ms: number; downtime_parts_ms: Record<string, number> };
    await type(dst.hv, id, "touch /tmp/stop; while [ ! -s /tmp/gap ]; do sleep 0.1; done; cat /tmp/gap; echo done-$((3 + 4))", /\ndone-7\r?\n/);
    const gap = Number(/gap-(\d+)/.exec(text(dst.hv, id))![1]) * 10;
    await dst.hv.delete(id);
    results[kind].push({ totalMs, rounds: rep.rounds, pages: rep.round_pages.reduce((a, b) => a + b, 0), bytes: rep.bytes, downtimeMs: rep.downtime_ms, guestGapMs: gap, parts: rep.downtime_parts_ms });
  };
  const bench = new Bench({ iterations: runs, warmupIterations: 0, time: 0 });
  bench.add("idle", () => once("idle"));
  bench.add("busy", () => once("busy"));
  await bench.run();
  await src.app.close(); await dst.app.close();
  await src.hv.close(); await dst.hv.close();

  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = Object.fromEntries(Object.entries(results).map(([k, rs]) => [k, {
    runs: rs.length,
    totalMs: med(rs.map((r) => r.totalMs)), rounds: med(rs.map((r) => r.rounds)), pages: med(rs.map((r) => r.pages)),
    megabytes: med(rs.map((r) => r.bytes)) / 1e6, downtimeMs: med(rs.map((r) => r.downtimeMs)), guestGapMs: med(rs.map((r) => r.guestGapMs)),
    downtimeRangeMs: [Math.min(...rs.map((r) => r.downtimeMs)), Math.max(...rs.map((r) => r.downtimeMs))],
  }]));
  const report = { date: new Date().toISOString(), load: loadavg().map((l) => Math.round(l * 100) / 100), vm: "256 MiB, para, bundled Linux at its prompt", summary, runs: results };
  const dir = join(packageRoot(), "bench/results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "migrate.json"), JSON.stringify(report, null, 2) + "\n");
  const rows = Object.entries(summary).map(([k, s]) => `| ${k} | ${s.runs} | ${s.totalMs.toFixed(0)} | ${s.rounds} | ${s.pages} | ${s.megabytes.toFixed(1)} | ${s.downtimeMs.toFixed(1)} (${s.downtimeRangeMs.map((x) => x.toFixed(1)).join("–")}) | ${s.guestGapMs} |`);
  const md = [
    "# Live migration (loopback, one process: source a worker pool, target a main-thread host)",
    "",
    `${report.date}, load ${report.load.join(" ")}; ${report.vm}. Medians of ${runs} runs. Busy: the guest rewrites an 8 MiB file in RAM all the time.`,
    "Downtime: from the source's pause to the target's confirmation that the VM runs; guest gap: the largest step of the guest's /proc/uptime (10 ms resolution) seen by a loop reading it.",
    "",
    "| VM | runs | total ms | rounds | pages sent | MB sent | downtime ms (range) | guest gap ms |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
  writeFileSync(join(dir, "migrate.md"), md);
  process.stdout.write(md);
}
