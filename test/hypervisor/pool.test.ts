// The worker pool: VMs run on worker threads, each worker a Hypervisor of its own; this thread
// mirrors their state, events, console and statistics, forwards actions (a stop word ends a
// worker's slice so they take effect at once), moves VMs between workers keeping their state,
// and survives a worker that dies.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.js";
import { HypervisorError } from "../../src/hypervisor/errors.js";
import { Pool } from "../../src/hypervisor/pool.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { createWorkerPool, spawnNodeWorker } from "../../src/node/worker-pool.js";
import { floodGuest, loopGuest, sumGuest } from "../helpers/guests.js";
import { sleep, until } from "../helpers/wait.js";

const MiB = 1 << 20;
const countGuest = (n: number, code = 0) => sumGuest(n, code, 0x7f);
const expected = (n: number, code = 0) => Number((BigInt(n) * BigInt(n + 1) / 2n) & 0x7fn) + code;
const spinGuest = loopGuest;


let pool: Pool | undefined;
afterEach(async () => { await pool?.close(); pool = undefined; });

// Each worker compiles the TypeScript sources through tsx as it starts: allow for that.
describe("worker pool", { timeout: 60_000 }, () => {
  it("spreads VMs over its workers; each runs to its own result; state, events and statistics are mirrored", async () => {
    pool = createWorkerPool({ workers: 2, rebalance: false });
    const n = [300_000, 310_000, 320_000, 330_000];
    n.forEach((k, i) => pool!.create({ id: `c${i}`, memSize: 2 * MiB, boot: { kind: "bare", image: countGuest(k, i) } }));
    expect([...pool.vms.values()].map((v) => v.worker)).toEqual([0, 1, 0, 1]);
    for (const id of pool.vms.keys()) await pool.start(id);
    // It timed out once in 8 full runs (.ci/run on a fresh clone, not reproduced in 20 more runs):
    // say where each VM was.
    const where = () => [...pool!.vms.values()].map((v) => `${v.id} on ${v.worker}: ${v.state}, ` +
      `${v.stats().instructions} instructions, events ${v.events.map((e) => e.type).join(" ")}`).join("; ");
    await until(() => [...pool!.vms.values()].every((v) => v.state !== "running"), 20_000, where);
    n.forEach((k, i) => {
      const vm = pool!.vms.get(`c${i}`)!;
      expect(vm.exitCode).toBe(expected(k, i));
      expect(vm.events.map((e) => e.type).slice(0, 2)).toEqual(["created", "started"]);
    });
    await until(() => pool!.vms.get("c0")!.stats().instructions > 0, 20_000, where);
    expect(pool.vms.get("c0")!.stats().instructions).toBeGreaterThan(300_000 * 3);
    expect(pool.vms.get("c0")!.cpuMs).toBeGreaterThan(0);
  });

  it("refuses what a single host refuses: overcommit, a duplicate id, a bad config, an action in the wrong state", async () => {
    pool = createWorkerPool({ workers: 2, memoryLimit: 8 * MiB, rebalance: false });
    pool.create({ id: "a", memSize: 6 * MiB, boot: { kind: "bare", image: spinGuest() } });
    expect(() => pool!.create({ id: "b", memSize: 4 * MiB, boot: { kind: "bare", image: spinGuest() } }))
      .toThrow("VM 'b' needs 4 MiB of RAM; 2 MiB of the host's 8 MiB are free");
    expect(() => pool!.create({ id: "a", memSize: MiB, boot: { kind: "bare", image: spinGuest() } })).toThrow(/a VM 'a' exists/);
    expect(() => pool!.create({ id: "x y", memSize: MiB, boot: { kind: "bare", image: spinGuest() } })).toThrow(/id:/);
    const err = await pool.pause("a").catch((e) => e);
    expect(err).toBeInstanceOf(HypervisorError);
    expect((err as HypervisorError).message).toBe("cannot pause VM 'a': it is created (allowed when running)");
    await expect(pool.start("nope")).rejects.toThrow(/no VM 'nope'/);
  });

  it("pauses a spinning VM at once (the stop word ends the worker's slice); its counters then stand still", async () => {
    pool = createWorkerPool({ workers: 1, rebalance: false });
    const vm = pool.create({ id: "spin", memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() } });
    await pool.start("spin");
    await until(() => vm.stats().instructions > 1_000_000);
    const t = performance.now();
    await pool.pause("spin");
    expect(performance.now() - t).toBeLessThan(1000);
    expect(vm.state).toBe("paused");
    const steps = vm.stats().instructions;
    await sleep(150);
    expect(vm.stats().instructions).toBe(steps);
    await pool.resume("spin");
    await until(() => vm.stats().instructions > steps);
    await pool.stop("spin");
    expect([vm.state, vm.reason]).toEqual(["shutoff", "stopped by the host"]);
  });

  it("moves a running VM to another worker, where it goes on from where it was", async () => {
    pool = createWorkerPool({ workers: 2, rebalance: false });
    // Long enough to be under way when it moves, with or without the JIT (which runs this loop
    // at about 4,000 MIPS: 100 M instructions were over before the move under CI's load once).
    const k = 1_000_000_000;
    const vm = pool.create({ id: "m", memSize: 2 * MiB, boot: { kind: "bare", image: countGuest(k, 3) } });
    const ref = pool.create({ id: "ref", memSize: 2 * MiB, boot: { kind: "bare", image: countGuest(k, 3) } }); // stays
    await pool.start("m");
    await pool.start("ref");
    await until(() => vm.stats().instructions > 500_000);
    expect([vm.worker, ref.worker]).toEqual([0, 1]);
    await pool.move("m", 1);
    expect(vm.worker).toBe(1);
    expect(vm.events.map((e) => e.type)).toEqual(["created", "started", "paused", "moving", "restored"]);
    await until(() => vm.state !== "running" && ref.state !== "running");
    // The same result in the same number of instructions as the VM that did not move: nothing
    // was lost or run twice, and the hart's counters came along.
    expect([vm.state, vm.reason, vm.exitCode]).toEqual([ref.state, ref.reason, expected(k, 3)]);
    expect(vm.stats().instructions).toBe(ref.stats().instructions);
    await expect(pool.move("m", 2)).rejects.toThrow(/no worker 2/);
  });

  it("rebalances running VMs when one worker has two more than another", async () => {
    pool = createWorkerPool({ workers: 2, rebalance: false });
    for (let i = 0; i < 6; i++) pool.create({ id: `s${i}`, memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() } });
    for (const id of pool.vms.keys()) await pool.start(id);
    for (const id of ["s1", "s3", "s5"]) await pool.delete(id); // those on worker 1
    expect(pool.load()).toEqual([3, 0]);
    expect(await pool.rebalance()).toBe(1);
    expect(pool.load()).toEqual([2, 1]);
    const moved = [...pool.vms.values()].find((v) => v.worker === 1)!;
    const s = moved.stats().instructions;
    await until(() => moved.stats().instructions > s + 100_000);
  });

  it("a worker that dies takes only its own VMs down; those with a restart policy start again on its successor", async () => {
    const threads: { terminate(): Promise<number> }[] = [];
    pool = new Pool(loadCoreModule(), { workers: 2, rebalance: false, spawn: () => { const w = spawnNodeWorker(); threads.push(w.thread); return w; } });
    const a = pool.create({ id: "a", memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() } }); // worker 0
    const b = pool.create({ id: "b", memSize: 2 * MiB, boot: { kind: "bare", image: floodGuest("B") }, restart: "always", backoffMs: 0 }); // worker 1
    const c = pool.create({ id: "c", memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() } }); // worker 0
    const d = pool.create({ id: "d", memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() } }); // worker 1, policy never
    for (const id of ["a", "b", "c", "d"]) await pool.start(id);
    await until(() => b.console.written > 100 && a.stats().instructions > 0);
    await threads[1].terminate();
    await until(() => d.state === "crashed" && b.state === "running" && b.restarts === 1);
    expect(d.reason).toMatch(/^host fault: worker 1 died/);
    expect(b.events.map((e) => e.type)).toContain("crashed");
    await until(() => b.stats().instructions > 0);
    expect([a.state, c.state]).toEqual(["running", "running"]);
    const s = a.stats().instructions;
    await until(() => a.stats().instructions > s);
  });

  it("serves the API: VMs with disks created, run and described through the workers; metrics with MIPS", async () => {
    pool = createWorkerPool({ workers: 2, rebalance: false });
    const app = buildServer(pool);
    const disk = join(mkdtempSync(join(tmpdir(), "wasmvisor-pool-")), "d.img");
    writeFileSync(disk, new Uint8Array(1 << 20));
    const body = { "machine-config": { mem_size_mib: 16, mode: "full" }, "boot-source": { image: "demo" },
      drives: [{ drive_id: "d", path_on_host: disk, is_read_only: false }] };
    for (const id of ["p1", "p2"]) {
      expect((await app.inject({ method: "PUT", url: `/vms/${id}`, payload: body })).statusCode).toBe(204);
      expect((await app.inject({ method: "PUT", url: `/vms/${id}/actions`, payload: { action_type: "InstanceStart" } })).statusCode).toBe(204);
    }
    expect(new Set([...pool.vms.values()].map((v) => v.worker))).toEqual(new Set([0, 1]));
    await until(() => [...pool!.vms.values()].every((v) => v.state === "shutoff"));
    const r = (await app.inject({ method: "GET", url: "/vms/p2" })).json();
    expect(r).toMatchObject({ state: "shutoff", exit_code: 0 });
    expect(r.stats.instructions).toBeGreaterThan(1000);
    expect(r.stats.mips).toBeGreaterThan(0);
    expect((await app.inject({ method: "GET", url: "/vms/p2/console" })).body).toMatch(/wasmvisor demo guest/);
    const m = (await app.inject({ method: "GET", url: "/metrics" })).body;
    // Above 0, not above 1: a short guest with every block compiled (WASMVISOR_JIT=0) on a busy
    // machine can run below 1 MIPS.
    const mips = /^wasmvisor_vm_mips\{vm="p1"\} (\d+\.\d{3})$/m.exec(m);
    expect(mips).not.toBeNull();
    expect(Number(mips![1])).toBeGreaterThan(0);
    expect(m).toMatch(/^wasmvisor_host_vms\{state="shutoff"\} 2$/m);
    const bad = await app.inject({ method: "PUT", url: "/vms/p3", payload: { ...body, drives: [{ drive_id: "d", path_on_host: disk + ".missing", is_read_only: false }] } });
    expect([bad.statusCode, bad.json().fault_message]).toEqual([400, `drives: cannot read disk ${disk}.missing: no such file`]);
    await app.close();
  });

  it("stops a Linux VM gracefully through its worker: the API's Stop answers once the guest has powered off", async () => {
    const { bundled } = await import("../system/linux-session.js");
    const { DEFAULT_CONSOLE } = await import("../../src/machine/linux-boot.js");
    pool = createWorkerPool({ workers: 2, rebalance: false });
    const app = buildServer(pool);
    const b = bundled();
    const vm = pool.create({ id: "l", memSize: 256 * MiB, boot: { kind: "linux", mode: "para", images: { kernel: b.kernel, initrd: b.initrd, cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` } } });
    await pool.start("l");
    const text = () => new TextDecoder().decode(vm.console.contents());
    await until(() => /root@wasmvisor:~# $/.test(text()), 90_000);
    const r = await app.inject({ method: "PUT", url: "/vms/l/actions", payload: { action_type: "Stop", timeout_ms: 60_000 } });
    expect(r.statusCode).toBe(204);
    expect([vm.state, vm.reason]).toEqual(["shutoff", "stopped by the host (the guest shut down)"]);
    expect(text()).toMatch(/The system is going down NOW!/);
    await app.close();
  });

  it("connects VMs on different workers through the host's switch: they ping each other", async () => {
    const { bundled } = await import("../system/linux-session.js");
    const { DEFAULT_CONSOLE } = await import("../../src/machine/linux-boot.js");
    pool = createWorkerPool({ workers: 2, rebalance: false });
    const b = bundled();
    const vms = ["a", "b"].map((id) => pool!.create({ id, memSize: 128 * MiB, net: { switch: "lan" },
      boot: { kind: "linux", mode: "para", images: { kernel: b.kernel, initrd: b.initrd, cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` } } }));
    expect(vms.map((v) => v.worker)).toEqual([0, 1]);
    for (const v of vms) await pool.start(v.id);
    const text = (i: number) => new TextDecoder().decode(vms[i].console.contents());
    await until(() => vms.every((_, i) => /root@wasmvisor:~# $/.test(text(i))), 120_000);
    vms.forEach((v, i) => pool!.input(v.id, new TextEncoder().encode(`ip addr add 10.0.1.${i + 1}/24 dev eth0 && ip link set eth0 up && echo up-${i}\n`)));
    await until(() => /\nup-0\r?\n/.test(text(0)) && /\nup-1\r?\n/.test(text(1)), 30_000);
    pool.input("a", new TextEncoder().encode("ping -c 2 -W 5 10.0.1.2 >/dev/null && echo ping-ok || echo ping-failed\n"));
    await until(() => /\nping-(ok|failed)\r?\n/.test(text(0)), 30_000);
    expect(text(0)).toMatch(/\nping-ok\r?\n/);
    expect(pool.network.switch("lan").portCount).toBe(2); // one per worker
  });
});
