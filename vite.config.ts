// The demo page (web/): `npm run web` serves it on localhost, `npm run build:web` writes static
// files to dist-web/ that any static host can serve. The page imports the core, the Linux
// images and the library from the repository, so the dev server may read all of it.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: "web",
  base: "./",
  server: { host: "127.0.0.1", port: 5173, fs: { allow: [root] } },
  preview: { host: "127.0.0.1", port: 4173 },
  worker: { format: "es" },
  build: { outDir: "../dist-web", emptyOutDir: true, target: "es2022", assetsInlineLimit: 0, chunkSizeWarningLimit: 4096 },
});
