// DESIGN.md: everything outside src/cli, src/api, src/node and src/cluster must run in a
// browser too. This test enforces it: no Node built-in modules, no `process`, no `Buffer`, and
// no imports reaching into the Node-only folders.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../src");
const NODE_ONLY = ["cli", "api", "node", "cluster"];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return NODE_ONLY.includes(relative(SRC, p)) ? [] : files(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

describe("browser-safe modules", () => {
  it("no module outside src/cli, src/api, src/node, src/cluster uses Node", () => {
    const offences: string[] = [];
    for (const f of files(SRC)) {
      const text = readFileSync(f, "utf8").replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
      const rel = relative(SRC, f);
      for (const m of text.matchAll(/from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith("node:") || ["fs", "path", "os", "child_process", "worker_threads", "zlib", "crypto", "url"].includes(spec)) offences.push(`${rel}: imports ${spec}`);
        if (/^\.\.?\//.test(spec) && NODE_ONLY.some((d) => join(f, "..", spec).startsWith(join(SRC, d) + "/"))) offences.push(`${rel}: imports Node-only ${spec}`);
      }
      if (/\bprocess\./.test(text)) offences.push(`${rel}: uses process`);
      if (/\bBuffer\b/.test(text)) offences.push(`${rel}: uses Buffer`);
    }
    expect(offences).toEqual([]);
    expect(files(SRC).length).toBeGreaterThan(20);
  });
});
