// `wasmvisor serve` and the client commands, as processes over loopback: create, start, ps,
// logs, events, a refused action, and VM definitions surviving a restart of the host.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli-process.js";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "wasmvisor-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts serve on a free port; resolves with its URL once it listens. */
function serve(stateDir: string): Promise<{ url: string; proc: ChildProcess }> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "serve", "--listen", "127.0.0.1:0", "--state-dir", stateDir], { cwd: ROOT });
    let err = "";
    proc.stderr!.setEncoding("utf8").on("data", (d: string) => {
      err += d;
      const m = /listening on (http:\/\/[^,\s]+)/.exec(err);
      if (m) done({ url: m[1], proc });
    });
    proc.on("close", (code) => fail(new Error(`serve exited ${code}: ${err}`)));
  });
}

const stop = (p: ChildProcess) => new Promise<void>((r) => { p.removeAllListeners("close"); p.on("close", () => r()); p.kill("SIGTERM"); });

describe("wasmvisor serve and the client commands", () => {
  it("create, start, ps, logs, events, refusals; definitions come back after a restart", async () => {
    const state = join(dir, "state");
    let s = await serve(state);
    const host = ["--host", s.url];
    expect((await cli(["create", "d", "--image", "demo", "--mode", "full", ...host])).code).toBe(0);
    expect((await cli(["create", "keeper", "--image", "demo", "--mode", "full", "--restart", "always", ...host])).code).toBe(0);
    expect((await cli(["start", "d", ...host])).code).toBe(0);
    let ps = "";
    for (let i = 0; i < 100 && !/^d\s+full\s+shutoff/m.test(ps); i++) { ps = (await cli(["ps", ...host])).stdout; }
    expect(ps).toMatch(/^ID\s+MODE\s+STATE\s+REASON$/m);
    expect(ps).toMatch(/^d\s+full\s+shutoff\s+the guest powered off$/m);
    expect((await cli(["logs", "d", ...host])).stdout).toMatch(/wasmvisor demo guest/);
    const ev = await cli(["events", "d", "--json", ...host]);
    expect(JSON.parse(ev.stdout).map((e: { type: string }) => e.type)).toEqual(["created", "started", "shutoff"]);
    // console: attach, type into a running Linux... the demo has ended, so attach shows its ring
    const attached = await cli(["console", "d", ...host]);
    expect(attached.code).toBe(0);
    expect(attached.stdout).toMatch(/wasmvisor demo guest/);
    expect((await cli(["console", "ghost", ...host])).stderr).toMatch(/no VM 'ghost'/);
    const refused = await cli(["pause", "d", ...host]);
    expect([refused.code, refused.stderr]).toEqual([1, "wasmvisor: cannot pause VM 'd': it is shutoff (allowed when running)\n"]);
    expect((await cli(["create", "x", "--image", "demo", "--mem", "4G", ...host])).stderr).toMatch(/invalid --mem value '4G'/);
    await stop(s.proc);

    s = await serve(state); // the host restarts: both VMs are defined again; `always` starts by itself
    const again = JSON.parse((await cli(["ps", "--json", "--host", s.url])).stdout) as { id: string; state: string }[];
    expect(again.map((v) => v.id).sort()).toEqual(["d", "keeper"]);
    expect(again.find((v) => v.id === "d")!.state).toBe("created");
    const keeper = JSON.parse((await cli(["events", "keeper", "--json", "--host", s.url])).stdout) as { type: string }[];
    expect(keeper.map((e) => e.type)).toContain("started");
    await stop(s.proc);
  }, 120_000);

  it("containers: create ID --mode container ROOT -- PROGRAM on the worker pool, ps says container, console is its stdio", async () => {
    const s = await serve(join(dir, "state-ct"));
    const host = ["--host", s.url];
    try {
      expect((await cli(["create", "c", "--mode", "container", "busybox", "--restart", "on-failure", ...host, "--", "/bin/sh", "-c", "read name; echo \"hello $name\"; exit 0"])).code).toBe(0);
      expect((await cli(["create", "once", "--mode", "container", "busybox", ...host, "--", "echo", "just once"])).code).toBe(0);
      expect((await cli(["start", "c", ...host])).code).toBe(0);
      expect((await cli(["start", "once", ...host])).code).toBe(0);
      await fetch(`${s.url}/vms/c/console`, { method: "PUT", body: "world\n", headers: { "content-type": "text/plain" } });
      let ps = "";
      for (let i = 0; i < 300 && !/^c\s+container\s+shutoff/m.test(ps); i++) { ps = (await cli(["ps", ...host])).stdout; await new Promise((r) => setTimeout(r, 50)); }
      expect(ps).toMatch(/^c\s+container\s+shutoff\s+its first process exited with status 0$/m);
      expect(ps).toMatch(/^once\s+container\s+shutoff/m);
      expect((await cli(["logs", "c", ...host])).stdout).toBe("hello world\n");
      expect((await cli(["logs", "once", ...host])).stdout).toBe("just once\n");
      const bad = await cli(["create", "x", "--mode", "container", join(dir, "no-root"), ...host, "--", "/bin/sh"]);
      expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/container root .*no-root: no such file or directory/)]);
      expect((await cli(["create", "y", "--mode", "container", "busybox", ...host])).stderr).toMatch(/--mode container needs a root and a program/);
    } finally {
      await stop(s.proc);
    }
  }, 120_000);

  it("what a guest wrote to its drive is there after the host restarts; the image file is never written", async () => {
    const state = join(dir, "state-disk"), img = join(dir, "vda.img");
    writeFileSync(img, new Uint8Array(1 << 20));
    let s = await serve(state);
    const host = ["--host", s.url];
    expect((await cli(["create", "l", "--image", "linux", "--mode", "para", "--disk", img, ...host])).code).toBe(0);
    const consoleText = async (url: string) => (await fetch(`${url}/vms/l/console`)).text();
    const type = (url: string, text: string) => fetch(`${url}/vms/l/console`, { method: "PUT", body: text, headers: { "content-type": "text/plain" } });
    const waitFor = async (url: string, re: RegExp) => {
      for (let i = 0; i < 900; i++) { if (re.test(await consoleText(url))) return; await new Promise((r) => setTimeout(r, 100)); }
      throw new Error(`timeout waiting for ${re}: ${(await consoleText(url)).slice(-500)}`);
    };
    expect((await cli(["start", "l", ...host])).code).toBe(0);
    await waitFor(s.url, /root@wasmvisor:~# $/);
    await type(s.url, "printf kept-across-restarts | dd of=/dev/vda conv=notrunc 2>/dev/null; sync; echo wrote-$((40 + 2))\n");
    await waitFor(s.url, /wrote-42/);
    expect((await cli(["stop", "l", "--timeout", "60000", ...host])).code).toBe(0); // the guest shuts down cleanly
    await stop(s.proc);
    expect(readFileSync(img).every((b) => b === 0)).toBe(true);

    s = await serve(state);
    expect((await cli(["start", "l", "--host", s.url])).code).toBe(0);
    await waitFor(s.url, /root@wasmvisor:~# $/);
    await type(s.url, "echo \"[$(dd if=/dev/vda bs=20 count=1 2>/dev/null)]\"\n");
    await waitFor(s.url, /\[kept-across-restarts\]/);
    expect(readFileSync(join(state, "disks", "l", "vda.index")).length).toBeGreaterThan(0); // the overlay holds it
    expect((await cli(["rm", "l", "--host", s.url])).code).toBe(0); // and goes with the VM
    await stop(s.proc);
    expect(() => readFileSync(join(state, "disks", "l", "vda.index"))).toThrow(/ENOENT/);
  }, 240_000);

  it("snapshot create VM FILE saves a running Linux VM; snapshot load FILE brings it back after rm, its shell as it was", async () => {
    const state = join(dir, "state-snap"), file = join(dir, "l.snap");
    const s = await serve(state);
    const host = ["--host", s.url];
    const consoleText = async () => (await fetch(`${s.url}/vms/l/console`)).text();
    const type = (text: string) => fetch(`${s.url}/vms/l/console`, { method: "PUT", body: text, headers: { "content-type": "text/plain" } });
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 900; i++) { if (re.test(await consoleText())) return; await new Promise((r) => setTimeout(r, 100)); }
      throw new Error(`timeout waiting for ${re}: ${(await consoleText()).slice(-500)}`);
    };
    expect((await cli(["create", "l", "--image", "linux", "--mode", "para", ...host])).code).toBe(0);
    expect((await cli(["start", "l", ...host])).code).toBe(0);
    await waitFor(/root@wasmvisor:~# $/);
    await type("x=41; echo set-$((x * 0 + 7))\n");
    await waitFor(/\nset-7\r?\n/);
    const saved = await cli(["snapshot", "create", "l", file, ...host]);
    expect([saved.code, saved.stdout]).toEqual([0, `saved l to ${file}\n`]);
    expect(JSON.parse((await cli(["ps", "--json", ...host])).stdout)).toEqual([{ id: "l", mode: "para", state: "running" }]); // resumed after the snapshot
    expect((await cli(["rm", "l", ...host])).code).toBe(0);
    const loaded = await cli(["snapshot", "load", file, ...host]);
    expect([loaded.code, loaded.stdout]).toEqual([0, `loaded l from ${file} (running)\n`]);
    await type("echo answer-$((x + 1))\n");
    await waitFor(/\nanswer-42\r?\n/);
    const bad = await cli(["snapshot", "load", join(dir, "nothing.snap"), ...host]);
    expect([bad.code, bad.stderr]).toEqual([1, `wasmvisor: snapshot_path: cannot read snapshot ${join(dir, "nothing.snap")}: no such file\n`]);
    expect((await cli(["snapshot", "create", "l", ...host])).stderr).toMatch(/expected 'snapshot create VM FILE'/);
    await stop(s.proc);
  }, 240_000);

  it("refuses to listen beyond loopback without a token, and an unreachable host is a clear error", async () => {
    const r = await cli(["serve", "--listen", "0.0.0.0:0"]);
    expect([r.code, r.stderr]).toEqual([2, "wasmvisor: serve: listening on 0.0.0.0 (not loopback) needs an access token (--token or WASMVISOR_TOKEN)\n"]);
    const c = await cli(["ps", "--host", "http://127.0.0.1:1"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^wasmvisor: cannot reach wasmvisor serve at http:\/\/127\.0\.0\.1:1: /);
  });
});
