import { defineConfig } from "vitest/config";

// WASMVISOR_JIT=0 (test/setup/jit.ts) compiles every block at its first entry: guests that run
// much run-once code (busybox in a container, a shell's start) take 2-3x as long as with the
// default JIT, and a loaded 2-core machine doubles that again (5.4 s seen for a test that takes
// 2.5 s alone), so the default per-test timeout is scaled in that mode only.
const compileEverything = process.env.WASMVISOR_JIT === "0";

export default defineConfig({
  test: {
    globalSetup: ["test/setup/reference-tools.ts"],
    setupFiles: ["test/setup/jit.ts"],
    ...(compileEverything ? { testTimeout: 20_000 } : {}),
  },
});
