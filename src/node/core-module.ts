// Node-only: compile build/core.wasm once per process. Every Node host loads the core through
// here, so this is also where the snapshot checksum gets zlib's native CRC-32.
import { readFileSync } from "node:fs";
import { crc32 as zlibCrc32 } from "node:zlib";
import { useNativeCrc32 } from "../snapshot/crc32.js";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

useNativeCrc32((b) => zlibCrc32(b));

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
