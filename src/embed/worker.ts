// The Web Worker of one embedded VM: the page (vm.ts) starts it as a module worker. Browser-only
// in practice, browser-safe by the rules (no Node built-ins).
import type { PageToWorker, WorkerToPage } from "./protocol.js";
import { serveEmbeddedVm } from "./runner.js";

const scope = globalThis as unknown as {
  postMessage(m: WorkerToPage, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<PageToWorker>) => void) | null;
};
serveEmbeddedVm({
  post: (m, transfer) => scope.postMessage(m, transfer ?? []),
  onMessage: (handler) => { scope.onmessage = (e) => handler(e.data); },
});
