// The library entry point: loadCore() compiles the core from bytes (as a page would from a
// fetch), and a Machine built from it runs the demo guest.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCore, Machine } from "../src/index.js";
import { coreWasmPath } from "../src/node/core-module.js";

describe("the library entry point", () => {
  it("loadCore compiles the core from bytes; the demo guest runs on it", async () => {
    const mod = await loadCore(new Uint8Array(readFileSync(coreWasmPath())));
    let out = "";
    const m = new Machine(mod, { memSize: 16 << 20, clock: "virtual", output: (b) => { out += new TextDecoder().decode(b); } });
    m.load(readFileSync(join(import.meta.dirname, "../guests/demo/demo.elf")));
    const r = m.runSync({ maxInstructions: 5e7 });
    expect(r).toMatchObject({ reason: "exit", exitCode: 0 });
    expect(out).toMatch(/wasmvisor demo guest/);
  });

  it("loadCore refuses a response that failed", async () => {
    await expect(loadCore(new Response("nope", { status: 404, statusText: "Not Found" }))).rejects.toThrow(/404 Not Found/);
  });
});
