// A worker thread of the pool (src/hypervisor/pool.ts): Node's port and disk files around the
// worker side of the protocol (src/hypervisor/worker-protocol.ts).
import { parentPort } from "node:worker_threads";
import { serveWorker, type ToWorker } from "../hypervisor/worker-protocol.js";
import { openDisks } from "./guest-files.js";
import { nodeSockets } from "./host-sockets.js";
import { nodeContainerHost } from "./container-host.js";

if (!parentPort) throw new Error("vm-worker.js runs as a worker thread of a wasmvisor pool");
const port = parentPort;
serveWorker({
  post: (m, transfer) => port.postMessage(m, transfer as never),
  onMessage: (handler) => port.on("message", (m: ToWorker) => handler(m)),
}, openDisks, nodeSockets, nodeContainerHost);
