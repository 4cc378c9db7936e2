// Issue 5's figures, in process: room catch-up of 1,000 missed messages between two real nodes
// (secure channel, SQLite, signatures checked) and full-text search over 100,000 stored messages.
// Each next to its floor measured in the same run: a bare SQLite copy of the same rows, and a
// LIKE scan of the same table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import nacl from 'tweetnacl';
import type { NodeEvent } from '../../src/core/events.js';
import { idOf } from '../../src/identity/ids.js';
import { databasePathIn, openSqliteStore } from '../../src/store/sqlite-store.js';
import type { StoredMessage } from '../../src/store/store.js';
import type { DropFigures } from './drops-bench.js';
import { MemoryLan, until } from './memory-lan.js';

export interface HistoryFigures {
  catchupMs: number;
  catchupReceived: number;
  copyFloorMs: number;
  searchMs: number[];
  likeMs: number[];
  corpus: number;
  /** Sealed drops handed to a returning recipient (drops-bench.ts), in the same run. */
  drops?: DropFigures;
}

const MISSED = 1_000;
const CORPUS = 100_000;
const QUERIES = ['世界', '天气', 'deploy', 'rollback', '会議', 'Zürich', 'x7q', '今天天气很好'];

const WAIT_MS = 60_000;

/** alice and bob share #general; carol was away for 1,000 messages; alice leaves; carol returns. */
export async function benchCatchup(): Promise<
  Pick<HistoryFigures, 'catchupMs' | 'catchupReceived' | 'copyFloorMs'>
> {
  const dir = mkdtempSync(join(tmpdir(), 'lanchat-bench-catchup-'));
  const lan = new MemoryLan(dir);
  const make = (name: string, host: string) => {
    const member = lan.member(name, host);
    const events: NodeEvent[] = [];
    member.node.subscribe((e) => events.push(e));
    return { ...member, events };
  };
  try {
    const alice = make('alice', '10.0.0.1');
    const bob = make('bob', '10.0.0.2');
    await alice.node.start();
    await bob.node.start();
    await until('alice and bob meet', () => alice.node.peerList().some((p) => p.online), WAIT_MS);
    alice.node.batch(() => {
      for (let i = 0; i < MISSED; i++) alice.node.sendRoom('#general', `missed message ${i} 你好`);
    });
    await until(
      'bob has them',
      () => bob.events.filter((e) => e.type === 'message').length >= MISSED,
      WAIT_MS,
    );
    await alice.node.stop();
    const carol = make('carol', '10.0.0.3');
    const t0 = performance.now();
    await carol.node.start();
    await until('carol caught up', () => carol.events.some((e) => e.type === 'catchup_done'), WAIT_MS);
    const catchupMs = performance.now() - t0;
    const catchupReceived = carol.events.filter((e) => e.type === 'message').length;
    // Floor: the same rows read from bob's store and written into a fresh one, one transaction.
    const floorStore = openSqliteStore({ path: join(dir, 'floor.db') });
    lan.stores.push(floorStore);
    const f0 = performance.now();
    floorStore.transaction(() => {
      for (const m of bob.store.messages.roomMessagesSince('#general', 0, MISSED))
        floorStore.messages.saveIncoming(m);
    });
    const copyFloorMs = performance.now() - f0;
    await Promise.all([bob.node.stop(), carol.node.stop()]);
    return { catchupMs, catchupReceived, copyFloorMs };
  } finally {
    lan.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function corpusText(i: number): string {
  const latin = ['deploy the build', 'rollback at noon', 'lunch in Zürich', 'meeting notes', 'coffee?'];
  const cjk = ['你好，世界', '今天天气很好', '会議は三時から', '明日の予定', '谢谢大家'];
  const word = i % 997 === 0 ? ' x7q' : '';
  return `${latin[i % latin.length]} ${cjk[(i * 7) % cjk.length]} #${i}${word}`;
}

export function benchSearch(): Pick<HistoryFigures, 'searchMs' | 'likeMs' | 'corpus'> {
  const dir = mkdtempSync(join(tmpdir(), 'lanchat-bench-search-'));
  const store = openSqliteStore({ path: databasePathIn(dir) });
  const sender = idOf(nacl.sign.keyPair().publicKey);
  try {
    store.transaction(() => {
      for (let i = 0; i < CORPUS; i++) {
        const m: StoredMessage = {
          id: `m${i}`,
          conversation: i % 3 === 0 ? `@${sender}` : '#general',
          senderId: sender,
          senderNick: 'alice',
          text: corpusText(i),
          kind: 'text',
          ts: 1_700_000_000_000 + i * 1000,
          receivedAt: 1_700_000_000_000 + i * 1000,
          direction: 'in',
          history: false,
        };
        store.messages.saveIncoming(m);
      }
    });
    const searchMs: number[] = [];
    const likeMs: number[] = [];
    store.close();
    const raw = new Database(databasePathIn(dir), { readonly: true });
    const like = raw.prepare('SELECT id FROM messages WHERE text LIKE ? ORDER BY ts DESC LIMIT 50');
    const reopened = openSqliteStore({ path: databasePathIn(dir), exclusive: false });
    try {
      for (let round = 0; round < 3; round++) {
        for (const q of QUERIES) {
          const s0 = performance.now();
          reopened.messages.search(q, { limit: 50 });
          searchMs.push(performance.now() - s0);
          const l0 = performance.now();
          like.all(`%${q}%`);
          likeMs.push(performance.now() - l0);
        }
      }
    } finally {
      reopened.close();
      raw.close();
    }
    return { searchMs, likeMs, corpus: CORPUS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
