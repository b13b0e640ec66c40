#!/usr/bin/env node
// The `wasmvisor` command. See USAGE in ./args.ts.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, USAGE, UsageError } from "./args.js";
import { EXIT_SETUP, runCommand, SetupError } from "./run-command.js";
import { listImages } from "../node/images.js";
import { ClientError } from "./client-error.js";

function imagesCommand(): number {
  const rows = listImages();
  const size = (n: number) => n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
  const lines = [["NAME", "PART", "ORIGIN", "SIZE", "UNPACKED", "PATH"]];
  for (const r of rows) lines.push([r.name, r.kind, r.origin, size(r.bytes), r.unpacked ? size(r.unpacked) : "-", r.path]);
  const w = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  process.stdout.write(lines.map((l) => l.map((c, i) => i === l.length - 1 ? c : c.padEnd(w[i])).join("  ")).join("\n") + "\n");
  return 0;
}

/** The package version, from the package.json above this file (src/cli or dist/src/cli). */
function version(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(resolve(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "wasmvisor" && pkg.version) return pkg.version;
    } catch { /* keep looking */ }
    dir = dirname(dir);
  }
  return "unknown";
}

export async function main(argv: string[]): Promise<number> {
  try {
    const cmd = parseArgs(argv);
    switch (cmd.kind) {
      case "help": process.stdout.write(USAGE); return 0;
      case "version": process.stdout.write(`wasmvisor ${version()}\n`); return 0;
      case "run": return await runCommand(cmd);
      case "container": return await (await import("./container-command.js")).containerCommand(cmd);
      case "images": return imagesCommand();
      // Loaded on demand: `run` does not pay for the HTTP stack.
      case "serve": return await (await import("./serve-command.js")).serveCommand(cmd);
      case "client": return await (await import("./client.js")).clientCommand(cmd, (t) => { process.stdout.write(t); });
      case "bench": {
        // The benchmarks live in bench/ (beside src/ in the package and in dist/).
        if (cmd.which === "overhead") await (await import("../../bench/overhead.bench.js")).overheadBench(cmd.runs);
        else await (await import("../../bench/boot.bench.js")).bootBench(cmd.runs);
        return 0;
      }
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof SetupError) {
      process.stderr.write(`wasmvisor: ${e.message}\n`);
      return EXIT_SETUP;
    }
    if (e instanceof ClientError) {
      process.stderr.write(`wasmvisor: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

const status = await main(process.argv.slice(2));
// Let stdout/stderr drain, then leave even if a handle (stdin) would keep the loop alive.
process.stdout.write("", () => process.stderr.write("", () => process.exit(status)));
