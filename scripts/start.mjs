#!/usr/bin/env node
// `npm start`: boot the bundled Linux guest in full virtualization. On a terminal the console is
// interactive (Ctrl-A x quits); without one, the guest shows its banner, runs a few commands and
// powers off.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = [join(root, "dist/src/cli/main.js"), "run", "linux", "--mode", "full", "--stats"];
if (!process.stdin.isTTY) args.push("--exec", "uname -a; cat /proc/cpuinfo | head; free");
const child = spawn(process.execPath, args, { stdio: "inherit" });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
