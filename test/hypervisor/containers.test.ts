// Containers under the supervisor, as VMs are: a container VM (boot kind "container") runs
// its program in the host's scheduler slices, its output in the console ring and its input
// from it; its end is the VM's (status 0: shutoff, else crashed) and restart policies apply;
// Stop sends its first process SIGTERM; its memory size is a limit on all its processes
// together (a fault past it kills, a fork past it fails); CPU shares and caps divide the host
// between containers as between VMs; what containers have not (snapshots, migration,
// Ctrl-Alt-Del) is refused with the reason. Through the API too: PUT /vms with a
// boot-source.container, and GET /vms (ps) says which VMs are containers. Container.runFor, the
// slice the supervisor runs, idles and ends as it should, and a program's pages are read in as
// they are touched.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.js";
import { Hypervisor } from "../../src/hypervisor/hypervisor.js";
import { Container } from "../../src/container/container.js";
import { coreWasmPath, loadCoreModule } from "../../src/node/core-module.js";
import { nodeContainerHost } from "../../src/node/container-host.js";
import { loadBundledBusybox, loadBundledBusyboxRoot } from "../../src/node/images.js";
import { HostTree } from "../../src/node/host-tree.js";
import { requireTool } from "../helpers/tools.js";
import { until } from "../helpers/wait.js";

const MiB = 1 << 20;
const mod = loadCoreModule();
const text = (b: Uint8Array) => new TextDecoder().decode(b);
let dir = "";

beforeAll(() => {
  const gcc = requireTool("riscv64-linux-gnu-gcc", "gcc-riscv64-linux-gnu");
  if (!existsSync("/usr/riscv64-linux-gnu/lib/libc.a")) throw new Error("/usr/riscv64-linux-gnu/lib/libc.a not found: install Debian's libc6-dev-riscv64-cross");
  dir = mkdtempSync(join(tmpdir(), "wasmvisor-hvct-"));
  execFileSync("mkdir", ["-p", join(dir, "root/bin")]);
  execFileSync(gcc, ["-static", "-O2", "-o", join(dir, "root/bin/mem-limit"), join(import.meta.dirname, "../container/fixtures/mem-limit.c")]);
}, 60_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const sh = (script: string) => ({ kind: "container" as const, root: "busybox", argv: ["/bin/sh", "-c", script] });
const hypervisor = () => new Hypervisor(mod, { containers: nodeContainerHost });

describe("containers under the supervisor", () => {
  it("runs to its end: output in the console ring, status 0 is shutoff, another status crashed", async () => {
    const hv = hypervisor();
    try {
      hv.create({ id: "ok", memSize: 64 * MiB, boot: sh("echo hello from $(hostname); date +%Y") });
      hv.create({ id: "bad", memSize: 64 * MiB, boot: { ...sh("echo failing >&2; exit 3"), hostname: "other" } });
      hv.start("ok");
      hv.start("bad");
      await until(() => hv.vms.get("ok")!.state !== "running" && hv.vms.get("bad")!.state !== "running", 20_000);
      const ok = hv.vms.get("ok")!, bad = hv.vms.get("bad")!;
      expect([ok.state, ok.reason, ok.exitCode]).toEqual(["shutoff", "its first process exited with status 0", 0]);
      const out = text(ok.console.contents()).split("\n");
      expect(out[0]).toBe("hello from ok"); // the container's hostname: its VM id by default
      expect(Number(out[1])).toBeGreaterThanOrEqual(2026); // the wall clock
      expect(ok.stats().instructions).toBeGreaterThan(10_000);
      expect(ok.stats().exceptions).toBeGreaterThan(10); // its system calls
      expect([bad.state, bad.reason, bad.exitCode]).toEqual(["crashed", "its first process exited with status 3", 3]);
      expect(text(bad.console.contents())).toBe("failing\n");
    } finally { hv.close(); }
  });

  it("restarts by policy: on-failure runs it again with backoff until the limit", async () => {
    const hv = hypervisor();
    try {
      hv.create({ id: "r", memSize: 32 * MiB, boot: sh("echo run; exit 1"), restart: "on-failure", maxRestarts: 2, backoffMs: 1 });
      hv.start("r");
      await until(() => hv.vms.get("r")!.events.some((e) => e.type === "restart-limit"), 20_000);
      const vm = hv.vms.get("r")!;
      expect(vm.restarts).toBe(2);
      expect(vm.state).toBe("crashed");
      expect(vm.reason).toBe("its first process exited with status 1 (restart limit of 2 reached)");
      expect(text(vm.console.contents())).toBe("run\n".repeat(3));
    } finally { hv.close(); }
  });

  it("takes console input as its standard input, as it comes; Stop sends SIGTERM to its first process", { timeout: 20_000 }, async () => {
    const hv = hypervisor();
    try {
      hv.create({ id: "i", memSize: 32 * MiB, boot: sh("trap 'echo got TERM; exit 0' TERM; while read line; do echo \"[$line]\"; done") });
      hv.start("i");
      const vm = hv.vms.get("i")!;
      hv.input("i", new TextEncoder().encode("one\n"));
      await until(() => text(vm.console.contents()).includes("[one]"), 10_000);
      hv.input("i", new TextEncoder().encode("two\n"));
      await until(() => text(vm.console.contents()).includes("[two]"), 10_000);
      expect(vm.state).toBe("running"); // it waits for more input
      await hv.stop("i", 5000);
      expect(vm.state).toBe("shutoff");
      expect(vm.reason).toMatch(/^stopped by the host/);
      expect(text(vm.console.contents())).toBe("[one]\n[two]\ngot TERM\n");
      // what a container has not: refused with the reason
      hv.create({ id: "j", memSize: 32 * MiB, boot: sh("sleep 5") });
      hv.start("j");
      expect(() => hv.sendCtrlAltDel("j")).toThrow(/is a container: containers have no Ctrl-Alt-Del/);
      hv.pause("j");
      expect(() => hv.snapshot("j")).toThrow(/is a container: containers have no snapshots/);
      expect(() => hv.migrationPages("j", true)).toThrow(/containers have no live migration/);
      await hv.stop("j", 0);
    } finally { hv.close(); }
  });

  it("its memory size limits all its processes together: a touch past it is killed, a fork past it fails", async () => {
    const hv = new Hypervisor(mod, { containers: { openRoot: () => new HostTree(join(dir, "root")) } });
    try {
      const prog = (args: string[]) => ({ kind: "container" as const, root: "mine", argv: ["/bin/mem-limit", ...args] });
      hv.create({ id: "fits", memSize: 8 * MiB, boot: prog(["4"]) });
      hv.create({ id: "past", memSize: 8 * MiB, boot: prog(["16"]) });
      hv.create({ id: "fork", memSize: 8 * MiB, boot: prog(["4", "fork"]) });
      hv.create({ id: "fork-ok", memSize: 16 * MiB, boot: prog(["4", "fork"]) });
      for (const id of hv.vms.keys()) hv.start(id);
      await until(() => [...hv.vms.values()].every((v) => v.state !== "running"), 20_000);
      const vm = (id: string) => hv.vms.get(id)!;
      expect([vm("fits").state, text(vm("fits").console.contents())]).toEqual(["shutoff", "touched 4 MiB\n"]);
      expect(vm("past").state).toBe("crashed");
      expect(vm("past").reason).toBe("its first process was killed by signal 9 (1 killed at the memory limit of 8 MiB)");
      expect(vm("past").exitCode).toBe(137);
      // 4 MiB touched and the program: a copy of that does not fit in 8 MiB beside it, in 16 it does
      expect(text(vm("fork").console.contents())).toBe("touched 4 MiB\nfork: Cannot allocate memory\n");
      expect(text(vm("fork-ok").console.contents())).toBe("touched 4 MiB\nforked\n");
    } finally { hv.close(); }
  });

  it("CPU shares and caps divide the host between busy containers (a fake clock: 0.5 ms a call)", () => {
    let t = 0;
    const hv = new Hypervisor(mod, {
      containers: nodeContainerHost, sliceInstructions: 50_000,
      timers: { now: () => (t += 0.5), setTimeout: () => 0, clearTimeout: () => {} },
    });
    try {
      const spin = sh("while true; do :; done");
      hv.create({ id: "a", memSize: 16 * MiB, boot: spin, shares: 300 });
      hv.create({ id: "b", memSize: 16 * MiB, boot: spin, shares: 100 });
      hv.create({ id: "c", memSize: 16 * MiB, boot: spin, shares: 1000, cpuCap: 10 });
      for (const id of ["a", "b", "c"]) hv.start(id);
      for (let i = 0; i < 600; i++) hv.runOnce();
      const ms = (id: string) => hv.vms.get(id)!.cpuMs;
      expect(t).toBeGreaterThan(500); // (fake) ms gone by
      expect(ms("c") / t).toBeGreaterThan(0.08); // 10 % of one core, although it has the most shares
      expect(ms("c") / t).toBeLessThanOrEqual(0.11);
      expect(ms("a") / ms("b")).toBeGreaterThan(2.7); // the rest 3:1
      expect(ms("a") / ms("b")).toBeLessThan(3.3);
      expect(hv.vms.get("b")!.stats().instructions).toBeGreaterThan(1_000_000);
    } finally { hv.close(); }
  });
});

describe("containers through the API", () => {
  it("PUT /vms with boot-source.container; GET /vms says container; bad roots and mixes are 400s", async () => {
    const hv = hypervisor();
    const app = buildServer(hv);
    try {
      const body = { "machine-config": { mem_size_mib: 32, mode: "container" }, "boot-source": { container: { root: "busybox", args: ["sh", "-c", "echo via the API; ls /proc | grep -c '^[0-9]'"] } } };
      expect((await app.inject({ method: "PUT", url: "/vms/c1", payload: body })).statusCode).toBe(204);
      expect((await app.inject({ method: "GET", url: "/vms" })).json()).toEqual([{ id: "c1", mode: "container", state: "created" }]);
      expect((await app.inject({ method: "PUT", url: "/vms/c1/actions", payload: { action_type: "InstanceStart" } })).statusCode).toBe(204);
      await until(() => hv.vms.get("c1")!.state === "shutoff", 20_000);
      expect((await app.inject({ method: "GET", url: "/vms/c1/console" })).body).toBe("via the API\n3\n"); // its own processes only: sh, ls and grep
      const d = (await app.inject({ method: "GET", url: "/vms/c1" })).json();
      expect(d).toMatchObject({ state: "shutoff", exit_code: 0, reason: "its first process exited with status 0" });
      expect(d.stats.instructions).toBeGreaterThan(0);
      const bad = async (payload: unknown) => { const r = await app.inject({ method: "PUT", url: "/vms/x", payload }); return [r.statusCode, r.json().fault_message]; };
      expect(await bad({ ...body, "boot-source": { container: { root: join(dir, "no-such-root"), args: ["sh"] } } }))
        .toEqual([400, expect.stringMatching(/boot-source.container: container root .*no-such-root: no such file or directory/)]);
      expect(await bad({ ...body, "boot-source": { image: "demo" } })).toEqual([400, "boot-source: mode container needs boot-source.container (root and args)"]);
      expect(await bad({ ...body, "machine-config": { mem_size_mib: 32, mode: "full" } })).toEqual([400, "boot-source: container needs machine-config mode container"]);
      expect(await bad({ ...body, "boot-source": { container: { root: "busybox", args: [] } } })).toEqual([400, expect.stringMatching(/args/)]);
      expect(await bad({ ...body, "network-interfaces": [{ iface_id: "eth0", switch: "lan" }] })).toEqual([400, "net: a container publishes ports (net.user.forwards); it has no NIC for a switch"]);
    } finally { await app.close(); hv.close(); }
  });
});

describe("containers on a shared hart", () => {
  it("share their program's read-only pages (and so its decoded code); their own pages stay their own", async () => {
    let out = "";
    const idleShell = (stdout?: (b: Uint8Array) => void) => {
      const c = new Container({ module: mod, tree: loadBundledBusyboxRoot(), stdin: "stream", stdout });
      c.start(loadBundledBusybox(), ["sh"], ["PATH=/bin"]);
      let s;
      while ((s = c.runFor(1_000_000)).kind === "ran");
      expect(s.kind).toBe("idle");
      return c;
    };
    const first = idleShell();
    const before = first.stats();
    const more = [idleShell((b) => { out += text(b); }), idleShell(), idleShell()];
    const after = first.stats();
    // three more shells map the text pages the first read in: each of them is a page not copied
    expect(after.hartSharing.saved - before.hartSharing.saved).toBeGreaterThanOrEqual(3 * 40);
    // each maps some 85 pages, but takes fewer than 30 of the hart's (stack, heap, data, tables)
    for (const c of [first, ...more]) expect(c.stats().residentPages).toBeGreaterThan(60);
    expect(after.hartPages - before.hartPages).toBeLessThan(3 * 30);
    // each has its own memory: a variable set in one is not set in another
    const typed = more[0];
    typed.input(new TextEncoder().encode("x=mine; echo \"[$x]\"\n"));
    while (typed.runFor(1_000_000).kind === "ran");
    expect(out).toBe("[mine]\n");
    for (const c of [first, ...more]) c.dispose();
  });
});

describe("containers on a shared hart: programs from a host directory", () => {
  it("share the pages of the same file too (one copy while it is unchanged)", () => {
    const root = join(dir, "bbroot");
    execFileSync("mkdir", ["-p", join(root, "bin")]);
    writeFileSync(join(root, "bin/busybox"), loadBundledBusybox());
    chmodSync(join(root, "bin/busybox"), 0o755);
    const tree = new HostTree(root);
    expect(tree.view("bin/busybox")).toBe(tree.view("bin/busybox"));
    const shells = [0, 1, 2].map(() => {
      const c = new Container({ module: mod, tree, stdin: "stream" });
      c.start(tree.view("bin/busybox")!, ["sh"], ["PATH=/bin"]);
      while (c.runFor(1_000_000).kind === "ran");
      return c;
    });
    const pagesOfOne = shells[0].stats().residentPages;
    const s = shells[0].stats();
    expect(s.hartSharing.saved).toBeGreaterThanOrEqual(2 * 40); // the two others map the first's text pages
    expect(pagesOfOne).toBeGreaterThan(60);
    for (const c of shells) c.dispose();
    writeFileSync(join(root, "bin/busybox"), loadBundledBusybox().subarray(0, 100)); // changed: read anew
    expect(tree.view("bin/busybox")!.length).toBe(100);
  });
});

describe("containers on a shared hart: memory", () => {
  it("each reserves its memory limit on its hart, so together they never need more than its RAM", () => {
    // (a core module of its own: its harts are these containers' alone)
    const own = new WebAssembly.Module(readFileSync(coreWasmPath()));
    const big = () => new Container({ module: own, tree: loadBundledBusyboxRoot(), memSize: 64 * MiB, memoryLimit: 1024 * MiB });
    const [a, b, c] = [big(), big(), big()];
    expect(a.hart === b.hart).toBe(true); // 2 GiB of RAM: two of them
    expect(c.hart === a.hart).toBe(false); // a third would overcommit it: a hart of its own
    for (const x of [a, b, c]) x.dispose();
    const d = big();
    expect(d.hart === a.hart || d.hart === c.hart).toBe(true); // the reservations went back, and the hart left empty was forgotten but one
    const e = big();
    expect(e.hart === d.hart).toBe(true);
    for (const x of [d, e]) x.dispose();
    expect(() => new Container({ module: mod, memoryLimit: 4096 * MiB })).toThrow(/memory limit must be .* from 1 MiB to 1 GiB/);
  });

  it("a container dropped at once gives its pages back to the hart", () => {
    const c = new Container({ module: mod, tree: loadBundledBusyboxRoot(), stdin: "stream" });
    const before = c.stats().hartPages;
    c.start(loadBundledBusybox(), ["sh"], ["PATH=/bin"]);
    while (c.runFor(1_000_000).kind === "ran");
    expect(c.stats().hartPages).toBeGreaterThan(before + 10);
    c.dispose();
    expect(c.stats().hartPages).toBeLessThanOrEqual(before + 1); // (the shared pages other shells map may stay)
  });
});

describe("Container.runFor: a scheduler's slice of a container", () => {
  it("stops at its budget, says when it idles (a sleep's end; input) and when it is done", async () => {
    let out = "";
    const ct = new Container({ module: mod, tree: loadBundledBusyboxRoot(), stdin: "stream", stdout: (b) => { out += text(b); } });
    ct.start(loadBundledBusybox(), ["sh", "-c", "i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; sleep 0.05; read x; echo \"[$x]\""], ["PATH=/bin"]);
    const first = ct.runFor(100_000);
    expect(first.kind).toBe("ran");
    let s = first;
    let ran = 1;
    while (s.kind === "ran") { s = ct.runFor(100_000); ran++; }
    expect(ran).toBeGreaterThan(2); // the loop took more than one slice
    expect(s.kind).toBe("idle"); // the sleep
    if (s.kind === "idle") expect(s.wakeAt).toBeGreaterThan(performance.now());
    await new Promise((r) => setTimeout(r, 80));
    while ((s = ct.runFor(100_000)).kind === "ran");
    expect(s).toEqual({ kind: "idle", wakeAt: Infinity }); // read waits for input
    // its program is read in as it is touched: a fraction of busybox's pages is in guest memory
    expect(ct.residentPages * 4096).toBeLessThan(loadBundledBusybox().length / 2); // (whole, it was more than all of it)
    ct.input(new TextEncoder().encode("typed\n"));
    const done = ct.runFor(1_000_000);
    expect(done.kind).toBe("done");
    if (done.kind === "done") expect(done.result.status).toBe(0);
    expect(out).toBe("[typed]\n");
  });
});
