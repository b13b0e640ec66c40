// Virtual networking between VMs: Linux guests with virtio-net NICs on the host's named switches.
// Two VMs on one switch ping each other and move a file with nc; a VM on another switch cannot
// reach them.
import { createServer, get } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { bytesPerSecond } from "../../src/devices/rate-limiter.js";
import { describe, expect, it } from "vitest";
import { nodeSockets } from "../../src/node/host-sockets.js";
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
      await until(() => marker.test(text(i)), ms).catch(() => { throw new Error(`VM ${vms[i].id} (${vms[i].state} ${JSON.stringify(vms[i].events)}): no ${marker} after \`${cmd}\`; its console (${vms[i].console.written} bytes) ends:\n${text(i).slice(-1500)}`); });
    };
    for (const vm of vms) hv.start(vm.id);
    await until(() => vms.every((_, i) => /root@wasmvisor:~# $/.test(text(i))), 120_000);
    for (let i = 0; i < 3; i++) await run(i, `ip addr add 10.0.0.${i + 1}/24 dev eth0 && ip link set eth0 up && echo up-$((${i} + 10))`, new RegExp(`\\nup-${i + 10}\\r?\\n`));
    await run(0, "ping -c 2 -W 5 10.0.0.2 >/dev/null && echo ping-$((40 + 2)) || echo ping-failed-$((40 + 2))", /\nping-(failed-)?42\r?\n/);
    expect(text(0)).toMatch(/\nping-42\r?\n/);
    // A file from a to b with nc, its checksum the same on both sides (the sender retries until
    // the listener, started in the background, accepts).
    await run(1, "nc -l -p 5000 < /dev/null > /tmp/got & echo listening-$((1 + 1))", /\nlistening-2\r?\n/); // stdin not the tty: a background read would stop it
    await run(0, "head -c 200000 /dev/urandom > /tmp/f; md5sum /tmp/f; until nc -w 2 10.0.0.2 5000 < /tmp/f; do sleep 0.2; done; echo sent-$((2 + 1))", /\nsent-3\r?\n/);
    const sum = /([0-9a-f]{32})  \/tmp\/f/.exec(text(0))![1];
    await run(1, "wait; md5sum /tmp/got", /[0-9a-f]{32}  \/tmp\/got/);
    expect(/([0-9a-f]{32})  \/tmp\/got/.exec(text(1))![1]).toBe(sum);
    // c is on another switch: nothing of it reaches a.
    await run(2, "ping -c 2 -W 1 10.0.0.1 >/dev/null && echo reached-$((3 + 1)) || echo unreachable-$((3 + 1))", /\n(reached|unreachable)-4\r?\n/);
    expect(text(2)).toMatch(/\nunreachable-4\r?\n/);
    expect(vms[0].machine!.board.net!.stats.txErrors).toBe(0);
    hv.close();
  }, 240_000);

  it("user-mode networking: DHCP at boot, the gateway answers ping, the guest fetches from the host, the host fetches the guest's page through a port forward", async () => {
    const server = createServer((_req, res) => { res.end("from-the-host\n"); });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const hostPort = (server.address() as { port: number }).port;
    const hv = new Hypervisor(loadCoreModule(), { sockets: nodeSockets });
    const b = bundled();
    const vm = hv.create({ id: "web-1", memSize: 128 * MiB, net: { user: { forwards: ["tcp:127.0.0.1:0-:80"] } },
      boot: { kind: "linux", mode: "para", images: { kernel: b.kernel, initrd: b.initrd, cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` } } });
    const text = () => new TextDecoder().decode(vm.console.contents());
    const run = async (cmd: string, marker: RegExp, ms = 60_000) => {
      hv.input("web-1", new TextEncoder().encode(cmd + "\n"));
      await until(() => marker.test(text()), ms).catch(() => { throw new Error(`no ${marker} after \`${cmd}\`; the console ends:\n${text().slice(-800)}`); });
    };
    hv.start("web-1");
    await until(() => /root@wasmvisor:~# $/.test(text()), 120_000);
    // The image asked for its address at boot: it has the lease, the route and the DNS server.
    await run("for i in 1 2 3 4 5 6 7 8 9 10; do ip route | grep -q default && break; sleep 0.5; done; ip addr show eth0 | grep -o 'inet [0-9./]*'; ip route | grep default; cat /etc/resolv.conf; echo dhcp-$((1 + 1))", /\ndhcp-2\r?\n/);
    expect(text()).toMatch(/inet 10\.0\.2\.15\/24/);
    expect(text()).toMatch(/default via 10\.0\.2\.2 dev eth0/);
    expect(text()).toMatch(/nameserver 10\.0\.2\.3/);
    // The DHCP server answers a client run by hand as well.
    await run("udhcpc -i eth0 -n -q -s /bin/true 2>&1 | tail -n 1; echo again-$((2 + 1))", /\nagain-3\r?\n/);
    expect(text()).toMatch(/lease of 10\.0\.2\.15 obtained from 10\.0\.2\.2/);
    await run("ping -c 1 -W 5 10.0.2.2 >/dev/null && echo gw-$((3 + 1)) || echo gw-failed-$((3 + 1))", /\ngw-(failed-)?4\r?\n/);
    expect(text()).toMatch(/\ngw-4\r?\n/);
    await run(`wget -q -O - http://10.0.2.2:${hostPort}/; echo fetched-$((4 + 1))`, /\nfetched-5\r?\n/);
    expect(text()).toMatch(/from-the-host/);
    // Its own page (busybox httpd, started at boot) through the port forward, naming the VM.
    await until(() => vm.forwardedPorts.length === 1);
    const body = await new Promise<string>((resolve, reject) => {
      get(`http://127.0.0.1:${vm.forwardedPorts[0]}/`, (res) => { let d = ""; res.setEncoding("utf8").on("data", (c: string) => { d += c; }).on("end", () => resolve(d)); }).on("error", reject);
    });
    expect(body).toBe("wasmvisor VM web-1\n");
    hv.close();
    server.close();
  }, 240_000);

  it("a transmit limit of 250,000 bytes/s holds within 10 % over a 4 s transfer to the host", async () => {
    const RATE = 250_000, TOTAL = 1_250_000;
    const marks: { bytes: number; t: number }[] = [];
    let got = 0;
    const server = createTcpServer((s) => s.on("data", (d: Buffer) => { got += d.length; marks.push({ bytes: got, t: performance.now() }); if (got >= TOTAL) s.end(); }));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const hv = new Hypervisor(loadCoreModule(), { sockets: nodeSockets });
    const b = bundled();
    const vm = hv.create({ id: "r", memSize: 128 * MiB, net: { user: {}, tx: bytesPerSecond(RATE) },
      boot: { kind: "linux", mode: "para", images: { kernel: b.kernel, initrd: b.initrd, cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` } } });
    const text = () => new TextDecoder().decode(vm.console.contents());
    hv.start("r");
    await until(() => /root@wasmvisor:~# $/.test(text()), 120_000);
    hv.input("r", new TextEncoder().encode(`ip link set eth0 up; ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2; head -c ${TOTAL} /dev/zero | nc 10.0.2.2 ${port}; echo sent-$((3 * 3))\n`));
    await until(() => got >= TOTAL, 60_000);
    // After the first bucketful (the burst a full bucket allows), the payload comes at the limit
    // less the headers' share (54 bytes of Ethernet, IP and TCP per 1,460 of data).
    const from = marks.find((m) => m.bytes >= RATE)!, to = marks.at(-1)!;
    const payloadRate = (to.bytes - from.bytes) / ((to.t - from.t) / 1000);
    const wireRate = payloadRate * (1514 / 1460);
    process.stderr.write(`net: transmit limited to ${RATE} B/s measured ${Math.round(wireRate)} B/s on the wire (${Math.round(payloadRate)} B/s of payload)\n`);
    expect(wireRate).toBeGreaterThan(RATE * 0.9);
    expect(wireRate).toBeLessThan(RATE * 1.1);
    expect(vm.machine!.board.net!.stats.txBytes).toBeGreaterThan(TOTAL);
    hv.close();
    server.close();
  }, 120_000);
});
