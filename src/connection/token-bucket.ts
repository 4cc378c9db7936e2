// A token bucket, the one rate limit for what peers send and what we send them. Two ways to spend:
// - `take` never refuses and may go into debt: bytes already read from a socket are handled, never
//   dropped; it only says how long the reader should wait before reading more (peer-link.ts). The
//   average rate holds however large one read was.
// - `tryTake` spends only what the bucket holds: a message is either within the budget or not sent
//   (pex-sender.ts) or ignored (peer-exchange.ts).

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

  /** Spends `count` tokens only if the bucket holds them. */
  tryTake(count: number, now: number): boolean {
    this.refill(now);
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }

  /** Ms until the bucket holds `count` tokens (0: it does now). */
  msUntil(count: number, now: number): number {
    this.refill(now);
    return Math.max(0, Math.ceil(((count - this.tokens) * 1000) / this.limit.perSecond));
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.perSecond) / 1000);
  }
}
