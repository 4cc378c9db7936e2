import { describe, expect, it } from 'vitest';
import {
  MAX_FOREIGN_ROOMS_PER_PEER,
  OFFER_WINDOW_MS,
  OFFERS_PER_PEER,
  RoomOffers,
} from '../../src/core/room-offers.js';
import { FakeClock } from './fake-clock.js';

describe('room offers', () => {
  it('offers each room once, at most OFFERS_PER_PEER per peer per window', () => {
    const clock = new FakeClock();
    const offers = new RoomOffers(clock);
    const offered = (peer: string, n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => offers.offer(peer, `#${prefix}-${i}`)).filter(Boolean).length;
    expect(offered('mallory', 1_000, 'a')).toBe(OFFERS_PER_PEER);
    expect(offers.offer('bob', '#a-0')).toBe(false); // already offered, by anyone
    expect(offers.offer('bob', '#team')).toBe(true); // another peer has its own budget
    clock.advance(OFFER_WINDOW_MS);
    expect(offered('mallory', 1_000, 'b')).toBe(OFFERS_PER_PEER);
  });

  it('remembers a bounded number of foreign rooms per peer', () => {
    const offers = new RoomOffers(new FakeClock());
    expect(offers.mayRemember(MAX_FOREIGN_ROOMS_PER_PEER - 1)).toBe(true);
    expect(offers.mayRemember(MAX_FOREIGN_ROOMS_PER_PEER)).toBe(false);
  });
});
