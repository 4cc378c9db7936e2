// Hostile or broken peers can send a packet per millisecond; each would be a warning. This caps
// warnings per code (a burst, then one per interval) and reports how many were swallowed, so logs
// stay readable and cannot be flooded (RFC 6762 §11 spirit: survive, do not amplify).
// Whole warnings per interval rather than connection/token-bucket.ts's continuous rate: discovery
// sits below the connection layer and imports nothing from it.
import { BoundedCache } from '../crypto/bounded-cache.js';
import type { Clock } from './clock.js';

export const WARNING_BURST = 5;
export const WARNING_INTERVAL_MS = 10_000;

export type WarningSink = (code: string, message: string) => void;

export function createWarningLimiter(clock: Clock, sink: WarningSink): WarningSink {
  // Codes come from our own code, a few dozen at most; bounded all the same (oldest out first).
  const buckets = new BoundedCache<string, { tokens: number; refilledAt: number; suppressed: number }>(64);
  return (code, message) => {
    const now = clock.now();
    let bucket = buckets.get(code);
    if (!bucket) {
      bucket = { tokens: WARNING_BURST, refilledAt: now, suppressed: 0 };
      buckets.set(code, bucket);
    }
    const refill = Math.floor((now - bucket.refilledAt) / WARNING_INTERVAL_MS);
    if (refill > 0) {
      bucket.tokens = Math.min(WARNING_BURST, bucket.tokens + refill);
      bucket.refilledAt += refill * WARNING_INTERVAL_MS;
    }
    if (bucket.tokens <= 0) {
      bucket.suppressed++;
      return;
    }
    bucket.tokens--;
    const note = bucket.suppressed > 0 ? ` (${bucket.suppressed} similar warnings suppressed)` : '';
    bucket.suppressed = 0;
    sink(code, message + note);
  };
}
