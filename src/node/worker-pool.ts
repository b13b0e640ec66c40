// The pool of worker threads on Node: one worker_threads Worker per slot, running
// src/node/vm-worker (its .ts source through tsx when this module itself runs from source).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { Pool, type PoolOptions, type PoolWorker } from "../hypervisor/pool.js";
import { loadCoreModule } from "./core-module.js";

export type NodePoolOptions = Omit<PoolOptions, "spawn" | "workers"> & {
  /** Worker threads; default one per host core. */
  workers?: number;
};

const fromSource = import.meta.url.endsWith(".ts");
const script = new URL(fromSource ? "./vm-worker.ts" : "./vm-worker.js", import.meta.url);

/** One worker thread for a pool; `thread` is the Worker itself. */
export function spawnNodeWorker(): PoolWorker & { thread: Worker } {
  // From source (tests): tsx's loader, registered in the worker, compiles the TypeScript.
  const w = fromSource
    ? new Worker(`import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(script.href)}); })`, { eval: true })
    : new Worker(script);
  let exitHandler: ((why: string) => void) | undefined;
  let error: string | undefined;
  w.on("error", (e) => { error = e.message; });
  w.on("exit", (code) => exitHandler?.(error ?? `exit code ${code}`));
  return {
    thread: w,
    post: (m, transfer) => w.postMessage(m, transfer as never),
    onMessage: (handler) => { w.on("message", handler); },
    onExit: (handler) => { exitHandler = handler; },
    terminate: () => { exitHandler = undefined; void w.terminate(); },
  };
}

/** A pool of worker threads running VMs from the process's compiled core. */
export function createWorkerPool(options: NodePoolOptions = {}): Pool {
  return new Pool(loadCoreModule(), { ...options, workers: options.workers ?? availableParallelism(), spawn: spawnNodeWorker });
}
