// Waiting in tests: until a condition holds (polled every 2 ms), or a timeout.

export function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const t = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => { if (cond()) resolve(); else if (Date.now() - t > ms) reject(new Error("timeout")); else setTimeout(tick, 2); };
    tick();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
