// `npm run bench -- net [--runs N]`: the bundled Linux (para mode) with user-mode networking,
// beside qemu-system-riscv64 -M virt with its user-mode network (slirp) and the same image, in
// one run: request latency of the guest's busybox httpd from the host through a port forward
// (median of N requests after a warm-up), and TCP throughput guest -> host and host -> guest
// (N transfers of 2 MB each, median), and, on wasmvisor, VM -> VM over a switch. Writes
// bench/results/net.{json,md}.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { connect, createServer, type AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Hypervisor } from "../src/hypervisor/hypervisor.js";
import { DEFAULT_CONSOLE } from "../src/machine/linux-boot.js";
import { loadCoreModule } from "../src/node/core-module.js";
import { nodeSockets } from "../src/node/host-sockets.js";
import { loadBundledLinux, packageRoot } from "../src/node/images.js";

const BYTES = 2_000_000;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A guest we can type into and read from, and its forwarded httpd port and sink port. */
interface Guest { type(line: string): void; text(): string; httpPort: number; sinkPort: number; close(): Promise<void> }

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t = Date.now();
  while (!cond()) { if (Date.now() - t > ms) throw new Error(`timeout: ${what}`); await sleep(5); }
}

function httpLatency(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    get({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => { res.resume(); res.on("end", () => resolve(performance.now() - t)); }).on("error", reject);
  });
}

/**
 * Host -> guest: BYTES into the guest's sink (nc -l | wc -c) through the forward, timed from the
 * connect to the guest's count of what it received (which must be all of it); MB/s.
 */
async function hostToGuest(g: Guest, n: number): Promise<number> {
  const marker = new RegExp(`\\n${BYTES}\\r?\\nsink-${n + 100}\\r?\\n`);
  const t = performance.now();
  const s = connect(g.sinkPort, "127.0.0.1");
  s.on("error", () => { /* the guest's count will say */ });
  s.end(Buffer.alloc(BYTES));
  await until(() => marker.test(g.text()), 120_000, "the guest's count of the bytes it received");
  return BYTES / ((performance.now() - t) / 1000) / 1e6;
}

/** Guest -> host: the guest sends BYTES to a server on the host's loopback; MB/s. */
async function guestToHost(g: Guest, n: number): Promise<number> {
  let got = 0, t0 = 0, t1 = 0;
  const server = createServer((s) => s.on("data", (d: Buffer) => { if (!t0) t0 = performance.now(); got += d.length; if (got >= BYTES) { t1 = performance.now(); s.end(); } }));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  g.type(`head -c ${BYTES} /dev/zero | nc 10.0.2.2 ${port}; echo sent-$((${n} + 200))`);
  await until(() => got >= BYTES, 120_000, "guest to host transfer");
  await until(() => g.text().includes(`sent-${n + 200}`), 60_000, "the sender's end");
  server.close();
  return BYTES / ((t1 - t0) / 1000) / 1e6;
}

async function measure(g: Guest, runs: number) {
  for (let i = 0; i < 3; i++) await httpLatency(g.httpPort); // warm-up (and the JIT)
  const latency: number[] = [];
  for (let i = 0; i < Math.max(runs, 20); i++) latency.push(await httpLatency(g.httpPort));
  const up: number[] = [], down: number[] = [];
  for (let i = 0; i < runs; i++) {
    up.push(await guestToHost(g, i));
    g.type(`echo listening-$((${i} + 300)); nc -l -p 5001 < /dev/null | wc -c; echo sink-$((${i} + 100))`);
    await until(() => g.text().includes(`listening-${i + 300}`), 60_000, "the sink's start");
    await sleep(300); // nc listens
    down.push(await hostToGuest(g, i).catch((e: Error) => { throw new Error(`${e.message}; the console ends:\n${g.text().slice(-1500)}`); }));
  }
  return { httpLatencyMs: median(latency), guestToHostMBps: median(up), hostToGuestMBps: median(down), latencies: latency, up, down };
}

async function wasmvisorGuest(): Promise<Guest & { hv: Hypervisor }> {
  const hv = new Hypervisor(loadCoreModule(), { sockets: nodeSockets });
  const b = loadBundledLinux();
  const vm = hv.create({ id: "bench", memSize: 256 << 20, net: { user: { forwards: ["tcp:127.0.0.1:0-:80", "tcp:127.0.0.1:0-:5001"] } },
    boot: { kind: "linux", mode: "para", images: { kernel: b.kernel, initrd: b.initrd, cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` } } });
  const text = () => new TextDecoder().decode(vm.console.contents());
  hv.start("bench");
  await until(() => /root@wasmvisor:~# $/.test(text()) && vm.forwardedPorts.length === 2, 120_000, "wasmvisor prompt");
  await sleep(1500); // the boot-time DHCP lease
  return { hv, type: (l) => hv.input("bench", new TextEncoder().encode(l + "\n")), text, httpPort: vm.forwardedPorts[0], sinkPort: vm.forwardedPorts[1], close: async () => hv.close() };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

async function qemuGuest(dir: string): Promise<Guest> {
  const http = await freePort(), sink = await freePort();
  const child: ChildProcess = spawn("qemu-system-riscv64", ["-M", "virt", "-m", "256M", "-smp", "1", "-nographic", "-monitor", "none", "-serial", "stdio",
    "-kernel", join(dir, "Image"), "-initrd", join(dir, "rootfs.cpio"), "-append", "console=ttyS0 wasmvisor.mode=qemu wasmvisor.name=qemu",
    "-netdev", `user,id=n0,hostfwd=tcp:127.0.0.1:${http}-:80,hostfwd=tcp:127.0.0.1:${sink}-:5001`, "-device", "virtio-net-device,netdev=n0",
    "-device", "virtio-rng-device"], { stdio: ["pipe", "pipe", "ignore"] });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => { out = (out + d).slice(-65536); });
  await until(() => /root@wasmvisor:~# $/.test(out), 120_000, "qemu prompt");
  await sleep(1500);
  return {
    type: (l) => child.stdin!.write(l + "\n"), text: () => out, httpPort: http, sinkPort: sink,
    close: () => new Promise((r) => { child.on("close", () => r()); child.kill("SIGKILL"); }),
  };
}

/** VM -> VM over a switch (wasmvisor only): MB/s of one nc transfer. */
async function vmToVm(): Promise<number> {
  const hv = new Hypervisor(loadCoreModule());
  const b = loadBundledLinux();
  const vms = ["x", "y"].map((id) => hv.create({ id, memSize: 128 << 20, net: { switch: "bench" },
    boot: { kind: "linux", mode: "para", images: { kernel: b.kernel, initrd: b.initrd, cmdline: `${DEFAULT_CONSOLE.para} wasmvisor.mode=para` } } }));
  const text = (i: number) => new TextDecoder().decode(vms[i].console.contents());
  const type = (i: number, l: string) => hv.input(vms[i].id, new TextEncoder().encode(l + "\n"));
  for (const v of vms) hv.start(v.id);
  await until(() => vms.every((_, i) => /root@wasmvisor:~# $/.test(text(i))), 120_000, "prompts");
  type(0, "ip addr add 10.9.0.1/24 dev eth0");
  type(1, "ip addr add 10.9.0.2/24 dev eth0");
  type(1, "nc -l -p 5002 < /dev/null > /dev/null; echo got-$((7 * 6))");
  await sleep(500);
  const t = performance.now();
  type(0, `until head -c ${BYTES} /dev/zero | nc 10.9.0.2 5002; do sleep 0.2; done`);
  await until(() => /\ngot-42\r?\n/.test(text(1)), 120_000, "VM to VM transfer");
  const mbps = BYTES / ((performance.now() - t) / 1000) / 1e6;
  hv.close();
  return mbps;
}

export async function netBench(runs: number): Promise<void> {
  const root = packageRoot(), load0 = loadavg();
  const dir = mkdtempSync(join(tmpdir(), "wasmvisor-net-"));
  const images = loadBundledLinux();
  writeFileSync(join(dir, "Image"), images.kernel);
  writeFileSync(join(dir, "rootfs.cpio"), images.initrd);
  const w = await wasmvisorGuest();
  const wasmvisor = await measure(w, runs);
  await w.close();
  const q = await qemuGuest(dir);
  const qemu = await measure(q, runs);
  await q.close();
  const vmvm = await vmToVm();
  rmSync(dir, { recursive: true, force: true });
  const report = {
    command: `npm run bench -- net --runs ${runs}`, date: new Date().toISOString(), node: process.version, loadavgBefore: load0, loadavgAfter: loadavg(),
    bytesPerTransfer: BYTES, wasmvisor, qemu: { version: "qemu-system-riscv64 7.2 (Debian qemu-system-misc), -netdev user", ...qemu }, vmToVmMBps: vmvm,
  };
  const out = join(root, "bench/results");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "net.json"), JSON.stringify(report, null, 2) + "\n");
  const f = (x: number, d = 2) => x.toFixed(d);
  const md = `# Networking: user-mode network, wasmvisor and QEMU\n\n${report.command}, ${report.date}, node ${report.node}, load average ${load0.map((x) => x.toFixed(2)).join(" / ")}; the bundled Linux, para mode on wasmvisor, \`-M virt\` with \`-netdev user\` on QEMU; medians\n\n` +
    `| | wasmvisor | QEMU (slirp) |\n|---|---:|---:|\n` +
    `| httpd request through the port forward (ms) | ${f(wasmvisor.httpLatencyMs)} | ${f(qemu.httpLatencyMs)} |\n` +
    `| TCP guest -> host (MB/s, ${BYTES / 1e6} MB) | ${f(wasmvisor.guestToHostMBps)} | ${f(qemu.guestToHostMBps)} |\n` +
    `| TCP host -> guest through the forward (MB/s) | ${f(wasmvisor.hostToGuestMBps)} | ${f(qemu.hostToGuestMBps)} |\n` +
    `| TCP VM -> VM over a switch (MB/s) | ${f(vmvm)} | - |\n`;
  writeFileSync(join(out, "net.md"), md);
  process.stdout.write(md);
}
