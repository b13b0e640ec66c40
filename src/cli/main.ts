#!/usr/bin/env node
// The `wasmvisor` command. See USAGE in ./args.ts.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, USAGE, UsageError } from "./args.js";
import { EXIT_SETUP, runCommand, SetupError } from "./run-command.js";

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
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof SetupError) {
      process.stderr.write(`wasmvisor: ${e.message}\n`);
      return EXIT_SETUP;
    }
    throw e;
  }
}

const status = await main(process.argv.slice(2));
// Let stdout/stderr drain, then leave even if a handle (stdin) would keep the loop alive.
process.stdout.write("", () => process.stderr.write("", () => process.exit(status)));
