// Waiting in tests: until a condition holds (polled every 2 ms), or a timeout.

/** `what` says, when it times out, what the state was (for a failure seen once, not reproduced). */
export function until(cond: () => boolean, ms = 20_000, what?: () => string): Promise<void> {
  const t = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) resolve();
      else if (Date.now() - t > ms) reject(new Error(what ? `timeout: ${what()}` : "timeout"));
      else setTimeout(tick, 2);
    };
    tick();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
