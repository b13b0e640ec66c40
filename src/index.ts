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

export { loadCore } from "./core/load.js";
export { EmbeddedVm, sourceBytes, type EmbeddedVmOptions, type EmbeddedVmEvents, type Source } from "./embed/vm.js";
export type { EmbedStats, EmbedState } from "./embed/protocol.js";
