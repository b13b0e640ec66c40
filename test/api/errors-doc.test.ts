// docs/api.md lists exactly the error table of src/hypervisor/errors.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERRORS } from "../../src/hypervisor/errors.js";

describe("docs/api.md", () => {
  it("documents every error code with its status, and no other", () => {
    const md = readFileSync(join(import.meta.dirname, "../../docs/api.md"), "utf8");
    const rows = [...md.matchAll(/^\| ([a-z_]+) \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows).toEqual(Object.entries(ERRORS).map(([code, e]) => [code, e.status]));
  });
});
