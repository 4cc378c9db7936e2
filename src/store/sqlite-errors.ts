// Turns better-sqlite3 failures into StoreError, with messages that say what happened to the file
// and what to do. The rule behind every message: the store never replaces or deletes a database.
import { StoreError, type StoreErrorCode } from './store.js';

function sqliteCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return '';
}

function detailOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function corruptMessage(path: string, detail: string): string {
  return (
    `${path} is damaged or is not a lanchat database (${detail}). It was NOT replaced or changed. ` +
    `To start afresh, stop lanchat and move it away together with its "-wal" and "-shm" files, ` +
    `e.g. mv "${path}" "${path}.broken"; to rescue messages from it, try: sqlite3 "${path}" .recover`
  );
}

export function lockedMessage(path: string): string {
  return (
    `${path} is locked by another process: another lanchat is probably running with this profile. ` +
    'Stop it, or start this one with a different --profile.'
  );
}

export function permissionMessage(path: string, phase: string): string {
  return (
    `cannot ${phase} ${path}: permission denied. The database and its directory must be readable and ` +
    'writable by this user (the profile directory should be yours, mode 0700).'
  );
}

export function diskFullMessage(path: string, phase: string): string {
  return (
    `cannot ${phase} ${path}: the disk is full (or your disk quota is used up). Nothing was lost: ` +
    'messages that could not be stored were not acknowledged and stay queued at their senders. ' +
    'Free some space (df -h shows where) and they arrive by themselves.'
  );
}

export function readOnlyMessage(path: string, phase: string): string {
  return (
    `cannot ${phase} ${path}: the database or its file system is read-only (remounted read-only, ` +
    'or its mode changed). Messages that could not be stored stay queued at their senders; make ' +
    'the profile writable again (mount, chmod u+w) or restart lanchat.'
  );
}

function codeFor(sqlite: string): StoreErrorCode | undefined {
  // SQLITE_FULL is "database or disk is full"; ENOSPC/EDQUOT come from the file system directly.
  if (sqlite.startsWith('SQLITE_FULL') || sqlite === 'ENOSPC' || sqlite === 'EDQUOT') return 'disk-full';
  if (sqlite.startsWith('SQLITE_READONLY') || sqlite === 'EROFS') return 'read-only';
  if (sqlite.startsWith('SQLITE_NOTADB') || sqlite.startsWith('SQLITE_CORRUPT')) return 'corrupt';
  if (sqlite.startsWith('SQLITE_BUSY') || sqlite.startsWith('SQLITE_LOCKED')) return 'locked';
  if (sqlite.startsWith('SQLITE_READONLY') || sqlite.startsWith('SQLITE_PERM')) return 'permission';
  if (sqlite.startsWith('SQLITE_AUTH') || sqlite === 'EACCES' || sqlite === 'EPERM') return 'permission';
  if (sqlite.startsWith('SQLITE_')) return 'io';
  if (sqlite.startsWith('E')) return 'io';
  return undefined;
}

/**
 * Translates an error thrown while doing `phase` ("open", "save a message", ...) on `path`.
 * Programming errors (TypeError, RangeError from bad bindings) pass through unchanged.
 */
export function toStoreError(error: unknown, path: string, phase: string): unknown {
  if (error instanceof StoreError) return error;
  const sqlite = sqliteCode(error);
  const code = codeFor(sqlite);
  if (code === undefined) return error;
  const detail = detailOf(error);
  switch (code) {
    case 'corrupt':
      return new StoreError(code, path, corruptMessage(path, detail), { cause: error });
    case 'locked':
      return new StoreError(code, path, lockedMessage(path), { cause: error });
    case 'permission':
      return new StoreError(code, path, permissionMessage(path, phase), { cause: error });
    case 'disk-full':
      return new StoreError(code, path, diskFullMessage(path, phase), { cause: error });
    case 'read-only':
      return new StoreError(code, path, readOnlyMessage(path, phase), { cause: error });
    default:
      return new StoreError(code, path, `cannot ${phase} ${path}: ${detail}`, { cause: error });
  }
}

/** What each repository needs to run a statement and report failures against the right file. */
export interface StoreContext {
  readonly path: string;
  readonly now: () => number;
  /** False once the store is closed. */
  isOpen(): boolean;
  /** True inside Store.transaction(): work may be deferred to the end of that transaction. */
  inBatch(): boolean;
  /** A write inside Store.transaction() failed half-way: the transaction must roll back, even
   * when its caller catches the error and carries on. */
  failBatch(error: unknown): void;
}

/** Runs one store operation; a closed store and SQLite failures become StoreError. */
export function guard<T>(context: StoreContext, phase: string, fn: () => T): T {
  if (!context.isOpen()) {
    throw new StoreError('closed', context.path, `cannot ${phase}: the store ${context.path} is closed`);
  }
  try {
    return fn();
  } catch (error) {
    throw toStoreError(error, context.path, phase);
  }
}

export function invalidInput(context: StoreContext, message: string): StoreError {
  return new StoreError('invalid-input', context.path, message);
}
