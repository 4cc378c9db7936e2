import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { toStoreError } from '../../src/store/sqlite-errors.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { StoreError } from '../../src/store/store.js';
import { fillMessages, message, type TempProfile, tempProfile } from './store-fixtures.js';

let profile: TempProfile;
afterEach(() => profile?.remove());

function openError(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error('expected the store to refuse to open');
}

describe('opening the database', () => {
  it('creates lanchat.db in the profile, mode 0600, WAL, schema in place', () => {
    profile = tempProfile();
    const store = profile.open();
    expect(profile.dbPath).toBe(join(profile.dir, 'lanchat.db'));
    expect(statSync(profile.dbPath).mode & 0o777).toBe(0o600);
    expect(store.rooms.joined()).toEqual(['#general']);
    store.close();
    const raw = new Database(profile.dbPath, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
  });

  it('reports garbage as corrupt, naming the file, and leaves it byte for byte', () => {
    profile = tempProfile();
    const garbage = Buffer.from(
      'this is not a database, just some text that happens to be here\n'.repeat(100),
    );
    writeFileSync(profile.dbPath, garbage);
    const error = openError(() => profile.open());
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(profile.dbPath);
    expect(error.message).toContain('NOT replaced');
    expect(error.message).toContain('mv ');
    expect(readFileSync(profile.dbPath).equals(garbage)).toBe(true);
  });

  it('reports a truncated real database as corrupt and leaves it untouched', () => {
    profile = tempProfile();
    const store = profile.open();
    fillMessages(store, 3_000);
    store.close();
    const size = statSync(profile.dbPath).size;
    truncateSync(profile.dbPath, Math.floor(size / 2));
    const before = readFileSync(profile.dbPath);
    const error = openError(() => profile.open());
    expect(error.code).toBe('corrupt');
    expect(readFileSync(profile.dbPath).equals(before)).toBe(true);
  });

  it('refuses a SQLite database of another program', () => {
    profile = tempProfile();
    const other = new Database(profile.dbPath);
    other.exec('CREATE TABLE songs (title TEXT)');
    other.close();
    const before = readFileSync(profile.dbPath);
    const error = openError(() => profile.open());
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain('another program');
    expect(readFileSync(profile.dbPath).equals(before)).toBe(true);
  });

  it('refuses a database from a newer lanchat', () => {
    profile = tempProfile();
    profile.open().close();
    const raw = new Database(profile.dbPath);
    raw.pragma('user_version = 99');
    raw.close();
    const before = readFileSync(profile.dbPath);
    expect(openError(() => profile.open()).code).toBe('newer-schema');
    expect(readFileSync(profile.dbPath).equals(before)).toBe(true);
  });

  it('reports a second store on the same profile as locked', () => {
    profile = tempProfile();
    const first = profile.open();
    const error = openError(() => profile.open({ busyTimeoutMs: 50 }));
    expect(error.code).toBe('locked');
    expect(error.message).toContain('another lanchat is probably running');
    first.close();
    profile.open().close();
  });

  it('reports locked when another connection holds BEGIN EXCLUSIVE', () => {
    profile = tempProfile();
    profile.open().close();
    const other = new Database(profile.dbPath);
    other.exec('BEGIN EXCLUSIVE');
    expect(openError(() => profile.open({ busyTimeoutMs: 50 })).code).toBe('locked');
    other.exec('ROLLBACK');
    other.close();
  });

  it('reports locked when another process holds the database', async () => {
    profile = tempProfile();
    profile.open().close();
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         db.exec('BEGIN EXCLUSIVE'); console.log('held'); setInterval(() => {}, 1000);`,
        profile.dbPath,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
        holder.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
      expect(openError(() => profile.open({ busyTimeoutMs: 100 })).code).toBe('locked');
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    // The OS released the dead holder's lock: the profile opens again.
    profile.open().close();
  });

  it.skipIf(process.getuid?.() === 0)('reports an unreadable file as a permission problem', () => {
    profile = tempProfile();
    profile.open().close();
    chmodSync(profile.dbPath, 0o000);
    expect(openError(() => profile.open()).code).toBe('permission');
  });

  it('maps SQLite failure codes to store codes (root cannot be denied a file, so map them here)', () => {
    const sqlite = (code: string) => Object.assign(new Error(code), { code });
    expect((toStoreError(sqlite('SQLITE_READONLY'), 'x.db', 'open') as StoreError).code).toBe('read-only');
    expect((toStoreError(sqlite('SQLITE_READONLY_DBMOVED'), 'x.db', 'open') as StoreError).code).toBe(
      'read-only',
    );
    expect((toStoreError(sqlite('EROFS'), 'x.db', 'open') as StoreError).code).toBe('read-only');
    expect((toStoreError(sqlite('SQLITE_PERM'), 'x.db', 'open') as StoreError).code).toBe('permission');
    expect((toStoreError(sqlite('SQLITE_CANTOPEN'), 'x.db', 'open') as StoreError).code).toBe('io');
    const full = toStoreError(sqlite('SQLITE_FULL'), 'x.db', 'save a message') as StoreError;
    expect(full.code).toBe('disk-full');
    expect(full.message).toMatch(/cannot save a message x\.db: the disk is full.*queued at their senders/);
    expect((toStoreError(sqlite('ENOSPC'), 'x.db', 'open') as StoreError).code).toBe('disk-full');
    expect((toStoreError(sqlite('SQLITE_BUSY_RECOVERY'), 'x.db', 'open') as StoreError).code).toBe('locked');
    expect((toStoreError(sqlite('SQLITE_CORRUPT_VTAB'), 'x.db', 'open') as StoreError).code).toBe('corrupt');
    const bug = new TypeError('bad binding');
    expect(toStoreError(bug, 'x.db', 'open')).toBe(bug);
  });

  it('reports a profile path that is not a directory as io', () => {
    profile = tempProfile();
    const file = join(profile.dir, 'plain-file');
    writeFileSync(file, 'x');
    const error = openError(() => openSqliteStore({ path: join(file, 'lanchat.db') }));
    expect(error.code).toBe('io');
    expect(error.message).toContain(file);
  });

  it('throws closed after close(), and close() is idempotent', () => {
    const store = openSqliteStore({ path: ':memory:' });
    store.close();
    store.close();
    expect(openError(() => store.messages.saveIncoming(message())).code).toBe('closed');
    expect(openError(() => store.transaction(() => 1)).code).toBe('closed');
  });
});
