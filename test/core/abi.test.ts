// The core/host interface is generated from the core's sources: the committed copy must be
// current, and a core built from other sources is refused.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Hart, StaleCoreError } from "../../src/core/hart.js";
import { L, SOURCE_HASH } from "../../src/core/abi.gen.js";
import { coreWasmPath } from "../../src/node/core-module.js";

const ROOT = join(import.meta.dirname, "../..");

describe("core ABI", () => {
  it("src/core/abi.gen.ts and assembly/abi.gen.ts are generated from the current sources", () => {
    expect(() => execFileSync(process.execPath, [join(ROOT, "scripts/gen-core-abi.mjs"), "--check"], { stdio: "pipe" })).not.toThrow();
  });

  it("refuses a build/core.wasm whose source hash differs (a stale build)", () => {
    const bytes = new Uint8Array(readFileSync(coreWasmPath()));
    const mod = new WebAssembly.Module(bytes);
    expect(() => new Hart(mod, { memSize: 1 << 20 })).not.toThrow();
    const sleb = (v: number) => { const out: number[] = []; let x = v | 0; for (;;) { const b = x & 0x7f; x >>= 7; if ((x === 0 && !(b & 0x40)) || (x === -1 && (b & 0x40))) { out.push(b); return out; } out.push(b | 0x80); } };
    // Find the SOURCE_HASH global's initialiser (i32.const, signed LEB128) and change it.
    const pat = [0x41, ...sleb(SOURCE_HASH | 0)];
    let at = -1;
    for (let i = 0; i + pat.length <= bytes.length && at < 0; i++) if (pat.every((b, k) => bytes[i + k] === b)) at = i;
    expect(at).toBeGreaterThan(0);
    const other = sleb((SOURCE_HASH ^ 1) | 0);
    expect(other.length).toBe(pat.length - 1);
    bytes.set(other, at + 1);
    expect(() => new Hart(new WebAssembly.Module(bytes), { memSize: 1 << 20 })).toThrow(StaleCoreError);
  });

  it("the layout the host uses matches the state block the core saves", () => {
    const hart = new Hart(new WebAssembly.Module(readFileSync(coreWasmPath())), { memSize: 1 << 20 });
    expect(hart.saveState().length).toBe(L.STATE_END);
    hart.pc = 0x80001234n;
    expect(new DataView(hart.memory.buffer).getBigUint64(L.S_PC, true)).toBe(0x80001234n);
  });
});
