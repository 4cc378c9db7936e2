// Shared by the store tests and the search benchmark: temp profiles, message builders, bulk fill.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databasePathIn, openSqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite-store.js';
import type { Store, StoredMessage } from '../../src/store/store.js';

export interface TempProfile {
  dir: string;
  dbPath: string;
  open(options?: Omit<SqliteStoreOptions, 'path'>): Store;
  remove(): void;
}

export function tempProfile(): TempProfile {
  const dir = mkdtempSync(join(tmpdir(), 'lanchat-store-'));
  const dbPath = databasePathIn(dir);
  return {
    dir,
    dbPath,
    open: (options = {}) => openSqliteStore({ path: dbPath, ...options }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const ALICE = 'A'.repeat(43);
export const BOB = 'B'.repeat(43);
export const CAROL = 'C'.repeat(43);

let counter = 0;

export function message(overrides: Partial<StoredMessage> = {}): StoredMessage {
  counter += 1;
  return {
    id: `m-${counter}`,
    conversation: '#general',
    senderId: ALICE,
    senderNick: 'alice',
    text: `hello ${counter}`,
    kind: 'text',
    ts: 1_700_000_000_000 + counter,
    receivedAt: 1_700_000_000_000 + counter,
    direction: 'in',
    history: false,
    ...overrides,
  };
}

const WORDS = [
  'meeting',
  'lunch',
  'deploy',
  'coffee',
  'review',
  'tomorrow',
  'café',
  'naïve',
  'release',
  'bug',
];
const CJK = ['你好', '世界', '今天', '天气', '很好', '会议', '東京', 'タワー', '行きました', '午饭'];

/**
 * Inserts `count` varied messages (Latin, CJK, emoji) in one transaction, spread over 30 days and
 * 20 conversations. Deterministic, so benchmarks and tests see the same corpus.
 */
export function fillMessages(store: Store, count: number, startTs = 1_700_000_000_000): void {
  // mulberry32: tiny, deterministic, and its low bits are usable (an LCG's are not).
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  store.transaction(() => {
    for (let i = 0; i < count; i++) {
      const latin = Array.from({ length: 6 }, () => WORDS[next(WORDS.length)]).join(' ');
      const cjk = Array.from({ length: 3 }, () => CJK[next(CJK.length)]).join('');
      const text = i % 3 === 0 ? `${cjk}，${latin}` : i % 7 === 0 ? `${latin} 🎉` : latin;
      store.messages.saveIncoming(
        message({
          id: `bulk-${i}`,
          conversation: `#room${i % 20}`,
          text,
          ts: startTs + i * 26_000,
          receivedAt: startTs + i * 26_000,
        }),
      );
    }
  });
}
