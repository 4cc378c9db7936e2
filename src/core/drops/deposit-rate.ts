// Per-depositor token buckets for drop deposits: a peer may deposit `burst` drops at once, then
// `perMinute` a minute. Refused deposits are not held; the sender tries again at a later meeting.
import type { Clock } from '../clock.js';

/** Buckets kept at most; full buckets (idle depositors) are forgotten first when over. */
const MAX_BUCKETS = 1_024;

interface Bucket {
  tokens: number;
  at: number;
}

export class DepositRate {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly rate: { perMinute: number; burst: number },
  ) {}

  /** Takes one token for `depositor`; false when its bucket is empty. */
  take(depositor: string): boolean {
    const now = this.clock.now();
    const bucket = this.buckets.get(depositor) ?? { tokens: this.rate.burst, at: now };
    const refill = ((now - bucket.at) * this.rate.perMinute) / 60_000;
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + Math.max(0, refill));
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(depositor, bucket);
      return false;
    }
    bucket.tokens -= 1;
    this.buckets.set(depositor, bucket);
    if (this.buckets.size > MAX_BUCKETS) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    for (const [id, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((now - bucket.at) * this.rate.perMinute) / 60_000;
      if (refilled >= this.rate.burst) this.buckets.delete(id);
    }
    // Still over (a flood of fresh identities): forget the oldest; they start again with a burst,
    // which the total quota bounds.
    for (const id of this.buckets.keys()) {
      if (this.buckets.size <= MAX_BUCKETS) break;
      this.buckets.delete(id);
    }
  }
}
