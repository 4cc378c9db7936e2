// A token bucket that may go into debt: `take` never refuses (what has already been read from a
// socket is handled, never dropped), it only says how long the reader should wait before reading
// more. The average rate holds however large one read was.

export interface RateLimit {
  /** Tokens added per second: the sustained rate. */
  readonly perSecond: number;
  /** Tokens the bucket holds when full: the burst taken at full speed. */
  readonly burst: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now;
  }

  /** Takes `count` tokens; returns how many ms to wait until the bucket is out of debt (0: none). */
  take(count: number, now: number): number {
    this.refill(now);
    this.tokens -= count;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.limit.perSecond);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.perSecond) / 1000);
  }
}
