// The WAL is checkpointed when the database is idle, or during sustained writing once the WAL is
// over its limit; never in the middle of a burst below the limit.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startCheckpoints } from '../../src/store/sqlite-checkpoints.js';

let dir: string;
let db: Database.Database;
let stop: (() => void) | undefined;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  dir = mkdtempSync(join(tmpdir(), 'lanchat-ckpt-'));
  db = new Database(join(dir, 'db.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (x BLOB)');
});
afterEach(() => {
  stop?.();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  vi.useRealTimers();
});

function checkpointsOf(spy: { mock: { calls: unknown[][] } }): number {
  return spy.mock.calls.filter((c) => String(c[0]).startsWith('wal_checkpoint')).length;
}

const write = (kb: number) => db.prepare('INSERT INTO t VALUES (randomblob(?))').run(kb * 1024);

describe('checkpoints', () => {
  it('waits for an idle tick, then checkpoints once', () => {
    const spy = vi.spyOn(db, 'pragma');
    stop = startCheckpoints(db, join(dir, 'db.sqlite'), { tickMs: 1000, walLimitBytes: 1 << 30 });
    for (let tick = 0; tick < 5; tick++) {
      write(4); // busy at every tick: a burst in progress
      vi.advanceTimersByTime(1000);
    }
    expect(checkpointsOf(spy)).toBe(0);
    vi.advanceTimersByTime(1000); // nothing written since the last tick: idle
    expect(checkpointsOf(spy)).toBe(1);
    vi.advanceTimersByTime(5000); // still idle, nothing new to fold back
    expect(checkpointsOf(spy)).toBe(1);
    write(4);
    vi.advanceTimersByTime(2000);
    expect(checkpointsOf(spy)).toBe(2);
  });

  it('checkpoints during sustained writing once the WAL passes its limit', () => {
    const spy = vi.spyOn(db, 'pragma');
    stop = startCheckpoints(db, join(dir, 'db.sqlite'), { tickMs: 1000, walLimitBytes: 256 * 1024 });
    write(16);
    vi.advanceTimersByTime(1000);
    expect(checkpointsOf(spy)).toBe(0); // busy, WAL small
    write(512);
    vi.advanceTimersByTime(1000);
    expect(checkpointsOf(spy)).toBe(1); // busy, but the WAL is over the limit
  });

  it('shrinks a WAL that a burst made big, once it is folded back', () => {
    const wal = join(dir, 'db.sqlite-wal');
    stop = startCheckpoints(db, join(dir, 'db.sqlite'), { tickMs: 1000 });
    db.transaction(() => {
      for (let i = 0; i < 20; i++) write(1024);
    })();
    expect(statSync(wal).size).toBeGreaterThan(20 * 1024 * 1024);
    vi.advanceTimersByTime(2000); // busy tick, then idle tick: checkpoint
    write(1); // the next write restarts the WAL and truncates it to journal_size_limit
    expect(statSync(wal).size).toBeLessThanOrEqual(8 * 1024 * 1024);
  });
});
