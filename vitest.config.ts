import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["test/setup/reference-tools.ts"],
    setupFiles: ["test/setup/jit.ts"],
  },
});
