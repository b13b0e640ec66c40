import { describe, expect, it } from "vitest";
import {
  FCR_CLEAR_RX, FCR_ENABLE, IER_MSI, IER_RDI, IER_RLSI, IER_THRI, IIR_CTI, IIR_FIFO, IIR_MSI, IIR_NONE, IIR_RDA,
  IIR_RLS, IIR_THRE, LCR_DLAB, LSR_BI, LSR_DR, LSR_TEMT, LSR_THRE, MCR_DTR, MCR_LOOP, MCR_OUT1, MCR_OUT2, MCR_RTS,
  MSR_CTS, MSR_DCD, MSR_DCTS, MSR_DDCD, MSR_DDSR, MSR_DSR, MSR_RI, MSR_TERI, UART16550_SIZE, UART_DLL, UART_DLM,
  UART_FCR, UART_IER, UART_IIR, UART_LCR, UART_LSR, UART_MCR, UART_MSR, UART_RBR, UART_SCR, UART_THR, Uart16550,
} from "../../src/devices/uart16550.js";

function uart() {
  const tx: number[] = [];
  const irqs: boolean[] = [];
  const u = new Uart16550({ onTx: (b) => tx.push(b), onIrq: (l) => irqs.push(l) });
  const rd = (off: number) => u.read(off, 1);
  const wr = (off: number, v: number) => u.write(off, 1, v);
  return { u, tx, irqs, rd, wr };
}

describe("uart16550", () => {
  it("starts idle with an empty transmitter and the modem lines up", () => {
    const { u, rd } = uart();
    expect(u.size).toBe(UART16550_SIZE);
    expect(rd(UART_LSR)).toBe(LSR_THRE | LSR_TEMT);
    expect(rd(UART_IIR)).toBe(IIR_NONE);
    expect(rd(UART_IER)).toBe(0);
    expect(rd(UART_LCR)).toBe(0);
    expect(rd(UART_MCR)).toBe(0);
    expect(rd(UART_MSR)).toBe(MSR_CTS | MSR_DSR | MSR_DCD);
    expect(rd(UART_RBR)).toBe(0);
    expect(u.irq).toBe(false);
  });

  it("transmits every THR write at once and keeps THRE/TEMT set", () => {
    const { tx, rd, wr } = uart();
    for (const c of "ok\n") wr(UART_THR, c.charCodeAt(0));
    expect(String.fromCharCode(...tx)).toBe("ok\n");
    expect(rd(UART_LSR) & (LSR_THRE | LSR_TEMT)).toBe(LSR_THRE | LSR_TEMT);
  });

  it("writes only the low byte; wider accesses reach the register at the offset", () => {
    const { u, tx } = uart();
    u.write(UART_THR, 4, 0x12345641);
    expect(tx).toEqual([0x41]);
    u.write(UART_SCR, 1, 0xa5);
    expect(u.read(UART_SCR, 4)).toBe(0xa5);
    // registers repeat every 8 bytes inside the 0x100 window
    expect(u.read(8 + UART_SCR, 1)).toBe(0xa5);
    expect(u.read(0xf8 + UART_LSR, 1)).toBe(LSR_THRE | LSR_TEMT);
  });

  it("puts the divisor latch behind LCR.DLAB", () => {
    const { tx, rd, wr } = uart();
    wr(UART_IER, IER_RDI);
    wr(UART_LCR, LCR_DLAB | 0x03);
    wr(UART_DLL, 0x01);
    wr(UART_DLM, 0x02);
    expect(rd(UART_DLL)).toBe(0x01);
    expect(rd(UART_DLM)).toBe(0x02);
    expect(tx).toEqual([]); // the DLL write did not transmit
    wr(UART_LCR, 0x03);
    expect(rd(UART_IER)).toBe(IER_RDI); // IER untouched by the DLM write
    expect(rd(UART_LCR)).toBe(0x03);
    wr(UART_LCR, LCR_DLAB);
    expect(rd(UART_DLL)).toBe(0x01);
  });

  it("receives in order without losing bytes, with LSR.DR while data waits", () => {
    const { u, rd } = uart();
    const bytes = Array.from({ length: 40 }, (_, i) => 0x30 + i);
    u.receive(bytes);
    const got: number[] = [];
    while (rd(UART_LSR) & LSR_DR) got.push(rd(UART_RBR));
    expect(got).toEqual(bytes);
    expect(u.pendingInput).toBe(0);
    expect(rd(UART_LSR) & LSR_DR).toBe(0);
  });

  it("holds one byte without FIFOs and sixteen with them", () => {
    const { u, wr } = uart();
    u.receive(new Uint8Array(20));
    expect(u.pendingInput).toBe(19);
    wr(UART_FCR, FCR_ENABLE); // switching FIFO mode empties the receiver; host bytes come again
    expect(u.pendingInput).toBe(4);
  });

  it("raises the received-data interrupt and drops it when the data is read", () => {
    const { u, irqs, rd, wr } = uart();
    wr(UART_IER, IER_RDI);
    expect(u.irq).toBe(false);
    u.receive([0x61]);
    expect(u.irq).toBe(true);
    expect(rd(UART_IIR)).toBe(IIR_RDA);
    expect(rd(UART_RBR)).toBe(0x61);
    expect(u.irq).toBe(false);
    expect(rd(UART_IIR)).toBe(IIR_NONE);
    expect(irqs).toEqual([true, false]);
  });

  it("in FIFO mode reports a timeout below the trigger level and data at it", () => {
    const { u, rd, wr } = uart();
    wr(UART_FCR, FCR_ENABLE | (2 << 6)); // trigger level 8
    wr(UART_IER, IER_RDI);
    expect(rd(UART_IIR)).toBe(IIR_FIFO | IIR_NONE);
    u.receive([1, 2, 3]);
    expect(rd(UART_IIR)).toBe(IIR_FIFO | IIR_CTI);
    u.receive([4, 5, 6, 7, 8]);
    expect(rd(UART_IIR)).toBe(IIR_FIFO | IIR_RDA);
    // Clearing the FIFO does not lose host input: the bytes are received again.
    wr(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | (2 << 6));
    expect(rd(UART_LSR) & LSR_DR).toBe(LSR_DR);
    expect(rd(UART_IIR)).toBe(IIR_FIFO | IIR_RDA);
    for (let i = 1; i <= 8; i++) expect(rd(UART_RBR)).toBe(i);
    expect(u.irq).toBe(false);
  });

  it("signals THR empty when enabled, clears it on an IIR read and sets it again after a write", () => {
    const { u, rd, wr } = uart();
    wr(UART_IER, IER_THRI);
    expect(u.irq).toBe(true);
    expect(rd(UART_IIR)).toBe(IIR_THRE);
    expect(u.irq).toBe(false);
    expect(rd(UART_IIR)).toBe(IIR_NONE);
    wr(UART_THR, 0x21);
    expect(u.irq).toBe(true);
    wr(UART_IER, 0);
    expect(u.irq).toBe(false);
  });

  it("orders interrupts: line status, received data, THR empty, modem status", () => {
    const { u, rd, wr } = uart();
    wr(UART_IER, IER_RLSI | IER_RDI | IER_THRI | IER_MSI);
    u.receive([0x7a]);
    u.sendBreak();
    expect(rd(UART_IIR)).toBe(IIR_RLS);
    expect(rd(UART_LSR) & LSR_BI).toBe(LSR_BI); // reading LSR clears the error
    expect(rd(UART_LSR) & LSR_BI).toBe(0);
    expect(rd(UART_IIR)).toBe(IIR_RDA);
    rd(UART_RBR);
    rd(UART_RBR);
    expect(rd(UART_IIR)).toBe(IIR_THRE); // and this read acknowledges it
    wr(UART_MCR, MCR_LOOP | MCR_RTS);
    expect(rd(UART_IIR)).toBe(IIR_MSI);
    // CTS follows RTS (still up); DSR and DCD follow DTR and OUT2 (both down)
    expect(rd(UART_MSR) & 0x0f).toBe(MSR_DDSR | MSR_DDCD);
    expect(rd(UART_IIR)).toBe(IIR_NONE);
    expect(u.irq).toBe(false);
  });

  it("loops transmitted bytes back and mirrors MCR into MSR in loopback mode", () => {
    const { tx, rd, wr } = uart();
    wr(UART_MCR, MCR_LOOP);
    expect(rd(UART_MSR) & 0xf0).toBe(0);
    rd(UART_MSR); // clear the deltas of entering loopback
    wr(UART_THR, 0x55);
    expect(tx).toEqual([]);
    expect(rd(UART_LSR) & LSR_DR).toBe(LSR_DR);
    expect(rd(UART_RBR)).toBe(0x55);
    wr(UART_MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
    expect(rd(UART_MSR)).toBe(MSR_CTS | MSR_DSR | MSR_RI | MSR_DCD | MSR_DCTS | MSR_DDSR | MSR_DDCD);
    expect(rd(UART_MSR) & 0x0f).toBe(0);
    wr(UART_MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT2); // RI falls: trailing edge
    expect(rd(UART_MSR) & MSR_TERI).toBe(MSR_TERI);
    wr(UART_MCR, 0);
    wr(UART_THR, 0x56);
    expect(tx).toEqual([0x56]);
  });

  it("keeps input out of the FIFO while in loopback", () => {
    const { u, rd, wr } = uart();
    wr(UART_MCR, MCR_LOOP);
    u.receive([1, 2]);
    expect(rd(UART_LSR) & LSR_DR).toBe(0);
    wr(UART_MCR, 0);
    expect(rd(UART_RBR)).toBe(1);
  });

  it("saves and restores its whole state", () => {
    const a = uart();
    a.wr(UART_FCR, FCR_ENABLE | (1 << 6));
    a.wr(UART_IER, IER_RDI | IER_THRI);
    a.wr(UART_LCR, LCR_DLAB);
    a.wr(UART_DLL, 0x0c);
    a.wr(UART_LCR, 0x1b);
    a.wr(UART_MCR, MCR_OUT2 | MCR_RTS);
    a.wr(UART_SCR, 0x42);
    a.u.receive(Array.from({ length: 30 }, (_, i) => i));
    a.rd(UART_RBR);
    const state = a.u.save();
    const b = uart();
    b.u.restore(state);
    expect(b.u.irq).toBe(a.u.irq);
    expect(b.irqs).toEqual([true]);
    for (const off of [UART_IER, UART_IIR, UART_LCR, UART_MCR, UART_LSR, UART_MSR, UART_SCR]) {
      expect(b.rd(off)).toBe(a.rd(off));
    }
    const drain = (x: ReturnType<typeof uart>) => { const out: number[] = []; while (x.rd(UART_LSR) & LSR_DR) out.push(x.rd(UART_RBR)); return out; };
    expect(drain(b)).toEqual(drain(a));
    expect(Array.from(b.u.save())).toEqual(Array.from(a.u.save()));
  });

  it("refuses a state that is not its own", () => {
    const { u } = uart();
    expect(() => u.restore(new Uint8Array(3))).toThrow(RangeError);
    const s = u.save();
    s[0] = 9;
    expect(() => u.restore(s)).toThrow(RangeError);
    expect(() => u.restore(Uint8Array.of(...u.save(), 0))).toThrow(RangeError);
  });
});

describe("uart16550 under random register traffic", () => {
  it("never throws, keeps IIR/LSR well-formed and restores what it saved", () => {
    let s = 99;
    const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
    const u = new Uart16550();
    for (let i = 0; i < 100_000; i++) {
      const off = rnd() % 0x100;
      if (rnd() & 1) {
        const v = u.read(off, 1);
        expect(v >= 0 && v <= 0xff).toBe(true);
      } else {
        u.write(off, 1, rnd() & 0xff, 0);
      }
      if ((i & 255) === 0) u.receive([rnd() & 0xff]);
    }
    expect(u.read(0, 8)).toBe(-1); // 8-byte accesses are bus errors
    const copy = new Uart16550();
    copy.restore(u.save());
    expect(copy.save()).toEqual(u.save());
  });
});

describe("uart16550 host input bound", () => {
  it("keeps at most INPUT_LIMIT unread host bytes, dropping the oldest", async () => {
    const { INPUT_LIMIT } = await import("../../src/devices/uart16550.js");
    const u = new Uart16550();
    u.receive(new Uint8Array(INPUT_LIMIT).fill(1));
    u.receive(new Uint8Array(1000).fill(2));
    expect(u.pendingInput).toBeLessThanOrEqual(INPUT_LIMIT);
    expect(u.droppedInput).toBe(1);
  });
});
