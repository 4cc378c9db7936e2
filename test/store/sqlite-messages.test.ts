import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { MAX_TEXT_BYTES, StoreError } from '../../src/store/store.js';
import { BOB, message, type TempProfile, tempProfile } from './store-fixtures.js';

let profile: TempProfile | undefined;
afterEach(() => profile?.remove());

describe('messages', () => {
  it('dedupes by id, also across a reopen', () => {
    profile = tempProfile();
    const first = message({ text: 'once' });
    let store = profile.open();
    expect(store.messages.saveIncoming(first)).toBe(true);
    expect(store.messages.saveIncoming({ ...first, text: 'replayed' })).toBe(false);
    store.close();
    store = profile.open();
    expect(store.messages.saveIncoming(first)).toBe(false);
    expect(store.messages.get(first.id)).toEqual(first);
    // The duplicate was not indexed a second time either.
    expect(store.messages.search('once', { limit: 10 })).toHaveLength(1);
    expect(store.messages.search('replayed', { limit: 10 })).toHaveLength(0);
    store.close();
  });

  it('round-trips every field', () => {
    const store = openSqliteStore({ path: ':memory:' });
    const stored = message({
      kind: 'action',
      direction: 'out',
      history: true,
      senderNick: 'ālice',
      text: '你好 🎉',
    });
    store.messages.saveIncoming(stored);
    expect(store.messages.get(stored.id)).toEqual(stored);
    expect(store.messages.get('nope')).toBeUndefined();
    store.close();
  });

  it('pages history newest-first, each page in chronological order, ties broken by id', () => {
    const store = openSqliteStore({ path: ':memory:' });
    const dm = `@${BOB}`;
    // Two messages share a timestamp: the cursor must not skip or repeat either.
    const all = [1, 2, 3, 3, 4, 5, 6].map((ts, i) => message({ id: `h${i}`, conversation: dm, ts }));
    for (const m of [...all].reverse()) store.messages.saveIncoming(m);
    store.messages.saveIncoming(message({ conversation: '#other', ts: 4 }));

    const pages: string[][] = [];
    let page = store.messages.history(dm, { limit: 3 });
    while (page.length > 0) {
      pages.push(page.map((m) => m.id));
      const oldest = page[0]!;
      page = store.messages.history(dm, { limit: 3, before: { ts: oldest.ts, id: oldest.id } });
    }
    expect(pages).toEqual([['h4', 'h5', 'h6'], ['h1', 'h2', 'h3'], ['h0']]);
    store.close();
  });

  it('answers catch-up with the newest N since a time, ordered by (ts, id)', () => {
    const store = openSqliteStore({ path: ':memory:' });
    for (let i = 0; i < 10; i++) {
      store.messages.saveIncoming(message({ id: `c${9 - i}`, conversation: '#dev', ts: 100 + (9 - i) * 10 }));
    }
    store.messages.saveIncoming(message({ id: 'c5b', conversation: '#dev', ts: 150 }));
    store.messages.saveIncoming(message({ conversation: '#general', ts: 500 }));

    const ids = (since: number, limit: number) =>
      store.messages.roomMessagesSince('#dev', since, limit).map((m) => m.id);
    expect(ids(150, 100)).toEqual(['c5', 'c5b', 'c6', 'c7', 'c8', 'c9']); // inclusive lower bound
    expect(ids(0, 3)).toEqual(['c7', 'c8', 'c9']); // the limit keeps the newest
    expect(ids(191, 10)).toEqual([]);
    expect(store.messages.catchupCursor('#dev', 0)).toBe(190);
    expect(store.messages.catchupCursor('#empty', 0)).toBeUndefined();
    store.close();
  });

  it('takes the catch-up cursor from our receive time, so a far-future ts cannot move it', () => {
    const store = openSqliteStore({ path: ':memory:' });
    const now = 1_700_000_000_000;
    store.messages.saveIncoming(
      message({ conversation: '#dev', ts: now - 60_000, receivedAt: now - 50_000 }),
    );
    // A row dated next year (as a database from before the refusal may hold), received now.
    store.messages.saveIncoming(
      message({ conversation: '#dev', ts: now + 365 * 86_400_000, receivedAt: now }),
    );
    expect(store.messages.catchupCursor('#dev', 0)).toBe(now);
    // An old message received late (catch-up) counts with its own, older ts.
    store.messages.saveIncoming(message({ conversation: '#old', ts: now - 3_600_000, receivedAt: now }));
    expect(store.messages.catchupCursor('#old', 0)).toBe(now - 3_600_000);
    expect(store.messages.catchupCursor('#old', now - 60_000)).toBeUndefined();
    // Several rows dated ahead of their arrival: the best bound is found behind them.
    for (let i = 1; i <= 5; i++) {
      store.messages.saveIncoming(
        message({ conversation: '#skew', ts: now + i * 1_000, receivedAt: now - 10_000 }),
      );
    }
    store.messages.saveIncoming(message({ conversation: '#skew', ts: now - 5_000, receivedAt: now - 4_000 }));
    store.messages.saveIncoming(message({ conversation: '#skew', ts: now - 9_000, receivedAt: now - 8_000 }));
    expect(store.messages.catchupCursor('#skew', 0)).toBe(now - 5_000);
    store.close();
  });

  it('refuses over-long text and malformed conversations without storing them', () => {
    const store = openSqliteStore({ path: ':memory:' });
    const refuse = (overrides: Parameters<typeof message>[0]) => {
      const bad = message(overrides);
      expect(() => store.messages.saveIncoming(bad)).toThrow(StoreError);
      expect(store.messages.get(bad.id)).toBeUndefined();
    };
    refuse({ text: 'x'.repeat(MAX_TEXT_BYTES + 1) });
    refuse({ text: '世'.repeat(Math.floor(MAX_TEXT_BYTES / 3) + 1) }); // counted in UTF-8 bytes
    refuse({ conversation: 'general' });
    refuse({ conversation: '#two words' });
    refuse({ id: 'x'.repeat(200) });
    refuse({ ts: 1.5 });
    expect(store.messages.saveIncoming(message({ text: 'x'.repeat(MAX_TEXT_BYTES) }))).toBe(true);
    store.close();
  });

  it('rolls back a transaction that throws', () => {
    const store = openSqliteStore({ path: ':memory:' });
    const lost = message();
    expect(() =>
      store.transaction(() => {
        store.messages.saveIncoming(lost);
        throw new Error('core changed its mind');
      }),
    ).toThrow('core changed its mind');
    expect(store.messages.get(lost.id)).toBeUndefined();
    expect(store.messages.saveIncoming(lost)).toBe(true);
    store.close();
  });
});
