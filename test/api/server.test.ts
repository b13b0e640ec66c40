// The HTTP API, through fastify's inject (no sockets): create, act, describe, delete; one test
// per kind of bad input; the OpenAPI document and the metrics.
import { afterEach, describe, expect, it } from "vitest";
import { buildServer } from "../../src/api/server.js";
import { Hypervisor } from "../../src/hypervisor/hypervisor.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { openDisks } from "../../src/node/guest-files.js";

let hv: Hypervisor;
afterEach(() => hv?.close());

function server(opts: Parameters<typeof buildServer>[1] = {}, limit?: number) {
  hv = new Hypervisor(loadCoreModule(), { memoryLimit: limit, openDisks });
  return buildServer(hv, opts);
}

const demo = { "machine-config": { mem_size_mib: 16, mode: "full" }, "boot-source": { image: "demo" } };

describe("API: VMs", () => {
  it("creates a VM, starts it, reads its console and events, and deletes it", async () => {
    const app = server();
    expect((await app.inject({ method: "PUT", url: "/vms/d1", payload: demo })).statusCode).toBe(204);
    let r = await app.inject({ method: "GET", url: "/vms" });
    expect(r.json()).toEqual([{ id: "d1", mode: "full", state: "created" }]);
    r = await app.inject({ method: "PUT", url: "/vms/d1/actions", payload: { action_type: "InstanceStart" } });
    expect(r.statusCode).toBe(204);
    for (let i = 0; i < 500 && hv.vms.get("d1")!.state === "running"; i++) await new Promise((res) => setTimeout(res, 10));
    r = await app.inject({ method: "GET", url: "/vms/d1" });
    expect(r.json()).toMatchObject({ id: "d1", state: "shutoff", exit_code: 0, config: demo });
    expect(r.json().stats.cpu_ms).toBeGreaterThanOrEqual(0);
    expect(r.json().stats.jit_instructions).toBeGreaterThanOrEqual(0);
    r = await app.inject({ method: "GET", url: "/vms/d1/console" });
    expect(r.body).toMatch(/wasmvisor demo guest/);
    r = await app.inject({ method: "GET", url: "/vms/d1/events" });
    expect(r.json().map((e: { type: string }) => e.type)).toEqual(["created", "started", "shutoff"]);
    expect((await app.inject({ method: "DELETE", url: "/vms/d1" })).statusCode).toBe(204);
    expect((await app.inject({ method: "GET", url: "/vms/d1" })).statusCode).toBe(404);
  });

  it("serves the OpenAPI document and Prometheus metrics", async () => {
    const app = server();
    await app.inject({ method: "PUT", url: "/vms/m", payload: demo });
    const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/vms", "/vms/{id}", "/vms/{id}/actions", "/metrics"]));
    const m = (await app.inject({ method: "GET", url: "/metrics" })).body;
    expect(m).toMatch(/^# HELP wasmvisor_vm_instructions_total/m);
    expect(m).toMatch(/^wasmvisor_vm_state\{vm="m",state="created"\} 1$/m);
    expect(m).toMatch(/^wasmvisor_host_memory_committed_bytes 16777216$/m);
    expect(m).toMatch(/^wasmvisor_host_jit_cache_bytes \d+$/m);
    expect(m).toMatch(/^wasmvisor_host_jit_installed_bytes \d+$/m);
  });

  it("machine-config jit false runs the VM with the interpreter alone", async () => {
    const app = server();
    const body = { ...demo, "machine-config": { ...demo["machine-config"], jit: false } };
    expect((await app.inject({ method: "PUT", url: "/vms/nj", payload: body })).statusCode).toBe(204);
    expect((await app.inject({ method: "PUT", url: "/vms/nj/actions", payload: { action_type: "InstanceStart" } })).statusCode).toBe(204);
    for (let i = 0; i < 500 && hv.vms.get("nj")!.state === "running"; i++) await new Promise((res) => setTimeout(res, 10));
    expect((await app.inject({ method: "GET", url: "/vms/nj" })).json()).toMatchObject({ state: "shutoff", exit_code: 0, config: body });
    expect(hv.vms.get("nj")!.machine?.hart.jit).toBeUndefined();
    expect((await app.inject({ method: "GET", url: "/metrics" })).body).toMatch(/^wasmvisor_vm_jit_instructions_total\{vm="nj"\} 0$/m);
  });
});

describe("API: bad input", () => {
  const cases: [string, { method: "PUT" | "GET" | "DELETE"; url: string; payload?: unknown; headers?: Record<string, string> }, number, RegExp][] = [
    ["an unknown field", { method: "PUT", url: "/vms/a", payload: { ...demo, turbo: true } }, 400, /unknown field 'turbo'/],
    ["an unknown nested field", { method: "PUT", url: "/vms/a", payload: { ...demo, "machine-config": { mem_size_mib: 16, colour: "red" } } }, 400, /body\.machine-config: unknown field 'colour'/],
    ["a missing required field", { method: "PUT", url: "/vms/a", payload: { "boot-source": { image: "demo" } } }, 400, /must have required property 'machine-config'/],
    ["a value out of range", { method: "PUT", url: "/vms/a", payload: { ...demo, "machine-config": { mem_size_mib: 0 } } }, 400, /mem_size_mib: must be >= 1/],
    ["a wrong type", { method: "PUT", url: "/vms/a", payload: { ...demo, "machine-config": { mem_size_mib: "lots" } } }, 400, /mem_size_mib: must be integer/],
    ["a jit that is not a boolean", { method: "PUT", url: "/vms/a", payload: { ...demo, "machine-config": { mem_size_mib: 16, jit: "yes" } } }, 400, /jit: must be boolean/],
    ["a bad id", { method: "PUT", url: "/vms/-x", payload: demo }, 400, /params\.id: must match pattern/],
    ["a kernel that does not exist", { method: "PUT", url: "/vms/a", payload: { ...demo, "boot-source": { kernel_image_path: "/nonexistent/Image" } } }, 400, /boot-source: cannot read kernel \/nonexistent\/Image: no such file/],
    ["a kernel that is a device", { method: "PUT", url: "/vms/a", payload: { ...demo, "boot-source": { kernel_image_path: "/dev/zero" } } }, 400, /boot-source: cannot read kernel \/dev\/zero: not a regular file/],
    ["a disk that is a device", { method: "PUT", url: "/vms/a", payload: { ...demo, drives: [{ drive_id: "d", path_on_host: "/dev/zero" }] } }, 400, /drives: .*not a regular file/],
    ["a disk that does not exist", { method: "PUT", url: "/vms/a", payload: { ...demo, drives: [{ drive_id: "d", path_on_host: "/nonexistent.img" }] } }, 400, /drives: cannot read disk/],
    ["no boot source", { method: "PUT", url: "/vms/a", payload: { ...demo, "boot-source": {} } }, 400, /boot-source: give image/],
    ["an unknown action", { method: "PUT", url: "/vms/a/actions", payload: { action_type: "Explode" } }, 400, /action_type: must be equal to one of the allowed values/],
    ["an unknown VM", { method: "PUT", url: "/vms/ghost/actions", payload: { action_type: "InstanceStart" } }, 404, /no VM 'ghost'/],
    ["a multicast guest_mac", { method: "PUT", url: "/vms/a", payload: { ...demo, "network-interfaces": [{ iface_id: "eth0", switch: "lan", guest_mac: "01:00:5e:00:00:01" }] } }, 400, /^network-interfaces: guest_mac '01:00:5e:00:00:01' is a multicast address/],
    ["two NICs", { method: "PUT", url: "/vms/a", payload: { ...demo, "network-interfaces": [{ iface_id: "a", switch: "s" }, { iface_id: "b", switch: "s" }] } }, 400, /network-interfaces: must NOT have more than 1 items/],
    ["a bad switch name", { method: "PUT", url: "/vms/a", payload: { ...demo, "network-interfaces": [{ iface_id: "eth0", switch: "no spaces" }] } }, 400, /switch: must match pattern/],
    ["a timeout on an action other than Stop", { method: "PUT", url: "/vms/a/actions", payload: { action_type: "Pause", timeout_ms: 5 } }, 400, /^timeout_ms: only for Stop, not Pause$/],
    ["a negative stop timeout", { method: "PUT", url: "/vms/a/actions", payload: { action_type: "Stop", timeout_ms: -1 } }, 400, /timeout_ms: must be >= 0/],
    ["a body over 64 KiB", { method: "PUT", url: "/vms/a", payload: { ...demo, "boot-source": { image: "demo", boot_args: "x".repeat(70_000) } } }, 413, /too large/i],
    ["not JSON", { method: "PUT", url: "/vms/a", payload: "{oops", headers: { "content-type": "application/json" } }, 400, /JSON/i],
  ];
  it.each(cases)("refuses %s", async (_name, req, status, message) => {
    const app = server();
    const r = await app.inject(req as Parameters<typeof app.inject>[0]);
    expect(r.statusCode).toBe(status);
    expect(r.json().fault_message).toMatch(message);
    expect(hv.vms.has("a")).toBe(false);
  });

  it("refuses an action the state does not allow (409) and a duplicate id (409)", async () => {
    const app = server();
    await app.inject({ method: "PUT", url: "/vms/a", payload: demo });
    let r = await app.inject({ method: "PUT", url: "/vms/a/actions", payload: { action_type: "Pause" } });
    expect([r.statusCode, r.json().fault_message]).toEqual([409, "cannot pause VM 'a': it is created (allowed when running)"]);
    r = await app.inject({ method: "PUT", url: "/vms/a", payload: demo });
    expect(r.statusCode).toBe(409);
    r = await app.inject({ method: "PUT", url: "/vms/a/actions", payload: { action_type: "SendCtrlAltDel" } });
    expect([r.statusCode, r.json().fault_message]).toEqual([409, "cannot send Ctrl-Alt-Del to VM 'a': it is created (allowed when running)"]);
  });

  it("puts a VM's NIC on the switch the body names", async () => {
    const app = server();
    const body = { ...demo, "network-interfaces": [{ iface_id: "eth0", switch: "lan", guest_mac: "02:00:00:00:00:07" }] };
    expect((await app.inject({ method: "PUT", url: "/vms/n", payload: body })).statusCode).toBe(204);
    expect(hv.vms.get("n")!.config.net).toEqual({ switch: "lan", mac: "02:00:00:00:00:07" });
    expect(hv.network.switch("lan").portCount).toBe(1);
    expect((await app.inject({ method: "DELETE", url: "/vms/n" })).statusCode).toBe(204);
    expect(hv.network.switch("lan").portCount).toBe(0);
  });

  it("refuses a VM the host cannot fit, saying how much is free (507)", async () => {
    const app = server({}, 32 << 20);
    await app.inject({ method: "PUT", url: "/vms/a", payload: demo });
    const r = await app.inject({ method: "PUT", url: "/vms/b", payload: { ...demo, "machine-config": { mem_size_mib: 20 } } });
    expect([r.statusCode, r.json().fault_message]).toEqual([507, "VM 'b' needs 20 MiB of RAM; 16 MiB of the host's 32 MiB are free"]);
  });

  it("with a token, refuses requests without it", async () => {
    const app = server({ token: "s3cret" });
    expect((await app.inject({ method: "GET", url: "/vms" })).statusCode).toBe(401);
    expect((await app.inject({ method: "GET", url: "/vms", headers: { authorization: "Bearer s3cret" } })).statusCode).toBe(200);
  });
});

describe("API: the console over a WebSocket", () => {
  it("sends what the guest printed, then live output, and types what it receives", async () => {
    const { echoGuest } = await import("../helpers/guests.js");
    const app = server();
    await app.ready();
    hv.create({ id: "e", memSize: 2 << 20, boot: { kind: "bare", image: echoGuest() } });
    hv.start("e");
    const ws = await (app as unknown as { injectWS(path: string): Promise<import("ws").WebSocket> }).injectWS("/vms/e/console/ws");
    let got = "";
    ws.on("message", (d: Buffer) => { got += d.toString(); });
    ws.send("hello\n");
    // (the echo may come in two messages, "HELLO" then its newline: wait for all of it)
    for (let i = 0; i < 300 && !got.includes("HELLO\n"); i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe("HELLO\n");
    for (let i = 0; i < 300 && hv.vms.get("e")!.state === "running"; i++) await new Promise((r) => setTimeout(r, 10));
    expect(hv.vms.get("e")!.exitCode).toBe(6); // the guest read six bytes
    ws.terminate();
    const none = await (app as unknown as { injectWS(path: string, opts?: unknown): Promise<import("ws").WebSocket> }).injectWS("/vms/ghost/console/ws");
    const code = await new Promise<number>((r) => none.on("close", (c: number) => r(c)));
    expect(code).toBe(4404);
  });
});

describe("API: snapshots", () => {
  it("saves a paused VM and loads it into another, which finishes as the original would", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { guestElf } = await import("../helpers/elf-builder.js");
    const { mailboxes } = await import("../helpers/guests.js");
    const { Asm } = await import("../helpers/rv-asm.js");
    const a = new Asm();
    // 300 M instructions: still running when it is paused a few ms after its start, however
    // fast the engine (the JIT runs this loop at ~4,000 MIPS).
    a.la("s0", "tohost").li("t1", 100_000_000).li("t2", 0).label("l").add("t2", "t2", "t1").addi("t1", "t1", -1).bnez("t1", "l");
    a.andi("t2", "t2", 0x7f).slli("t0", "t2", 1).ori("t0", "t0", 1).sd("t0", 0, "s0").label("x").j("x");
    const image = guestElf(mailboxes(a));
    const dir = mkdtempSync(join(tmpdir(), "wasmvisor-snap-"));
    try {
      const app = server();
      for (const id of ["src", "dst"]) hv.create({ id, memSize: 2 << 20, boot: { kind: "bare", image } });
      hv.start("src");
      const path = join(dir, "src.snap");
      let r = await app.inject({ method: "PUT", url: "/vms/src/snapshot/create", payload: { snapshot_path: path } });
      expect([r.statusCode, r.json().fault_message]).toEqual([409, "cannot snapshot VM 'src': it is running (allowed when paused)"]);
      await new Promise((r) => setTimeout(r, 5));
      hv.pause("src");
      const at = hv.vms.get("src")!.machine!.hart.steps;
      expect(at).toBeGreaterThan(0);
      expect((await app.inject({ method: "PUT", url: "/vms/src/snapshot/create", payload: { snapshot_type: "Full", snapshot_path: path } })).statusCode).toBe(204);
      hv.stop("src");
      r = await app.inject({ method: "PUT", url: "/vms/dst/snapshot/load", payload: { snapshot_path: path } });
      expect(r.statusCode).toBe(204);
      const dst = hv.vms.get("dst")!;
      expect([dst.state, dst.machine!.hart.steps]).toEqual(["paused", at]); // exactly where src was
      expect((await app.inject({ method: "PUT", url: "/vms/dst/actions", payload: { action_type: "Resume" } })).statusCode).toBe(204);
      for (let i = 0; i < 1000 && dst.state === "running"; i++) await new Promise((res) => setTimeout(res, 10));
      expect(dst.exitCode).toBe(Number(((100_000_000n * 100_000_001n) / 2n) % 128n));
      r = await app.inject({ method: "PUT", url: "/vms/dst/snapshot/load", payload: { snapshot_path: join(dir, "missing.snap") } });
      expect([r.statusCode, r.json().fault_message]).toEqual([400, `snapshot_path: cannot read snapshot ${join(dir, "missing.snap")}: no such file`]);
      hv.create({ id: "big", memSize: 4 << 20, boot: { kind: "bare", image } });
      r = await app.inject({ method: "PUT", url: "/vms/big/snapshot/load", payload: { snapshot_path: path } });
      expect([r.statusCode, r.json().fault_message]).toEqual([400, "snapshot: the snapshot's VM has 2097152 bytes of RAM, this one 4194304"]);
      expect(hv.vms.get("big")!.state).toBe("created");
      // PUT /snapshot/load: into the VM the snapshot names (src, stopped now), paused on request.
      r = await app.inject({ method: "PUT", url: "/snapshot/load", payload: { snapshot_path: path, resume_vm: false } });
      expect([r.statusCode, r.json()]).toEqual([200, { id: "src", state: "paused" }]);
      expect(hv.vms.get("src")!.machine!.hart.steps).toBe(at);
      const { readFileSync, writeFileSync } = await import("node:fs");
      const damaged = readFileSync(path);
      damaged[100] ^= 0xff;
      writeFileSync(join(dir, "damaged.snap"), damaged);
      r = await app.inject({ method: "PUT", url: "/snapshot/load", payload: { snapshot_path: join(dir, "damaged.snap") } });
      expect([r.statusCode, r.json().fault_message]).toEqual([400, "snapshot: checksum mismatch: the file is damaged"]);
      writeFileSync(join(dir, "anonymous.snap"), hv.vms.get("src")!.machine!.snapshot()); // made without a host: names no VM
      r = await app.inject({ method: "PUT", url: "/snapshot/load", payload: { snapshot_path: join(dir, "anonymous.snap") } });
      expect([r.statusCode, r.json().fault_message]).toEqual([400, "snapshot: it does not name its VM; load it into one with PUT /vms/{id}/snapshot/load"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("API: Diff and compressed snapshots", () => {
  it("a VM with track_dirty_pages saves Diffs on its last snapshot; loading one reads its base; misuse is refused", async () => {
    const { mkdtempSync, rmSync, statSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { pageWriterGuest } = await import("../helpers/guests.js");
    const dir = mkdtempSync(join(tmpdir(), "wasmvisor-diff-api-"));
    const app = server();
    const act = (id: string, action_type: string) => app.inject({ method: "PUT", url: `/vms/${id}/actions`, payload: { action_type } });
    const snap = (id: string, payload: object) => app.inject({ method: "PUT", url: `/vms/${id}/snapshot/create`, payload });
    try {
      const image = pageWriterGuest();
      hv.create({ id: "w", memSize: 2 << 20, boot: { kind: "bare", image }, trackDirtyPages: true });
      hv.create({ id: "plain", memSize: 2 << 20, boot: { kind: "bare", image } });
      hv.create({ id: "copy", memSize: 2 << 20, boot: { kind: "bare", image } });
      for (const id of ["w", "plain"]) { hv.start(id); await new Promise((r) => setTimeout(r, 5)); hv.pause(id); }
      let r = await snap("w", { snapshot_type: "Diff", snapshot_path: join(dir, "early.snap") });
      expect([r.statusCode, r.json().fault_message]).toEqual([409, "snapshot: no snapshot to build a Diff on since this VM started, was restored or migrated: take a Full one first"]);
      r = await snap("plain", { snapshot_type: "Diff", snapshot_path: join(dir, "p.snap") });
      expect([r.statusCode, r.json().fault_message]).toEqual([409, "snapshot: a Diff snapshot needs dirty-page tracking (machine-config track_dirty_pages)"]);
      expect((await snap("w", { snapshot_path: join(dir, "full.snap") })).statusCode).toBe(204);
      await act("w", "Resume"); await new Promise((r) => setTimeout(r, 5)); await act("w", "Pause");
      expect((await snap("w", { snapshot_type: "Diff", snapshot_path: join(dir, "d1.snap"), compress: true })).statusCode).toBe(204);
      expect(statSync(join(dir, "d1.snap")).size).toBeLessThan(statSync(join(dir, "full.snap")).size);
      const at = hv.vms.get("w")!.machine!.hart.steps;
      r = await app.inject({ method: "PUT", url: "/vms/copy/snapshot/load", payload: { snapshot_path: join(dir, "d1.snap") } });
      expect(r.statusCode).toBe(204);
      const copy = hv.vms.get("copy")!.machine!;
      expect(copy.hart.steps).toBe(at);
      expect(Buffer.compare(copy.hart.ram, hv.vms.get("w")!.machine!.hart.ram)).toBe(0);
      // A live migration restarts the log: no Diff until the next Full snapshot, nor any snapshot to a file meanwhile.
      hv.migrationPages("w", true, 0);
      r = await snap("w", { snapshot_type: "Diff", snapshot_path: join(dir, "d2.snap") });
      expect([r.statusCode, r.json().fault_message]).toEqual([409, "VM 'w' is migrating: its dirty-page log belongs to the migration"]);
      hv.migrationAbort("w", false);
      r = await snap("w", { snapshot_type: "Diff", snapshot_path: join(dir, "d2.snap") });
      expect(r.json().fault_message).toMatch(/take a Full one first/);
      expect((await snap("w", { snapshot_path: join(dir, "full2.snap") })).statusCode).toBe(204);
      expect((await snap("w", { snapshot_type: "Diff", snapshot_path: join(dir, "d2.snap") })).statusCode).toBe(204);
      rmSync(join(dir, "full2.snap"));
      r = await app.inject({ method: "PUT", url: "/snapshot/load", payload: { snapshot_path: join(dir, "d2.snap") } });
      expect([r.statusCode, r.json().fault_message]).toEqual([400, `snapshot_path: cannot read base snapshot ${join(dir, "full2.snap")}: no such file`]);
      r = await snap("w", { snapshot_type: "Incremental", snapshot_path: join(dir, "x.snap") });
      expect(r.statusCode).toBe(400);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("API: the VM's parts one at a time", () => {
  it("defines the VM once it has a machine-config and a boot-source; parts change it until it starts", async () => {
    const app = server();
    expect((await app.inject({ method: "PUT", url: "/vms/p/machine-config", payload: { mem_size_mib: 16, mode: "full" } })).statusCode).toBe(204);
    expect(hv.vms.has("p")).toBe(false); // a draft: no boot-source yet
    expect((await app.inject({ method: "PUT", url: "/vms/p/boot-source", payload: { image: "demo" } })).statusCode).toBe(204);
    expect(hv.vms.get("p")!.config.memSize).toBe(16 << 20);
    expect((await app.inject({ method: "PUT", url: "/vms/p/machine-config", payload: { mem_size_mib: 32, mode: "full" } })).statusCode).toBe(204);
    expect(hv.vms.get("p")!.config.memSize).toBe(32 << 20);
    let r = await app.inject({ method: "PUT", url: "/vms/p/drives/rootfs", payload: { drive_id: "other", path_on_host: "/x" } });
    expect([r.statusCode, r.json().fault_message]).toEqual([400, "drive_id 'other' is not the drive in the path ('rootfs')"]);
    expect((await app.inject({ method: "PUT", url: "/vms/p/actions", payload: { action_type: "InstanceStart" } })).statusCode).toBe(204);
    for (let i = 0; i < 300 && hv.vms.get("p")!.state === "running"; i++) await new Promise((res) => setTimeout(res, 10));
    r = await app.inject({ method: "PUT", url: "/vms/p/machine-config", payload: { mem_size_mib: 64 } });
    expect([r.statusCode, r.json().fault_message]).toEqual([409, "cannot change the configuration of VM 'p': it is shutoff (allowed before it starts)"]);
    expect((await app.inject({ method: "GET", url: "/vms/p" })).json().config["machine-config"].mem_size_mib).toBe(32);
  });
});
