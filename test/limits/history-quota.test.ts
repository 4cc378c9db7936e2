// The history quota (issue 15, item 5): above --max-history-size the oldest room messages go,
// and nothing else: DMs, our room messages still queued for a member, and messages not yet shown
// stay; the newest room history stays; search forgets what was removed. Then the same through a
// node: a profile over its quota is pruned at start, with a warning saying what went.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryQuota } from '../../src/core/history-quota.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store, StoredMessage } from '../../src/store/store.js';
import { FakeClock } from '../core/fake-clock.js';
import { eventsOf, NodeFixture, waitFor } from '../core/node-fixture.js';

const KB = 1024;
const TEXT = 'lorem ipsum '.repeat(160); // ~2 KB
let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lanchat-quota-'));
});
afterEach(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function message(over: Partial<StoredMessage> & { id: string; conversation: string }): StoredMessage {
  return {
    senderId: 'author',
    senderNick: 'author',
    text: TEXT,
    kind: 'text',
    ts: 1_000,
    receivedAt: 1_000,
    direction: 'in',
    history: false,
    ...over,
  };
}

/** 2,000 room messages (oldest first), 100 DMs among them, and 10 early room messages of our own
 * still queued for bob; plus 5 received room messages not yet shown. */
function seed(s: Store): void {
  s.rooms.join('#ops');
  s.transaction(() => {
    for (let i = 0; i < 2_000; i++) {
      s.messages.saveIncoming(
        message({ id: `room-${i}`, conversation: '#ops', ts: 10_000 + i, text: `${TEXT} zebra${i}` }),
      );
      if (i % 20 === 0)
        s.messages.saveIncoming(message({ id: `dm-${i}`, conversation: '@author', ts: 10_000 + i }));
      if (i < 10) {
        s.messages.saveOutgoing(
          message({
            id: `mine-${i}`,
            conversation: '#ops',
            senderId: 'me',
            direction: 'out',
            ts: 10_000 + i,
          }),
          ['bob'],
        );
      }
    }
    for (let i = 0; i < 5; i++) {
      s.messages.saveIncoming(message({ id: `unshown-${i}`, conversation: '#ops', ts: 5_000 + i }));
    }
  });
  s.messages.markShown(Array.from({ length: 2_000 }, (_, i) => ({ id: `room-${i}`, senderId: 'author' })));
  s.messages.markShown(Array.from({ length: 100 }, (_, i) => ({ id: `dm-${i * 20}`, senderId: 'author' })));
}

describe('HistoryQuota', () => {
  it('removes the oldest room messages down to 90 % of the quota, and never DMs, queued or unshown ones', async () => {
    store = openSqliteStore({ path: join(dir, 'p.db') });
    seed(store);
    const before = store.disk.usedBytes();
    const maxBytes = Math.floor(before / 2);
    const warnings: { code: string; message: string }[] = [];
    const quota = new HistoryQuota({
      store,
      clock: new FakeClock(),
      maxBytes,
      warn: (code, message) => warnings.push({ code, message }),
      failed: (error) => {
        throw error;
      },
    });
    const removed = await quota.check();
    expect(removed).toBeGreaterThan(500);
    expect(store.disk.usedBytes()).toBeLessThanOrEqual(maxBytes * 0.9);
    // The oldest went, the newest stayed.
    expect(store.messages.get('room-0', 'author')).toBeUndefined();
    expect(store.messages.get('room-1999', 'author')).toBeDefined();
    const kept = store.messages.history('#ops', { limit: 5_000 }).filter((m) => m.id.startsWith('room-'));
    expect(kept.length).toBe(2_000 - removed);
    expect(kept[0]?.id).toBe(`room-${2_000 - kept.length}`);
    // Never removed.
    for (let i = 0; i < 2_000; i += 20) expect(store.messages.get(`dm-${i}`, 'author')).toBeDefined();
    expect(store.outbox.pendingAfter('bob', 0, 100).map((p) => p.message.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `mine-${i}`),
    );
    expect(store.messages.unshown(10).map((m) => m.id)).toEqual(
      Array.from({ length: 5 }, (_, i) => `unshown-${i}`),
    );
    // Search forgot the removed ones.
    expect(store.messages.search('zebra0', { limit: 5 }).map((m) => m.id)).toEqual([]);
    expect(store.messages.search('zebra1999', { limit: 5 }).map((m) => m.id)).toEqual(['room-1999']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.code).toBe('history-pruned');
    expect(warnings[0]?.message).toMatch(new RegExp(`removed the ${removed} oldest room messages`));
    // Under the quota now: a second check removes nothing.
    expect(await quota.check()).toBe(0);
  });

  it('says so once when only what it never removes is left above the quota', async () => {
    store = openSqliteStore({ path: join(dir, 'p.db') });
    seed(store);
    const warnings: string[] = [];
    const quota = new HistoryQuota({
      store,
      clock: new FakeClock(),
      maxBytes: 64 * KB,
      warn: (code) => warnings.push(code),
      failed: (error) => {
        throw error;
      },
    });
    await quota.check();
    await quota.check();
    expect(warnings).toEqual(['history-pruned', 'history-full']);
    expect(
      store.messages
        .history('#ops', { limit: 100 })
        .map((m) => m.id)
        .sort(),
    ).toEqual(
      [
        ...Array.from({ length: 10 }, (_, i) => `mine-${i}`),
        ...Array.from({ length: 5 }, (_, i) => `unshown-${i}`),
      ].sort(),
    );
  });
});

describe('a node over its history quota', () => {
  it('prunes at start and says why', async () => {
    const fx = new NodeFixture();
    try {
      const dbPath = join(fx.dir, 'big.db');
      const seeded = openSqliteStore({ path: dbPath });
      seed(seeded);
      const maxHistoryBytes = Math.floor(seeded.disk.usedBytes() / 2);
      seeded.close();
      const node = await fx.start('big', { dbPath, init: { limits: { maxHistoryBytes } } });
      const warning = await waitFor('the pruning', () =>
        eventsOf(node, 'warning').find((w) => w.code === 'history-pruned'),
      );
      expect(warning.message).toMatch(/above --max-history-size/);
      expect(node.store.disk.usedBytes()).toBeLessThanOrEqual(maxHistoryBytes);
    } finally {
      await fx.destroy();
    }
  });
});
