// The answers a system call handler gives besides a result or -errno (./syscalls.ts). Kept apart
// so that the handler modules (./files.ts, ./container.ts) and the dispatcher need not import
// each other's values.

/** The call waits, and runs again once something in the container changed. */
export const BLOCKED = -0x4000_0000;
/** execve replaced the program: there is no caller to return to. */
export const REPLACED = -0x4000_0001;
