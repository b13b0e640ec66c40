// The supervisor: admission control, lifecycle and wrong-state refusals, containment of
// misbehaving guests among well-behaved ones, restart policies with backoff, and the fair-share
// scheduler with shares and CPU caps (on a fake clock, so the shares come out exactly).
import { describe, expect, it } from "vitest";
import { HypervisorError } from "../../src/hypervisor/errors.js";
import { Hypervisor } from "../../src/hypervisor/hypervisor.js";
import { FairShare, jainIndex } from "../../src/hypervisor/scheduler.js";
import { Vm } from "../../src/hypervisor/vm.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { guestElf } from "../helpers/elf-builder.js";
import { floodGuest, loopGuest, mailboxes, sumGuest, timerGuest } from "../helpers/guests.js";
import { until } from "../helpers/wait.js";
import { Asm } from "../helpers/rv-asm.js";

const MiB = 1 << 20;
const mod = loadCoreModule();

const countGuest = (n: number, code = 0) => sumGuest(n, code, 0x7f);
const expected = (n: number, code = 0) => ((n * (n + 1) / 2) & 0x7f) + code;
const spinGuest = loopGuest;
/** Every instruction faults: mtvec points at an unmapped address. */
const trapStormGuest = () => { const a = new Asm(); a.li("t0", 0x1000).insn(0x30529073 /* csrw mtvec, t0 */).insn(0); return guestElf(mailboxes(a)); };
/** Prints forever through HTIF putchar. */


describe("hypervisor: admission and lifecycle", () => {
  it("refuses a VM that would overcommit the host, saying how much is free", () => {
    const hv = new Hypervisor(mod, { memoryLimit: 256 * MiB });
    hv.create({ id: "a", memSize: 128 * MiB, boot: { kind: "bare", image: spinGuest() } });
    hv.create({ id: "b", memSize: 100 * MiB, boot: { kind: "bare", image: spinGuest() } });
    const err = (() => { try { hv.create({ id: "c", memSize: 64 * MiB, boot: { kind: "bare", image: spinGuest() } }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(HypervisorError);
    expect((err as HypervisorError).code).toBe("insufficient_memory");
    expect((err as HypervisorError).message).toBe("VM 'c' needs 64 MiB of RAM; 28 MiB of the host's 256 MiB are free");
    hv.delete("b");
    expect(() => hv.create({ id: "c", memSize: 64 * MiB, boot: { kind: "bare", image: spinGuest() } })).not.toThrow();
  });

  it("moves through created, running, paused, shutoff; refuses actions the state does not allow", async () => {
    const hv = new Hypervisor(mod);
    hv.create({ id: "v", memSize: 4 * MiB, boot: { kind: "bare", image: spinGuest() } });
    const vm = hv.vms.get("v")!;
    expect(() => hv.pause("v")).toThrow(/cannot pause VM 'v': it is created/);
    hv.start("v");
    expect(vm.state).toBe("running");
    await until(() => vm.cpuMs > 5);
    hv.pause("v");
    const steps = vm.machine!.hart.steps;
    await new Promise((r) => setTimeout(r, 20));
    expect(vm.machine!.hart.steps).toBe(steps); // a paused VM does not run
    expect(() => hv.start("v")).toThrow(HypervisorError);
    hv.resume("v");
    await until(() => vm.machine!.hart.steps > steps);
    hv.stop("v");
    expect([vm.state, vm.reason]).toEqual(["shutoff", "stopped by the host"]);
    expect(() => hv.resume("v")).toThrow(/it is shutoff/);
    expect(() => hv.start("nope")).toThrow(/no VM 'nope'/);
    expect(() => hv.create({ id: "bad id!", memSize: 4096, boot: { kind: "bare", image: spinGuest() } })).toThrow(/id:/);
    expect(vm.events.map((e) => e.type)).toEqual(["created", "started", "paused", "resumed", "shutoff"]);
    hv.close();
  });
});

describe("hypervisor: containment", () => {
  it("misbehaving guests crash or keep to themselves; the others finish with the right result", async () => {
    const hv = new Hypervisor(mod);
    const good = [1, 2, 3, 4].map((i) => `good${i}`);
    good.forEach((id, i) => hv.create({ id, memSize: 2 * MiB, boot: { kind: "bare", image: countGuest(200_000 + i, i) } }));
    hv.create({ id: "spin", memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() } });
    hv.create({ id: "storm", memSize: 2 * MiB, boot: { kind: "bare", image: trapStormGuest() } });
    hv.create({ id: "flood", memSize: 2 * MiB, boot: { kind: "bare", image: floodGuest() } });
    hv.create({ id: "broken", memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() } });
    for (const id of hv.vms.keys()) hv.start(id);
    // A device model that throws inside this VM's slice: the fault stays in the VM.
    const broken = hv.vms.get("broken")!;
    broken.machine!.hart.run = () => { throw new Error("instance trapped: unreachable"); };
    await until(() => good.every((id) => hv.vms.get(id)!.state !== "running") && broken.state !== "running");
    good.forEach((id, i) => {
      const vm = hv.vms.get(id)!;
      // the right sum, so the guest ran undisturbed; a non-zero status counts as a failure
      expect(vm.exitCode).toBe(expected(200_000 + i, i));
      expect(vm.state).toBe(vm.exitCode === 0 ? "shutoff" : "crashed");
    });
    expect(broken.state).toBe("crashed");
    expect(broken.reason).toBe("host fault: instance trapped: unreachable");
    for (const id of ["spin", "storm", "flood"]) expect(hv.vms.get(id)!.state).toBe("running");
    const flood = hv.vms.get("flood")!;
    await until(() => flood.console.written > 1000);
    expect(new TextDecoder().decode(flood.console.contents()).slice(0, 10)).toBe("AAAAAAAAAA");
    expect(hv.vms.get("storm")!.machine!.hart.stats().exceptions).toBeGreaterThan(10_000);
    hv.close();
  });

  it("keeps the last 64 KiB of a VM's console", async () => {
    const { ConsoleRing, CONSOLE_RING_BYTES } = await import("../../src/hypervisor/vm.js");
    const ring = new ConsoleRing();
    const seen: number[] = [];
    ring.listeners.add((b) => seen.push(b.length));
    for (let i = 0; i < 100; i++) ring.push(new Uint8Array(1000).fill(i));
    expect(ring.written).toBe(100_000);
    const c = ring.contents();
    expect(c.length).toBe(CONSOLE_RING_BYTES);
    expect(c[c.length - 1]).toBe(99);
    expect(c[0]).toBe(Math.floor((100_000 - CONSOLE_RING_BYTES) / 1000));
    expect(seen).toHaveLength(100);
  });
});

describe("hypervisor: a Linux VM among misbehaving ones", () => {
  it("boots to its shell and answers on its console while others loop, storm and flood", async () => {
    const { bundled } = await import("../system/linux-session.js");
    const { DEFAULT_CONSOLE } = await import("../../src/machine/linux-boot.js");
    const hv = new Hypervisor(mod);
    const b = bundled();
    hv.create({ id: "linux", memSize: 256 * MiB, boot: { kind: "linux", mode: "para", images: { kernel: b.kernel, initrd: b.initrd, cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` } } });
    hv.create({ id: "spin", memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() } });
    hv.create({ id: "storm", memSize: 2 * MiB, boot: { kind: "bare", image: trapStormGuest() } });
    hv.create({ id: "flood", memSize: 2 * MiB, boot: { kind: "bare", image: floodGuest() } });
    for (const id of hv.vms.keys()) hv.start(id);
    const linux = hv.vms.get("linux")!;
    const text = () => new TextDecoder().decode(linux.console.contents());
    await until(() => /root@wasmvisor:~# $/.test(text()), 90_000);
    hv.input("linux", new TextEncoder().encode("echo $((20 + 22))\n"));
    await until(() => /\n42\r?\n/.test(text()), 30_000);
    for (const id of ["spin", "storm", "flood"]) expect(hv.vms.get(id)!.state).toBe("running");
    hv.close();
  }, 120_000);
});

describe("hypervisor: stopping gracefully", () => {
  it("Stop sends Ctrl-Alt-Del and waits: Linux powers off by itself; one that ignores it is stopped at the timeout", async () => {
    const { bundled } = await import("../system/linux-session.js");
    const { DEFAULT_CONSOLE } = await import("../../src/machine/linux-boot.js");
    const hv = new Hypervisor(mod);
    const b = bundled();
    hv.create({ id: "l", memSize: 256 * MiB, restart: "always", backoffMs: 0,
      boot: { kind: "linux", mode: "full", images: { kernel: b.kernel, initrd: b.initrd, firmware: b.firmware, cmdline: `${DEFAULT_CONSOLE.full} wasmvisor.mode=full` } } });
    const vm = hv.vms.get("l")!;
    const text = () => new TextDecoder().decode(vm.console.contents());
    const prompt = /root@wasmvisor:~# $/;
    hv.start("l");
    await until(() => prompt.test(text()), 90_000);
    // First a guest that ignores Ctrl-Alt-Del: init forgets its ctrlaltdel action.
    hv.input("l", new TextEncoder().encode("sed -i /ctrlaltdel/d /etc/inittab; kill -HUP 1; echo ready-$((6 * 7))\n"));
    await until(() => /ready-42/.test(text()), 30_000);
    await new Promise((r) => setTimeout(r, 200));
    await hv.stop("l", 500);
    expect([vm.state, vm.reason]).toEqual(["shutoff", "stopped by the host: the guest did not shut down within 500 ms"]);
    expect(text()).not.toMatch(/going down/);
    // Booted again (a fresh initramfs): this time the guest shuts down by itself, and `always` does not bring it back.
    const before = vm.console.written;
    hv.start("l");
    await until(() => vm.console.written > before && prompt.test(text()), 90_000);
    await hv.stop("l", 60_000);
    expect([vm.state, vm.reason]).toEqual(["shutoff", "stopped by the host (the guest shut down)"]);
    expect(text()).toMatch(/The system is going down NOW!/);
    const types = vm.events.map((e) => e.type);
    expect(types.filter((t) => t === "shutdown-requested")).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(vm.state).toBe("shutoff");
    expect(vm.events.map((e) => e.type)).not.toContain("restart-scheduled");
    hv.close();
  }, 240_000);

  it("a guest with no keyboard driver (bare metal) is stopped at once; Ctrl-Alt-Del alone is refused", async () => {
    const hv = new Hypervisor(mod);
    hv.create({ id: "s", memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() } });
    hv.start("s");
    await until(() => hv.vms.get("s")!.cpuMs > 1);
    expect(() => hv.sendCtrlAltDel("s")).toThrow("VM 's' has no keyboard driver listening (a bare-metal guest, or Linux not booted that far)");
    expect(hv.stop("s", 10_000)).toBeUndefined(); // nothing to wait for
    expect([hv.vms.get("s")!.state, hv.vms.get("s")!.reason]).toEqual(["shutoff", "stopped by the host"]);
    expect(() => hv.stop("s")).toThrow(/it is shutoff/);
    hv.close();
  });
});

describe("hypervisor: idle VMs", () => {
  it("a VM waiting in WFI sleeps until its timer deadline and burns no host CPU meanwhile", async () => {
    const hv = new Hypervisor(mod);
    const idle = Array.from({ length: 20 }, (_, i) => `idle${i}`);
    for (const id of idle) { hv.create({ id, memSize: 2 * MiB, boot: { kind: "bare", image: timerGuest(800_000) } }); hv.start(id); }
    const t = Date.now();
    await until(() => idle.every((id) => hv.vms.get(id)!.state !== "running"));
    const elapsed = Date.now() - t;
    expect(elapsed).toBeGreaterThanOrEqual(75); // the deadline is 80 ms of guest time away
    for (const id of idle) {
      const vm = hv.vms.get(id)!;
      expect(vm.exitCode).toBe(7); // woken by the machine timer interrupt (mcause 7)
      // Its slices before the wait count too (up to ~13 ms with every block compiled,
      // WASMVISOR_JIT=0, on a busy machine); a VM that spun through the wait would show 75+.
      expect(vm.cpuMs).toBeLessThan(25);
    }
    hv.close();
  });
});

describe("hypervisor: the watchdog (SBI heartbeat)", () => {
  /** Para guest: heartbeat(timeout), then `rest` (runs in S-mode, hypercalls on). */
  function heartbeatGuest(timeoutMs: number, rest: (a: Asm) => void): Uint8Array {
    const a = new Asm();
    a.li("a7", 0x09575600).li("a6", 3).li("a0", timeoutMs).ecall();
    rest(a);
    return guestElf(a);
  }

  it("a guest whose heartbeat stops is crashed (busy or idle); one that keeps beating is not", async () => {
    const hv = new Hypervisor(mod);
    const mk = (id: string, image: Uint8Array) => {
      hv.create({ id, memSize: 2 * MiB, boot: { kind: "bare", image, mode: "para" } });
      return hv.vms.get(id)!;
    };
    const busy = mk("busy", heartbeatGuest(30, (a) => { a.label("s").j("s"); }));
    const idle = mk("idle", heartbeatGuest(30, (a) => { a.label("w").wfi().j("w"); }));
    const alive = mk("alive", heartbeatGuest(40, (a) => {
      a.label("top").li("t1", 20_000).label("l").addi("t1", "t1", -1).bnez("t1", "l");
      a.li("a7", 0x09575600).li("a6", 3).li("a0", 40).ecall().j("top");
    }));
    for (const id of ["busy", "idle", "alive"]) hv.start(id);
    await until(() => busy.state === "crashed" && idle.state === "crashed", 5000);
    expect(busy.reason).toBe("watchdog: no heartbeat for 30 ms");
    expect(idle.reason).toBe("watchdog: no heartbeat for 30 ms");
    await new Promise((r) => setTimeout(r, 100));
    expect(alive.state).toBe("running");
    hv.close();
  });
});

describe("hypervisor: restart policies", () => {
  it("on-failure restarts with exponential backoff up to the limit; a clean power-off is not a failure", async () => {
    const hv = new Hypervisor(mod);
    hv.create({ id: "f", memSize: 2 * MiB, boot: { kind: "bare", image: countGuest(10, 1) }, restart: "on-failure", maxRestarts: 2, backoffMs: 5 });
    hv.start("f");
    const vm = hv.vms.get("f")!;
    await until(() => vm.events.some((e) => e.type === "restart-limit"));
    const types = vm.events.map((e) => e.type);
    expect(types).toEqual(["created", "started", "crashed", "restart-scheduled", "restarted", "crashed", "restart-scheduled", "restarted", "crashed", "restart-limit"]);
    expect(vm.events.filter((e) => e.type === "restart-scheduled").map((e) => e.detail)).toEqual(["in 5 ms", "in 10 ms"]);
    expect(vm.reason).toMatch(/exited with status \d+ \(restart limit of 2 reached\)/);
    // exit code 0 (sum 1..15 = 120, & 0x7f = 120): no restart under on-failure
    hv.create({ id: "ok", memSize: 2 * MiB, boot: { kind: "bare", image: countGuest(1, -1) }, restart: "on-failure", backoffMs: 1 });
    hv.start("ok");
    const ok = hv.vms.get("ok")!;
    await until(() => ok.state === "shutoff");
    await new Promise((r) => setTimeout(r, 20));
    expect(ok.events.map((e) => e.type)).toEqual(["created", "started", "shutoff"]);
    hv.close();
  });

  it("always restarts a VM that powered off cleanly", async () => {
    const hv = new Hypervisor(mod);
    hv.create({ id: "a", memSize: 2 * MiB, boot: { kind: "bare", image: countGuest(1, -1) }, restart: "always", maxRestarts: 1, backoffMs: 1 });
    hv.start("a");
    const vm = hv.vms.get("a")!;
    await until(() => vm.events.some((e) => e.type === "restart-limit"));
    expect(vm.restarts).toBe(1);
    hv.close();
  });
});

describe("fair-share scheduling and CPU caps", () => {
  it("gives busy VMs CPU in proportion to their shares, and holds a cap (1 ms slices on a fake clock)", () => {
    const sched = new FairShare();
    let now = 0;
    const specs: [string, number, number][] = [["a", 100, 100], ["b", 100, 100], ["c", 200, 100], ["capped", 400, 25]];
    const vms = specs.map(([id, shares, cpuCap]) => {
      const vm = new Vm({ id, memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() }, shares, cpuCap }, mod, () => now);
      vm.boot();
      vm.state = "running";
      return vm;
    });
    const total = 4000;
    for (; now < total; now++) {
      const vm = sched.pick(vms, now);
      if (vm) sched.charge(vm, 1);
    }
    const cpu = (id: string) => vms.find((v) => v.id === id)!.cpuMs;
    expect(cpu("capped") / total).toBeGreaterThan(0.24); // 25 % of one core, although it has the most shares
    expect(cpu("capped") / total).toBeLessThanOrEqual(0.26);
    expect(cpu("a") + cpu("b") + cpu("c") + cpu("capped")).toBe(total); // the CPU never idles
    // the others share the remaining 75 % by their shares, 1:1:2
    expect(jainIndex([cpu("a") / 100, cpu("b") / 100, cpu("c") / 200])).toBeGreaterThan(0.99);
  });

  it("a VM that joins late starts at the least virtual runtime, so it cannot take the CPU for itself", () => {
    const sched = new FairShare();
    const mk = (id: string) => { const v = new Vm({ id, memSize: 2 * MiB, boot: { kind: "bare", image: spinGuest() } }, mod, () => 0); v.boot(); v.state = "running"; return v; };
    const a = mk("a");
    for (let i = 0; i < 1000; i++) sched.charge(a, 1);
    const b = mk("b");
    sched.admit(b, [a, b]);
    expect(b.vruntime).toBe(a.vruntime);
  });
});
