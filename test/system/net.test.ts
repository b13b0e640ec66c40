// Virtual networking between VMs: Linux guests with virtio-net NICs on the host's named switches.
// Two VMs on one switch ping each other and move a file with nc; a VM on another switch cannot
// reach them.
import { describe, expect, it } from "vitest";
import { Hypervisor } from "../../src/hypervisor/hypervisor.js";
import { DEFAULT_CONSOLE } from "../../src/machine/linux-boot.js";
import { loadCoreModule } from "../../src/node/core-module.js";
import { until } from "../helpers/wait.js";
import { bundled } from "./linux-session.js";

const MiB = 1 << 20;

describe("virtual networking", () => {
  it("two VMs on one switch ping each other and move a file with nc; a VM on another switch cannot reach them", async () => {
    const hv = new Hypervisor(loadCoreModule());
    const b = bundled();
    const linux = (id: string, sw: string) => hv.create({ id, memSize: 128 * MiB, net: { switch: sw },
      boot: { kind: "linux", mode: "para", images: { kernel: b.kernel, initrd: b.initrd, cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` } } });
    const vms = [linux("a", "lan"), linux("b", "lan"), linux("c", "other")];
    const text = (i: number) => new TextDecoder().decode(vms[i].console.contents());
    const run = async (i: number, cmd: string, marker: RegExp, ms = 60_000) => {
      hv.input(vms[i].id, new TextEncoder().encode(cmd + "\n"));
      await until(() => marker.test(text(i)), ms).catch(() => { throw new Error(`VM ${vms[i].id}: no ${marker} after \`${cmd}\`; its console ends:\n${text(i).slice(-600)}`); });
    };
    for (const vm of vms) hv.start(vm.id);
    await until(() => vms.every((_, i) => /root@wasmvisor:~# $/.test(text(i))), 120_000);
    for (let i = 0; i < 3; i++) await run(i, `ip addr add 10.0.0.${i + 1}/24 dev eth0 && ip link set eth0 up && echo up-${i}`, new RegExp(`\\nup-${i}\\r?\\n`));
    await run(0, "ping -c 2 -W 5 10.0.0.2 >/dev/null && echo ping-ok || echo ping-failed", /ping-(ok|failed)/);
    expect(text(0)).toMatch(/ping-ok/);
    // A file from a to b with nc, its checksum the same on both sides (the sender retries until
    // the listener, started in the background, accepts).
    await run(1, "nc -l -p 5000 < /dev/null > /tmp/got & echo listening", /listening/); // stdin not the tty: a background read would stop it
    await run(0, "head -c 200000 /dev/urandom > /tmp/f; md5sum /tmp/f; until nc -w 2 10.0.0.2 5000 < /tmp/f; do sleep 0.2; done; echo sent", /\nsent\r?\n/);
    const sum = /([0-9a-f]{32})  \/tmp\/f/.exec(text(0))![1];
    await run(1, "wait; md5sum /tmp/got", /[0-9a-f]{32}  \/tmp\/got/);
    expect(/([0-9a-f]{32})  \/tmp\/got/.exec(text(1))![1]).toBe(sum);
    // c is on another switch: nothing of it reaches a.
    await run(2, "ping -c 2 -W 1 10.0.0.1 >/dev/null && echo reached || echo unreachable", /(reached|unreachable)\r?\n/);
    expect(text(2)).toMatch(/unreachable/);
    expect(vms[0].machine!.board.net!.stats.txErrors).toBe(0);
    hv.close();
  }, 240_000);
});
