import { describe, expect, it } from "vitest";
import { InputQueue } from "../../src/machine/console.js";

describe("InputQueue", () => {
  it("keeps unread input bounded, dropping the oldest chunks, and reads in order", () => {
    const q = new InputQueue();
    for (let i = 0; i < 300; i++) q.push(new Uint8Array(4096).fill(i & 0xff));
    expect(q.length).toBeLessThanOrEqual(InputQueue.LIMIT);
    expect(q.length).toBeGreaterThan(InputQueue.LIMIT - 4096);
    const kept = q.length / 4096; // whole chunks: the last `kept` pushed
    expect(q.shift()).toBe((300 - kept) & 0xff);
  });
});
