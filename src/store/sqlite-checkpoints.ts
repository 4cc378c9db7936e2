// When the WAL is folded back into the database. SQLite's automatic checkpoint runs inside
// whichever commit crosses 1,000 WAL pages, fsync included: 1-30 ms added to one message in ~40
// (it was the whole p99 of DM latency), so it is off (wal_autocheckpoint = 0) and this timer does
// it instead, while the database is idle: a checkpoint copies every page written since the last
// one and blocks the event loop meanwhile (≈ 250 ms after a burst of 20,000 DMs), which in the
// middle of a burst cost a third of its rate. Under sustained writing it still runs once the WAL
// passes WAL_LIMIT_BYTES, so the WAL (and the time to open the database after a crash) stays
// bounded; journal_size_limit then shrinks the file back.
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';

const TICK_MS = 1_000;
/** Checkpoint even while writes go on once the WAL file is this big. */
export const WAL_LIMIT_BYTES = 64 * 1024 * 1024;
/** What a WAL file is truncated to after a checkpoint reset it. */
const WAL_KEEP_BYTES = 8 * 1024 * 1024;

export interface CheckpointOptions {
  tickMs?: number;
  walLimitBytes?: number;
}

/** Starts the checkpoint timer for a file database; returns its stop function. */
export function startCheckpoints(
  db: Database.Database,
  path: string,
  { tickMs = TICK_MS, walLimitBytes = WAL_LIMIT_BYTES }: CheckpointOptions = {},
): () => void {
  db.pragma(`journal_size_limit = ${WAL_KEEP_BYTES}`);
  const changes = db.prepare('SELECT total_changes() AS n').pluck();
  const walBytes = () => {
    try {
      return statSync(`${path}-wal`).size;
    } catch {
      return 0;
    }
  };
  let seen = 0; // total_changes() at the previous tick
  let checkpointed = 0; // total_changes() at the last checkpoint
  const timer = setInterval(() => {
    try {
      if (!db.open) return;
      const now = changes.get() as number;
      const idle = now === seen;
      seen = now;
      if (now === checkpointed) return;
      if (!idle && walBytes() < walLimitBytes) return;
      db.pragma('wal_checkpoint(PASSIVE)');
      checkpointed = now;
    } catch {
      // A failed checkpoint loses nothing (the WAL keeps the data); the next tick retries.
    }
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
