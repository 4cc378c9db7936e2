// Opens the profile's database and assembles the Store. The order of the steps matters:
//  1. create the file ourselves (mode 0600: it holds private conversations) if it does not exist;
//  2. take the lock and read the header and schema version BEFORE anything can write, so a
//     foreign, newer, damaged or busy file is reported untouched, never "repaired" or replaced;
//  3. PRAGMA quick_check, still read-only;
//  4. only then WAL, and the migrations in one IMMEDIATE transaction.
import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startCheckpoints } from './sqlite-checkpoints.js';
import { createContactStore, refreshNickSkeletons } from './sqlite-contacts.js';
import { createDiskUsage } from './sqlite-disk-usage.js';
import { createDropStore } from './sqlite-drops.js';
import {
  corruptMessage,
  guard,
  permissionMessage,
  type StoreContext,
  toStoreError,
} from './sqlite-errors.js';
import { createMessageStore } from './sqlite-messages.js';
import { createOutboxStore } from './sqlite-outbox.js';
import { createRememberedPeerStore } from './sqlite-remembered.js';
import { createRoomStore } from './sqlite-rooms.js';
import { migrate, readSchemaVersion } from './sqlite-schema.js';
import { createSearchIndex } from './sqlite-search.js';
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
    // Checkpoints run from an idle timer instead, off the message path (sqlite-checkpoints.ts).
    if (!inMemory) db.pragma('wal_autocheckpoint = 0');
    db.pragma('foreign_keys = ON');
    db.transaction(() => {
      migrate(db, path);
      refreshNickSkeletons(db);
    }).immediate();
  } catch (error) {
    db.close();
    throw toStoreError(error, path, 'open');
  }
  return assemble(db, path, options.now ?? Date.now);
}

function assemble(db: Database.Database, path: string, now: () => number): Store {
  let depth = 0; // Store.transaction() nesting
  let failed: { error: unknown } | undefined; // a write of the current transaction failed half-way
  const context: StoreContext = {
    path,
    now,
    isOpen: () => db.open,
    inBatch: () => depth > 0,
    failBatch: (error) => {
      failed ??= { error };
    },
  };
  const index = createSearchIndex(db);
  // The outermost Store.transaction writes the search entries its messages deferred, as its last
  // step before COMMIT; a rollback forgets them with the rows they belonged to.
  const outermost = db.transaction((fn: () => unknown): unknown => {
    const result = fn();
    if (failed) throw failed.error;
    index.flushDeferred();
    return result;
  });
  const stopCheckpoints = path === ':memory:' ? undefined : startCheckpoints(db, path);
  return {
    messages: createMessageStore(db, context, index),
    outbox: createOutboxStore(db, context),
    contacts: createContactStore(db, context),
    rooms: createRoomStore(db, context),
    transfers: createTransferStore(db, context),
    disk: createDiskUsage(db, context),
    drops: createDropStore(db, context),
    remembered: createRememberedPeerStore(db, context),
    transaction(fn) {
      return guard(context, 'write to', () => {
        if (depth > 0) {
          // Nested: a savepoint. When it rolls back, so do the half-done writes that failed
          // inside it, and the search entries deferred inside it.
          const [failedBefore, deferredBefore] = [failed, index.deferredCount()];
          try {
            return db.transaction(fn)();
          } catch (error) {
            failed = failedBefore;
            index.dropDeferred(deferredBefore);
            throw error;
          }
        }
        depth++;
        try {
          return outermost(fn) as ReturnType<typeof fn>;
        } catch (error) {
          index.dropDeferred();
          throw error;
        } finally {
          depth--;
          failed = undefined;
        }
      });
    },
    close() {
      stopCheckpoints?.();
      if (db.open) db.close();
    },
  };
}
