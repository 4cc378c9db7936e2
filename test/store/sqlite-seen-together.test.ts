// Who was online with whom (drop holders are picked from it) is forgotten after 14 days and
// bounded in all: a host that floods identities must not grow the table without end.
import { describe, expect, it } from 'vitest';
import { MAX_SEEN_TOGETHER_ROWS, SEEN_TOGETHER_KEEP_MS } from '../../src/store/sqlite-drops.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

describe('seen together', () => {
  it('forgets pairs older than the keeping time at the next sweep, and keeps newer ones', () => {
    let now = 1_000;
    const store = openSqliteStore({ path: ':memory:', now: () => now });
    store.drops.sawTogether('old', ['a', 'b']);
    now += SEEN_TOGETHER_KEEP_MS / 2;
    store.drops.sawTogether('new', ['c']);
    now += SEEN_TOGETHER_KEEP_MS / 2 + 1;
    store.drops.expire(now);
    expect(store.drops.seenWith('old', 10)).toEqual([]);
    expect(store.drops.seenWith('a', 10)).toEqual([]);
    expect(store.drops.seenWith('new', 10)).toEqual(['c']);
    expect(store.drops.seenWith('c', 10)).toEqual(['new']);
  });

  it(`keeps at most ${MAX_SEEN_TOGETHER_ROWS} pairs, the oldest out first`, () => {
    let now = 1_000;
    const store = openSqliteStore({ path: ':memory:', now: () => now });
    // A Sybil flood: identities going offline one after another, each with 50 others online.
    const others = Array.from({ length: 50 }, (_, i) => `o${i}`);
    const floods = Math.ceil(MAX_SEEN_TOGETHER_ROWS / 100) + 20;
    for (let i = 0; i < floods; i++) {
      now += 1;
      store.drops.sawTogether(`sybil${i}`, others);
    }
    store.drops.expire(now);
    let kept = 0;
    for (let i = 0; i < floods; i++) kept += store.drops.seenWith(`sybil${i}`, 100).length;
    expect(kept * 2).toBeLessThanOrEqual(MAX_SEEN_TOGETHER_ROWS);
    // The newest are what is kept.
    expect(store.drops.seenWith(`sybil${floods - 1}`, 100)).toHaveLength(50);
    expect(store.drops.seenWith('sybil0', 100)).toEqual([]);
  });
});
