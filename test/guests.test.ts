// Guest-level tests: every self-checking program in guests/tests/bin/*.elf (built from
// guests/tests/*.S and *.c by guests/build.sh, committed) must exit with code 0. A failing
// program exits with the number of its failing check and prints what it saw ("FAIL check N:
// got ..., expected ..." or the unexpected trap); both end up in the assertion message.
// The programs are also checked against QEMU by guests/tests/run-qemu.sh.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runGuest } from "./helpers/run-guest.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "guests/tests/bin");

/** Instructions a program may execute: the largest (interrupts) needs about 0.4 million. */
const INSTRUCTION_CAP = 5_000_000;

const programs = readdirSync(BIN).filter((f) => f.endsWith(".elf")).sort();

describe("guest test programs (guests/tests)", () => {
  it("are built", () => {
    expect(programs.length).toBeGreaterThanOrEqual(18);
  });

  for (const file of programs) {
    const name = file.replace(/\.elf$/, "");
    it(name, () => {
      const { result, output } = runGuest(readFileSync(join(BIN, file)), { maxInstructions: INSTRUCTION_CAP });
      const shown = JSON.stringify(output.trim());
      let failure = "";
      if (result.reason !== "exit") {
        failure = `${name}: did not exit (${result.reason}${result.message ? `: ${result.message}` : ""}) after ` +
          `${result.instructions} instructions; console ${shown}`;
      } else if (result.exitCode !== 0) {
        failure = `${name}: failing check ${result.exitCode}; console ${shown}`;
      }
      expect(failure).toBe("");
    });
  }
});

describe("demo guest (guests/demo)", () => {
  it("boots, shows what the hart does and exits 0", () => {
    const { result, output } = runGuest(readFileSync(join(ROOT, "guests/demo/demo.elf")), {
      maxInstructions: INSTRUCTION_CAP,
    });
    expect(result.reason).toBe("exit");
    expect(result.exitCode).toBe(0);
    expect(output).toContain("wasmvisor demo guest");
    expect(output).toContain("RV64ABCDFIMSU");
    expect(output).toContain("primes below 10000: 1229, their sum 5736396");
    expect(output).toContain("ECALL from U (mcause 8)");
    expect(output).toContain('reads "hello through Sv39", A bit set by the hart: yes');
    expect(output).toMatch(/bye\n$/);
  });
});
