// Rate limiters for device I/O, as Firecracker defines them: two token buckets, one of bytes
// (bandwidth) and one of operations, each `size` tokens refilled evenly over `refillTimeMs`,
// with an optional one-time burst spent before the bucket. An operation goes ahead when both
// buckets hold enough; otherwise the device holds it and asks again after waitMs(). An
// operation larger than a whole bucket goes ahead once the bucket is full (and empties it), so
// nothing waits forever. Browser-safe.

export interface TokenBucketConfig {
  /** Tokens the bucket holds when full (bytes, or operations). */
  size: number;
  /** Extra tokens available once, at the start. */
  oneTimeBurst?: number;
  /** Time to refill an empty bucket (ms). */
  refillTimeMs: number;
}

export interface RateLimiterConfig {
  bandwidth?: TokenBucketConfig;
  ops?: TokenBucketConfig;
}

/** A bandwidth limit of `bytesPerSecond`, with a bucket of one second's worth. */
export function bytesPerSecond(n: number): RateLimiterConfig { return { bandwidth: { size: n, refillTimeMs: 1000 } }; }

/** Checks a limiter's configuration; returns the problem, or undefined. */
export function rateLimiterProblem(c: RateLimiterConfig | undefined): string | undefined {
  if (c === undefined) return undefined;
  if (typeof c !== "object" || c === null) return "an object with bandwidth and/or ops";
  for (const k of Object.keys(c)) if (k !== "bandwidth" && k !== "ops") return `unknown bucket '${k}'`;
  for (const [name, b] of Object.entries(c) as [string, TokenBucketConfig | undefined][]) {
    if (b === undefined) continue;
    if (typeof b !== "object" || b === null) return `${name}: { size, refillTimeMs, oneTimeBurst? }`;
    if (!Number.isSafeInteger(b.size) || b.size < 1) return `${name}.size: a positive integer`;
    if (!Number.isSafeInteger(b.refillTimeMs) || b.refillTimeMs < 1) return `${name}.refillTimeMs: a positive integer (ms)`;
    if (b.oneTimeBurst !== undefined && (!Number.isSafeInteger(b.oneTimeBurst) || b.oneTimeBurst < 0)) return `${name}.oneTimeBurst: an integer >= 0`;
  }
  return undefined;
}

class TokenBucket {
  private tokens: number;
  private burst: number;
  private last: number;
  constructor(private readonly c: TokenBucketConfig, now: number) { this.tokens = c.size; this.burst = c.oneTimeBurst ?? 0; this.last = now; }

  private refill(now: number): void {
    const dt = now - this.last;
    if (dt <= 0) return;
    this.tokens = Math.min(this.c.size, this.tokens + (dt * this.c.size) / this.c.refillTimeMs);
    this.last = now;
  }

  /** Whether `n` tokens are there (counting a large request as there once the bucket is full). */
  can(n: number, now: number): boolean {
    this.refill(now);
    return this.burst + this.tokens >= Math.min(n, this.c.size);
  }

  take(n: number): void {
    const fromBurst = Math.min(this.burst, n);
    this.burst -= fromBurst;
    this.tokens = Math.max(0, this.tokens - (n - fromBurst));
  }

  /** ms until `n` tokens (capped at a full bucket) are there. */
  waitMs(n: number, now: number): number {
    this.refill(now);
    const missing = Math.min(n, this.c.size) - this.burst - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing * this.c.refillTimeMs) / this.c.size);
  }
}

export class RateLimiter {
  private readonly bw: TokenBucket | undefined;
  private readonly ops: TokenBucket | undefined;
  /** Operations that had to wait (statistics). */
  throttled = 0;

  constructor(config: RateLimiterConfig, private readonly now: () => number = () => performance.now()) {
    const t = now();
    this.bw = config.bandwidth && new TokenBucket(config.bandwidth, t);
    this.ops = config.ops && new TokenBucket(config.ops, t);
  }

  /** Whether both buckets allow one operation of `bytes` now (nothing is taken). */
  allows(bytes: number): boolean {
    const t = this.now();
    if ((this.bw && !this.bw.can(bytes, t)) || (this.ops && !this.ops.can(1, t))) { this.throttled++; return false; }
    return true;
  }

  /** Takes the tokens of one operation of `bytes` (after allows()). */
  take(bytes: number): void {
    this.bw?.take(bytes);
    this.ops?.take(1);
  }

  /** Takes the tokens of one operation of `bytes` if both buckets allow it now. */
  consume(bytes: number): boolean {
    if (!this.allows(bytes)) return false;
    this.take(bytes);
    return true;
  }

  /** ms until an operation of `bytes` would go ahead. */
  waitMs(bytes: number): number {
    const t = this.now();
    return Math.max(this.bw?.waitMs(bytes, t) ?? 0, this.ops?.waitMs(1, t) ?? 0);
  }
}
