// The library's entry point, for Node and for browsers (ESM, no Node built-ins: see
// test/browser-safe.test.ts). Node users may load the core with src/node/core-module.ts
// (`wasmvisor/node`); everyone can use loadCore() with the bytes or the URL of core.wasm.

export { Hart, Exit, PRIV_M, PRIV_S, PRIV_U, DRAM_BASE, TIMEBASE_HZ, StaleCoreError, type ParaMode, type CoreStats } from "./core/hart.js";
export { Machine, type MachineOptions, type RunResult, type RunOptions, type AsyncRunOptions } from "./machine/machine.js";
export { Board, type BoardOptions, type BoardMode, type DiskConfig } from "./machine/board.js";
export { bootLinux, parseImageHeader, DEFAULT_CONSOLE, type BootMode, type LinuxImages } from "./machine/linux-boot.js";
export { ConsoleSession, SHELL_PROMPT } from "./machine/console-session.js";
export { MemoryDisk, CowOverlay, type BlockBackend } from "./devices/virtio/blk/backend.js";
export { Hypervisor, type HypervisorOptions, type HostTimers } from "./hypervisor/hypervisor.js";
export { Vm, type VmConfig, type VmState, type BootSource, type RestartPolicy } from "./hypervisor/vm.js";
export { HypervisorError, ERRORS, type ErrorCode } from "./hypervisor/errors.js";
export { SBI_EXTENSIONS, sbiCallName } from "./sbi/sbi.js";

/**
 * Compiles the core (build/core.wasm, shipped as `wasmvisor/core.wasm`) from its bytes, a
 * Response, or a URL to fetch: once per page or process; every VM instantiates the result.
 */
export async function loadCore(source: ArrayBuffer | Uint8Array | Response | string | URL): Promise<WebAssembly.Module> {
  if (typeof source === "string" || source instanceof URL) source = await fetch(source);
  if (source instanceof Response) {
    if (!source.ok) throw new Error(`cannot load the wasmvisor core: ${source.status} ${source.statusText}`);
    return typeof WebAssembly.compileStreaming === "function" && source.headers.get("content-type") === "application/wasm"
      ? WebAssembly.compileStreaming(source)
      : WebAssembly.compile(await source.arrayBuffer());
  }
  return WebAssembly.compile(source instanceof Uint8Array ? source.slice().buffer : source);
}
