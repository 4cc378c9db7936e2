// How often we dial one address, whatever the number of keys announced there. Anybody can
// multicast an announcement for a made-up key at any address, and every node that hears it dials
// it, then retries as the dial fails: hundreds of such keys at one address would make each node on
// the floor flood that machine with connections (a SYN flood amplified by the floor's size, aimed
// wherever the forger likes). One lanchat per machine is the usual case, a few dozen users on a
// shared host the most we plan for: DIAL_BUDGET.burst covers a joiner dialling all of them at once.
import { hostKey } from '../connection/link-factory.js';
import { type RateLimit, TokenBucket } from '../connection/token-bucket.js';
import { BoundedCache } from '../crypto/bounded-cache.js';
import type { Clock } from './clock.js';

export const DIAL_BUDGET: RateLimit = { burst: 32, perSecond: 4 };
/** Addresses whose budget is kept; the least recently dialled go first (a fresh bucket is full,
 * so forgetting one only ever allows more dials, never fewer). */
const ADDRESSES_KEPT = 4096;

export class DialBudget {
  private readonly buckets = new BoundedCache<string, TokenBucket>(ADDRESSES_KEPT);

  constructor(
    private readonly clock: Clock,
    private readonly limit: RateLimit = DIAL_BUDGET,
  ) {}

  /** May we dial `address` now? Spends one dial of its budget if so. */
  tryTake(address: string): boolean {
    const host = hostKey(address);
    const now = this.clock.now();
    let bucket = this.buckets.get(host);
    if (!bucket) bucket = new TokenBucket(this.limit, now);
    this.buckets.delete(host); // re-inserted last: the most recently dialled are kept
    this.buckets.set(host, bucket);
    return bucket.tryTake(1, now);
  }
}
