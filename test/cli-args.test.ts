import { describe, expect, it } from "vitest";
import { parseArgs, parseCount, parseMemSize, UsageError } from "../src/cli/args.js";
import { exitStatus } from "../src/cli/run-command.js";

describe("parseMemSize", () => {
  it.each([
    ["134217728", 134217728], ["4096", 4096], ["64K", 65536], ["64k", 65536], ["128M", 128 << 20],
    ["128MiB", 128 << 20], ["1G", 1 << 30], ["2G", 2 ** 31], ["2048M", 2 ** 31], ["4KB", 4096],
  ])("%s = %d bytes", (text, bytes) => {
    expect(parseMemSize(text)).toBe(bytes);
  });

  it.each([
    ["abc", /expected a size such as 128M/], ["12T", /expected a size/], ["-4K", /expected a size/], ["1.5M", /expected a size/],
    ["0", /more than 0/], ["0M", /more than 0/], ["5000", /multiple of 4K/], ["3K", /multiple of 4K/],
    ["3G", /at most 2G/], ["2049M", /at most 2G/],
  ])("refuses %s", (text, message) => {
    expect(() => parseMemSize(text)).toThrow(UsageError);
    expect(() => parseMemSize(text)).toThrow(message);
  });
});

describe("parseCount", () => {
  it("accepts digits, underscores between digits and 1e9 forms", () => {
    expect(parseCount("1000", "--n")).toBe(1000);
    expect(parseCount("1_000_000", "--n")).toBe(1e6);
    expect(parseCount("2.5e6", "--n")).toBe(2.5e6);
  });
  it.each(["0", "-5", "1.5", "x", "1e400", "99999999999999999999", "_1", ""])("refuses %s", (t) => {
    expect(() => parseCount(t, "--max-instructions")).toThrow(/invalid --max-instructions value/);
  });
});

describe("parseArgs", () => {
  it("parses run with every option, in any order, with = or a separate value", () => {
    expect(parseArgs(["run", "g.elf", "--mem", "64M", "--max-instructions=500", "--trace", "--stats"])).toMatchObject({
      kind: "run", file: "g.elf", memSize: 64 << 20, maxInstructions: 500, trace: true, stats: true, disks: [],
    });
    expect(parseArgs(["--stats", "run", "--mem=1G", "g.elf"])).toMatchObject({ kind: "run", file: "g.elf", memSize: 1 << 30, stats: true, trace: false });
    expect(parseArgs(["run", "--", "-weird-name.elf"])).toMatchObject({ file: "-weird-name.elf", memSize: 128 << 20 });
  });

  it("help and version win over everything else", () => {
    expect(parseArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseArgs(["-h"])).toEqual({ kind: "help" });
    expect(parseArgs(["help"])).toEqual({ kind: "help" });
    expect(parseArgs(["run", "--help"])).toEqual({ kind: "help" });
    expect(parseArgs(["--version"])).toEqual({ kind: "version" });
    expect(parseArgs(["-V"])).toEqual({ kind: "version" });
  });

  it.each([
    [[], /no command given/],
    [["--stats"], /no command given/],
    [["launch", "x"], /unknown command 'launch'/],
    [["run"], /run: missing guest/],
    [["run", "a", "b"], /extra argument 'b'/],
    [["run", "a", "--bogus"], /unknown option '--bogus'/],
    [["run", "a", "--mem"], /option --mem needs a value/],
    [["run", "a", "--trace=yes"], /option --trace takes no value/],
    [["run", "a", "--mem", "7"], /multiple of 4K/],
    [["run", "a", "--max-instructions", "lots"], /invalid --max-instructions value 'lots'/],
    [["run", "a", "--shares", "5"], /^run: --shares is not an option of run \(it is one of create\)$/],
    [["serve", "--mem", "1G"], /^serve: --mem is not an option of serve \(it is one of run\)$/],
    [["start", "x", "--timeout", "5"], /^start: --timeout is not an option of start \(it is one of stop\)$/],
    [["stop", "x", "--timeout", "soon"], /invalid --timeout value 'soon'/],
    [["create", "x", "--image", "linux", "--net", "lan"], /invalid --net value 'lan': expected switch=NAME/],
    [["create", "x", "--image", "linux", "--net", "switch=lan,mac=01:00:00:00:00:00x"], /bad mac/],
    [["create", "x", "--image", "linux", "--net", "bridge=br0"], /unknown key 'bridge'/],
    [["serve", "--workers", "many"], /invalid --workers value 'many'/],
    [["serve", "--memory-limit", "lots"], /invalid --memory-limit value 'lots'/],
  ] as [string[], RegExp][])("%j is refused", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe("exitStatus", () => {
  it("keeps the low byte, but never turns a failure into success", () => {
    expect(exitStatus(0)).toBe(0);
    expect(exitStatus(3)).toBe(3);
    expect(exitStatus(255)).toBe(255);
    expect(exitStatus(256)).toBe(1);
    expect(exitStatus(257)).toBe(1);
    expect(exitStatus(-1)).toBe(255);
  });
});

describe("containers on the command line", () => {
  it("create ID --mode container ROOT -- PROGRAM: the API body; --mem is what its processes may use together", () => {
    expect(parseArgs(["create", "c", "--mode", "container", "--mem", "32M", "--restart", "on-failure", "--cpu-cap", "50", "--net", "user,hostfwd=tcp::8080-:80", "busybox", "--", "/bin/sh", "-c", "echo hi"])).toMatchObject({
      kind: "client", verb: "create", id: "c", body: {
        "machine-config": { mem_size_mib: 32, mode: "container", cpu_cap_percent: 50 },
        "boot-source": { container: { root: "busybox", args: ["/bin/sh", "-c", "echo hi"] } },
        "network-interfaces": [{ user_mode: { host_forwards: ["tcp::8080-:80"] } }],
        "restart-policy": { policy: "on-failure" },
      } });
    expect(parseArgs(["run", "--mode", "container", "root.tar.gz", "--", "ls"])).toMatchObject({ kind: "container", root: "root.tar.gz", argv: ["ls"], memSize: 64 << 20 });
  });
  it.each([
    [["create", "c", "--mode", "container", "busybox"], /needs a root and a program/],
    [["create", "c", "--mode", "container", "--image", "linux", "busybox", "--", "sh"], /--image is not for containers/],
    [["create", "c", "--mode", "container", "--disk", "d.img", "busybox", "--", "sh"], /--disk is not for containers/],
    [["create", "c", "--mode", "container", "--mem", "2G", "busybox", "--", "sh"], /invalid --mem value '2G': a container takes 1M to 1G/],
    [["run", "--mode", "container", "--mem", "512K", "busybox", "--", "sh"], /invalid --mem value '512K': a container takes 1M to 1G/],
    [["create", "c", "--mode", "container", "--net", "switch=lan", "busybox", "--", "sh"], /create --mode container takes user/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe("client and serve options", () => {
  it("create --net puts a NIC on a switch; stop --timeout; serve --workers and --memory-limit", () => {
    const c = parseArgs(["create", "web", "--image", "linux", "--net", "switch=lan,mac=02:00:00:00:00:01"]);
    expect(c).toMatchObject({ kind: "client", verb: "create", body: { "network-interfaces": [{ iface_id: "eth0", switch: "lan", guest_mac: "02:00:00:00:00:01" }] } });
    expect(parseArgs(["stop", "web", "--timeout", "0"])).toMatchObject({ verb: "stop", timeoutMs: 0 });
    expect(parseArgs(["serve", "--workers", "0", "--memory-limit", "64G"])).toMatchObject({ kind: "serve", workers: 0, memoryLimit: 64 * 2 ** 30 });
    expect(parseArgs(["run", "linux", "--disk", "d.img,ro,rate=1000000", "--net", "user,tx-rate=5000"])).toMatchObject({
      disks: [{ path: "d.img", readOnly: true, rateLimiter: { bandwidth: { size: 1_000_000, refillTimeMs: 1000 } } }], net: { forwards: [], txRate: 5000 } });
    expect(parseArgs(["create", "v", "--image", "linux", "--disk", "d.img,rate=4096", "--net", "user,rx-rate=9"])).toMatchObject({
      body: { drives: [{ rate_limiter: { bandwidth: { size: 4096, refill_time: 1000 } } }], "network-interfaces": [{ user_mode: { host_forwards: [] }, rx_rate_limiter: { bandwidth: { size: 9 } } }] } });
    expect(() => parseArgs(["run", "linux", "--disk", "d.img,rate=fast"])).toThrow(/unknown disk option 'rate=fast'/);
    expect(parseArgs(["snapshot", "create", "web", "w.snap"])).toMatchObject({ verb: "snapshot", id: "web", snapshot: { op: "create", file: "w.snap" } });
    expect(parseArgs(["snapshot", "load", "w.snap", "--paused"])).toMatchObject({ verb: "snapshot", snapshot: { op: "load", file: "w.snap", paused: true } });
    expect(() => parseArgs(["snapshot", "load"])).toThrow(/expected 'snapshot create VM FILE' or 'snapshot load FILE/);
    expect(() => parseArgs(["snapshot", "create", "web", "w.snap", "--paused"])).toThrow(/--paused is an option of snapshot load/);
    expect(parseArgs(["migrate", "web", "--to", "10.0.0.2:8417"])).toMatchObject({ verb: "migrate", id: "web", to: "10.0.0.2:8417" });
    expect(() => parseArgs(["migrate", "web"])).toThrow(/--to HOST:PORT is required/);
    expect(() => parseArgs(["migrate", "web", "--to", "nowhere"])).toThrow(/invalid --to value 'nowhere'/);
    expect(() => parseArgs(["migrate", "web", "--to", "h:99999"])).toThrow(/invalid --to value/);
    expect(() => parseArgs(["start", "web", "--to", "h:1"])).toThrow(/--to is not an option of start \(it is one of migrate\)/);
    expect(parseArgs(["serve", "--migration-secret", "sixteen chars ok"])).toMatchObject({ kind: "serve", migrationSecret: "sixteen chars ok" });
    expect(parseArgs(["serve", "--cluster", "http://10.0.0.1:2379,http://10.0.0.2:2379", "--host-id", "rack1-a", "--advertise", "http://10.0.0.5:8417", "--lease-ttl", "3", "--cluster-prefix", "/prod/"]))
      .toMatchObject({ kind: "serve", cluster: { endpoints: ["http://10.0.0.1:2379", "http://10.0.0.2:2379"], hostId: "rack1-a", advertise: "http://10.0.0.5:8417", leaseTtl: 3, prefix: "/prod/" } });
    expect(parseArgs(["serve"])).toMatchObject({ cluster: undefined });
    expect(() => parseArgs(["serve", "--cluster", "10.0.0.1:2379"])).toThrow(/invalid --cluster value '10.0.0.1:2379': expected etcd URLs/);
    expect(() => parseArgs(["serve", "--host-id", "a"])).toThrow(/--host-id needs --cluster ETCD_URL/);
    expect(() => parseArgs(["serve", "--cluster", "http://e:2379", "--host-id", "bad!"])).toThrow(/invalid --host-id value 'bad!'/);
    expect(() => parseArgs(["serve", "--cluster", "http://e:2379", "--lease-ttl", "1"])).toThrow(/invalid --lease-ttl value '1': seconds from 2 to 3600/);
    expect(() => parseArgs(["serve", "--cluster", "http://e:2379", "--cluster-prefix", "prod"])).toThrow(/invalid --cluster-prefix value 'prod'/);
    expect(() => parseArgs(["serve", "--cluster", "http://e:2379", "--state-dir", "/tmp/x"])).toThrow(/--cluster and --state-dir exclude each other/);
    expect(() => parseArgs(["serve", "--cluster", "http://e:2379", "--advertise", "10.0.0.5:8417"])).toThrow(/invalid --advertise value/);
    expect(parseArgs(["cluster", "hosts", "--host", "http://h:1"])).toMatchObject({ kind: "client", verb: "cluster", cluster: "hosts", host: "http://h:1" });
    expect(parseArgs(["cluster", "ps", "--json"])).toMatchObject({ verb: "cluster", cluster: "ps", json: true });
    expect(parseArgs(["cluster", "create", "web", "--image", "linux", "--mem", "128M", "--restart", "always"]))
      .toMatchObject({ verb: "cluster", cluster: "create", id: "web", body: { "machine-config": { mem_size_mib: 128 }, "boot-source": { image: "linux" }, "restart-policy": { policy: "always" } } });
    expect(parseArgs(["cluster", "rm", "web"])).toMatchObject({ verb: "cluster", cluster: "rm", id: "web" });
    expect(() => parseArgs(["cluster", "rm", "web", "--mem", "1G"])).toThrow(/cluster rm: --mem is an option of cluster create/);
    expect(() => parseArgs(["cluster"])).toThrow(/cluster: expected 'cluster hosts'/);
    expect(parseArgs(["snapshot", "create", "web", "w.snap", "--diff", "--compress"])).toMatchObject({ id: "web", snapshot: { op: "create", file: "w.snap", diff: true, compress: true } });
    expect(parseArgs(["snapshot", "create", "web", "w.snap"])).toMatchObject({ snapshot: { diff: false, compress: false } });
    expect(() => parseArgs(["snapshot", "load", "w.snap", "--diff"])).toThrow(/snapshot load: --diff is an option of snapshot create/);
    expect(parseArgs(["create", "web", "--image", "linux", "--track-dirty-pages"])).toMatchObject({ body: { "machine-config": { track_dirty_pages: true } } });
    expect(() => parseArgs(["cluster", "nodes"])).toThrow(/cluster: expected 'cluster hosts'/);
    expect(() => parseArgs(["cluster", "rm"])).toThrow(/cluster: expected/);
    expect(() => parseArgs(["serve", "--migration-secret", "short"])).toThrow(/at least 16 characters/);
  });
});
