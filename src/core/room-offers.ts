// Rooms a peer says it is in. A peer's word never makes us join, create or store a room: only the
// user's /join does. A room we are not in is at most an offer the user may take up ("bob is in
// #x"), and offers are bounded in number and rate, so a peer announcing 10,000 rooms costs a few
// lines, a bounded set per peer, and no rows.
import type { Clock } from './clock.js';

/** Rooms we are not in that we remember per peer (a hello lists at most 256 rooms too). */
export const MAX_FOREIGN_ROOMS_PER_PEER = 256;
/** Offers shown per peer per window, and the window. */
export const OFFERS_PER_PEER = 5;
export const OFFER_WINDOW_MS = 10 * 60_000;
/** Distinct rooms offered this session that we remember, so each is offered once. */
const MAX_OFFERED = 256;
/** Peers whose offer window we remember (a key costs an attacker nothing: bound this map too). */
const MAX_WINDOWS = 1_024;

export class RoomOffers {
  private readonly offered = new Set<string>();
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly clock: Clock) {}

  /** Whether `peerId` may add `room`, one we are not in, to its remembered rooms (`known` of them). */
  mayRemember(known: number): boolean {
    return known < MAX_FOREIGN_ROOMS_PER_PEER;
  }

  /** True when the user should hear that `peerId` is in `room` (a room we are not in). */
  offer(peerId: string, room: string): boolean {
    if (this.offered.has(room)) return false;
    const now = this.clock.now();
    let window = this.windows.get(peerId);
    if (window === undefined || now - window.start >= OFFER_WINDOW_MS) {
      window = { start: now, count: 0 };
      this.windows.delete(peerId);
      this.windows.set(peerId, window);
      evictOldest(this.windows, MAX_WINDOWS);
    }
    if (window.count >= OFFERS_PER_PEER) return false;
    window.count++;
    this.offered.add(room);
    evictOldest(this.offered, MAX_OFFERED);
    return true;
  }
}

/** Maps and sets iterate in insertion order: the first entries are the oldest. */
function evictOldest(collection: Set<string> | Map<string, unknown>, max: number): void {
  for (const key of collection.keys()) {
    if (collection.size <= max) return;
    collection.delete(key);
  }
}
