// Opens the profile's database and assembles the Store. The order of the steps matters:
//  1. create the file ourselves (mode 0600: it holds private conversations) if it does not exist;
//  2. take the lock and read the header and schema version BEFORE anything can write, so a
//     foreign, newer, damaged or busy file is reported untouched, never "repaired" or replaced;
//  3. PRAGMA quick_check, still read-only;
//  4. only then WAL, and the migrations in one IMMEDIATE transaction.
import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createContactStore } from './sqlite-contacts.js';
import {
  corruptMessage,
  guard,
  permissionMessage,
  type StoreContext,
  toStoreError,
} from './sqlite-errors.js';
import { createMessageStore } from './sqlite-messages.js';
import { createOutboxStore } from './sqlite-outbox.js';
import { createRoomStore } from './sqlite-rooms.js';
import { migrate, readSchemaVersion } from './sqlite-schema.js';
import { createTransferStore } from './sqlite-transfers.js';
import { type Store, StoreError } from './store.js';

export const DATABASE_FILE = 'lanchat.db';
/** How long opening waits for a lock held by another process before reporting 'locked'. */
export const DEFAULT_BUSY_TIMEOUT_MS = 2_000;

export interface SqliteStoreOptions {
  /** A file path (see databasePathIn) or ':memory:'. */
  path: string;
  busyTimeoutMs?: number;
  /** Clock for queued/delivered/read/seen timestamps; tests pass a fake one. */
  now?: () => number;
  /**
   * Hold the file lock for the life of the store (default true). One node per profile is the rule
   * (a second `lanchat` on the profile talks to the first through its socket), so a second opener
   * gets 'locked' at once instead of racing writes; it also lets SQLite keep the WAL index in heap.
   */
  exclusive?: boolean;
  /** Run PRAGMA quick_check on open (default true). */
  integrityCheck?: boolean;
}

export function databasePathIn(profileDir: string): string {
  return join(profileDir, DATABASE_FILE);
}

function createIfMissing(path: string): void {
  try {
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR, 0o600));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new StoreError('permission', path, permissionMessage(path, 'create'), { cause: error });
    }
    throw new StoreError('io', path, `cannot create ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function checkIntegrity(db: Database.Database, path: string): void {
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  const first = rows[0]?.quick_check;
  if (rows.length !== 1 || first !== 'ok') {
    const detail = rows
      .slice(0, 3)
      .map((row) => row.quick_check)
      .join('; ');
    throw new StoreError('corrupt', path, corruptMessage(path, `integrity check failed: ${detail}`));
  }
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  const { path } = options;
  const inMemory = path === ':memory:';
  if (!inMemory) createIfMissing(path);

  let db: Database.Database;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  } catch (error) {
    throw toStoreError(error, path, 'open');
  }
  try {
    if (options.exclusive ?? true) db.pragma('locking_mode = EXCLUSIVE');
    readSchemaVersion(db, path);
    if (options.integrityCheck ?? true) checkIntegrity(db, path);
    if (!inMemory) db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL cannot corrupt the database; it only skips the fsync per commit, so a
    // power cut (not a crash or kill -9, which lose nothing) may drop the last commits. That is
    // what makes ≥ 20,000 stored messages/s possible; FULL would cost one fsync per message.
    db.pragma('synchronous = NORMAL');
    // SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages, with an
    // fsync: 1-30 ms added to one message in ~40 (measured: the whole p99 of DM latency). We
    // checkpoint from an idle timer instead (see assemble), off the message path.
    if (!inMemory) db.pragma('wal_autocheckpoint = 0');
    db.pragma('foreign_keys = ON');
    db.transaction(() => migrate(db, path)).immediate();
  } catch (error) {
    db.close();
    throw toStoreError(error, path, 'open');
  }
  return assemble(db, path, options.now ?? Date.now);
}

/** How often the WAL is folded back into the database (PASSIVE: never waits for readers). */
const CHECKPOINT_INTERVAL_MS = 2_000;

function assemble(db: Database.Database, path: string, now: () => number): Store {
  const context: StoreContext = { path, now, isOpen: () => db.open };
  const checkpoints =
    path === ':memory:'
      ? undefined
      : setInterval(() => {
          try {
            if (db.open) db.pragma('wal_checkpoint(PASSIVE)');
          } catch {
            // A failed checkpoint loses nothing (the WAL keeps the data); the next one retries.
          }
        }, CHECKPOINT_INTERVAL_MS);
  checkpoints?.unref();
  return {
    messages: createMessageStore(db, context),
    outbox: createOutboxStore(db, context),
    contacts: createContactStore(db, context),
    rooms: createRoomStore(db, context),
    transfers: createTransferStore(db, context),
    transaction(fn) {
      return guard(context, 'write to', () => db.transaction(fn)());
    },
    close() {
      if (checkpoints) clearInterval(checkpoints);
      if (db.open) db.close();
    },
  };
}
