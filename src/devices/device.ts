// The shape every device model has (DESIGN.md): registers read and written at an offset inside
// the device's window, and state that can be saved and restored. Browser-safe.

export interface Device {
  /** Size in bytes of the device's register window. */
  readonly size: number;
  /** Reads `size` (1, 2 or 4) bytes at `offset`; the value zero-extended to 32 bits. */
  read(offset: number, size: number): number;
  /** Writes the low `size` bytes of `value` at `offset`. */
  write(offset: number, size: number, value: number): void;
  /** The device's state, to be given back to restore(). */
  save(): Uint8Array;
  restore(state: Uint8Array): void;
}
