// The contract every device model on the board keeps (DESIGN.md, STYLE.md section 1): registers
// read and written at an offset inside the device's window, a power-on reset, versioned state
// that can be saved and restored, and the interrupt lines it drives. Devices never throw into
// the hart: a bad access answers BUS_ERROR (reads) or false (writes), which the bus turns into
// an access fault for the guest. Browser-safe.

/** Access widths: one call per guest access, 8-byte accesses included. */
export type AccessSize = 1 | 2 | 4 | 8;

/** What read() returns for an access the device refuses (values are never negative). */
export const BUS_ERROR = -1;

/**
 * One interrupt output, wired by the board to an interrupt controller input (TinyEMU's
 * IRQSignal shape: a callback and a number). Level-triggered.
 */
export interface IrqLine {
  /** The controller input this line drives (PLIC source number). */
  readonly irq: number;
  set(level: boolean): void;
}

/** A line connected to nothing (a device built outside a board, e.g. in a unit test). */
export const NO_IRQ: IrqLine = { irq: 0, set() {} };

export interface Device {
  /** Size in bytes of the device's register window. */
  readonly size: number;
  /**
   * Reads `size` bytes at `offset`: the value zero-extended (for 8-byte reads at most 53
   * significant bits, so it is exact as a number), or BUS_ERROR.
   */
  read(offset: number, size: AccessSize): number;
  /**
   * Writes `size` bytes at `offset`: `value` holds the low 32 bits, `high` bits 63:32 of an
   * 8-byte access (0 otherwise). Returns false for a bus error.
   */
  write(offset: number, size: AccessSize, value: number, high: number): boolean;
  /** Power-on state (host-side connections such as input queues and backends are kept). */
  reset(): void;
  /** The device's state as versioned bytes, for restore(). */
  save(): Uint8Array;
  /** Restores save() output. Checks everything before assigning anything; throws RangeError. */
  restore(state: Uint8Array): void;
}
