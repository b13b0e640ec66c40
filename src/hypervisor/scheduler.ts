// CPU scheduling of many VMs on one host thread: weighted fair share (each VM's virtual
// runtime is the host time it used divided by its shares; the runnable VM with the least runs
// next), a CPU cap per VM (percent of one core over a 100 ms window), slices bounded in
// instructions, and idle VMs (waiting in WFI) left alone until their timer deadline or input.
// Browser-safe: the clock is passed in.
import type { Vm } from "./vm.js";

export const CAP_WINDOW_MS = 100;

export class FairShare {
  /** The VM to run next among `vms` at time `now`, or undefined; sets `nextWake` otherwise. */
  nextWake = Infinity;

  pick(vms: Iterable<Vm>, now: number): Vm | undefined {
    let best: Vm | undefined;
    this.nextWake = Infinity;
    for (const vm of vms) {
      if (vm.state !== "running" || (!vm.machine && !vm.container)) continue;
      if (vm.idle) {
        if (vm.wakeAt > now) { this.nextWake = Math.min(this.nextWake, vm.wakeAt); continue; }
        vm.idle = false;
      }
      if (now - vm.windowStart >= CAP_WINDOW_MS) { vm.windowStart = now; vm.windowMs = 0; }
      if (vm.windowMs >= (vm.config.cpuCap / 100) * CAP_WINDOW_MS) { // capped: wait for the next window
        this.nextWake = Math.min(this.nextWake, vm.windowStart + CAP_WINDOW_MS);
        continue;
      }
      if (!best || vm.vruntime < best.vruntime) best = vm;
    }
    return best;
  }

  /** Accounts `ms` of host time used by `vm`. */
  charge(vm: Vm, ms: number): void {
    vm.cpuMs += ms;
    vm.windowMs += ms;
    vm.vruntime += ms / vm.config.shares;
  }

  /** A VM joining the run queue starts at the least virtual runtime, so it cannot hog the CPU. */
  admit(vm: Vm, vms: Iterable<Vm>): void {
    let min = Infinity;
    for (const o of vms) if (o !== vm && o.state === "running") min = Math.min(min, o.vruntime);
    vm.vruntime = min === Infinity ? 0 : min;
  }
}

/** Jain's fairness index of allocations x_i (1 = perfectly fair). */
export function jainIndex(xs: number[]): number {
  const s = xs.reduce((a, b) => a + b, 0), q = xs.reduce((a, b) => a + b * b, 0);
  return q === 0 ? 1 : (s * s) / (xs.length * q);
}
