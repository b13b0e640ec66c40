// The CLI as a child process from source (tsx), for tests that drive it like a user: its exit
// code and output once it ends (stdin closed at once).
import { spawn } from "node:child_process";
import { resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const c = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT });
    let stdout = "", stderr = "";
    c.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    c.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    c.on("close", (code) => done({ code, stdout, stderr }));
    c.stdin.end();
  });
}
