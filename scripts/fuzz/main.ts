// npm run fuzz -- --count N --seed S [--profile user|priv|both] [--length L] [--jobs 2]
//                 [--batch 32] [--fp auto|on|off] [--only i,j,...] [--start i] [--keep-going]
//                 [--no-analyze] [--nice] [--json file] [--jit off|THRESHOLD]
//
// Differential fuzzing of wasmvisor against QEMU (see scripts/fuzz/EXCLUSIONS.md for what is
// not compared). Exits 1 if any program differs, after printing the first one bisected,
// shrunk and disassembled.
import { writeFileSync } from "node:fs";
import { analyze, fuzz, reproduceCommand, SLOTS, type FuzzConfig } from "./fuzz.js";
import { checkQemu, wasmvisorMisa } from "./runners.js";
import { setDefaultJit } from "../../src/jit/jit.js";

function usage(msg?: string): never {
  if (msg) console.error(`fuzz: ${msg}`);
  console.error("usage: npm run fuzz -- --count N --seed S [--profile user|priv|both] [--length L] [--jobs J] [--batch B]\n" +
    "                     [--fp auto|on|off] [--only i,j] [--start i] [--keep-going] [--no-analyze] [--nice] [--json file]\n" +
    "                     [--against wasmvisor|qemu] [--timeout seconds] [--jit off|THRESHOLD]");
  process.exit(2);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const opt: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) usage(`unexpected argument ${a}`);
    const key = a.slice(2);
    if (["keep-going", "no-analyze", "nice", "help"].includes(key)) opt[key] = true;
    else {
      if (i + 1 >= args.length) usage(`${a} needs a value`);
      opt[key] = args[++i];
    }
  }
  if (opt.help) usage();
  const known = ["count", "seed", "profile", "length", "jobs", "batch", "fp", "only", "start", "keep-going", "no-analyze", "nice", "json", "timeout", "against", "jit"];
  for (const k of Object.keys(opt)) if (!known.includes(k)) usage(`unknown option --${k}`);
  const int = (k: string, d: number) => {
    if (opt[k] === undefined) return d;
    const v = Number(opt[k]);
    if (!Number.isInteger(v) || v < 0) usage(`--${k} must be a non-negative integer`);
    return v;
  };
  // The JIT as every Hart of this run gets it: off, or a threshold (0: compile every block).
  const jitOpt = String(opt.jit ?? "default");
  if (jitOpt === "off") setDefaultJit(false);
  else if (jitOpt !== "default") setDefaultJit({ threshold: int("jit", 0) });
  const profile = (opt.profile ?? "both") as FuzzConfig["profile"];
  if (!["user", "priv", "both"].includes(profile)) usage("--profile is user, priv or both");
  const fpOpt = String(opt.fp ?? "auto");
  if (!["auto", "on", "off"].includes(fpOpt)) usage("--fp is auto, on or off");
  const qemu = checkQemu();
  const misa = wasmvisorMisa();
  const hasFD = ((misa >> 3n) & 1n) === 1n && ((misa >> 5n) & 1n) === 1n;
  const fp = fpOpt === "on" || (fpOpt === "auto" && hasFD);
  const only = opt.only ? String(opt.only).split(",").map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 0) usage("--only takes program indices");
    return v;
  }) : undefined;
  const cfg: FuzzConfig = {
    seed: String(opt.seed ?? "1"),
    count: int("count", 100),
    start: int("start", 0),
    profile,
    length: int("length", 1000),
    fp,
    jobs: Math.max(1, int("jobs", 2)),
    batch: int("batch", SLOTS),
    only,
    nice: opt.nice ? 19 : 0,
    qemuTimeoutMs: int("timeout", 120) * 1000,
    stopOnFailure: !opt["keep-going"],
    against: opt.against === "qemu" ? "qemu" : "wasmvisor",
    log: (s) => console.log(s),
  };
  if (cfg.batch < 1 || SLOTS % cfg.batch !== 0) usage(`--batch must divide ${SLOTS}`);
  if (opt.against !== undefined && !["qemu", "wasmvisor"].includes(String(opt.against))) usage("--against is wasmvisor or qemu");
  const n = only ? only.length : cfg.count;
  console.log(`fuzz: ${n} programs, seed ${cfg.seed}, profile ${profile}, length ${cfg.length}, F/D ${fp ? "on" : "off"}` +
    ` (wasmvisor misa ${hasFD ? "has" : "lacks"} F and D), JIT ${jitOpt}, ${cfg.jobs} jobs, ${cfg.batch} per boot; ${qemu}`);
  const r = await fuzz(cfg);
  const secs = (r.ms / 1000).toFixed(1);
  const per = Object.entries(r.instructions).map(([k, v]) => `${k} ${v}`).join(", ");
  console.log(`fuzz: ${r.programs} programs in ${secs} s (QEMU ${(r.qemuMs / 1000).toFixed(1)} s, wasmvisor ${(r.wasmvisorMs / 1000).toFixed(1)} s summed), ` +
    `static body instructions: ${per}; ${r.traps} traps taken; ${r.failures.length} differing`);
  const kinds = Object.entries(r.trapKinds).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k}: ${v}`).join(", ");
  console.log(`fuzz: logged traps: ${kinds}`);
  if (opt.json) writeFileSync(String(opt.json), JSON.stringify({ ...r, failures: r.failures.map((f) => ({ id: f.id, diffs: f.diffs, note: f.note })), cfg: { ...cfg, log: undefined } }, null, 2));
  if (!r.failures.length) return 0;
  for (const f of r.failures) {
    console.log(`DIFFERS: ${f.id.name} (${f.id.opts.profile}): ${f.diffs.slice(0, 3).map((d) => `${d.field} qemu ${d.qemu} wasmvisor ${d.wasmvisor}`).join("; ")}`);
    console.log(`  reproduce: ${reproduceCommand(cfg, f.id)}`);
  }
  if (!opt["no-analyze"]) {
    const a = await analyze(cfg, r.failures[0], (s) => console.log(s));
    console.log(a.text);
  }
  return 1;
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });
