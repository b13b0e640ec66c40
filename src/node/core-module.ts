// Node-only: compile build/core.wasm once per process.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

let cached: WebAssembly.Module | undefined;

/** Path of the compiled core, found from the package root (works from src/ and dist/src/). */
export function coreWasmPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = resolve(dir, "build/core.wasm");
    try { readFileSync(candidate, { flag: "r" }).length; return candidate; } catch { /* go up */ }
    dir = dirname(dir);
  }
  throw new Error("build/core.wasm not found: run `npm run build:core`");
}

export function loadCoreModule(): WebAssembly.Module {
  if (!cached) cached = new WebAssembly.Module(readFileSync(coreWasmPath()));
  return cached;
}
