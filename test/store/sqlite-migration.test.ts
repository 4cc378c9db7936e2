import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { message, type TempProfile, tempProfile } from './store-fixtures.js';

let profile: TempProfile | undefined;
afterEach(() => profile?.remove());

describe('schema migrations', () => {
  it('upgrades a version-1 database in place, keeping its messages, and stores signatures', () => {
    profile = tempProfile();
    const first = openSqliteStore({ path: profile.dbPath });
    first.messages.saveIncoming(message({ id: 'old-1', conversation: '#general', text: 'from v1' }));
    first.close();
    // Make it look like a database written by the first release: only migration 1 applied.
    const raw = new Database(profile.dbPath);
    raw.exec('DROP INDEX messages_unshown');
    raw.exec('ALTER TABLE messages DROP COLUMN shown');
    raw.exec('DROP TABLE IF EXISTS transfers');
    raw.exec('ALTER TABLE messages DROP COLUMN sig');
    raw.pragma('user_version = 1');
    raw.close();

    const store = openSqliteStore({ path: profile.dbPath });
    expect(store.messages.get('old-1')?.text).toBe('from v1');
    expect(store.messages.get('old-1')?.signature).toBeUndefined();
    store.messages.saveIncoming(message({ id: 'signed', conversation: '#general', signature: 'c2ln' }));
    expect(store.messages.get('signed')?.signature).toBe('c2ln');
    // Old rows count as shown; a new incoming message is unshown until markShown.
    expect(store.messages.unshown(10).map((m) => m.id)).toEqual(['signed']);
    store.messages.markShown(['signed']);
    expect(store.messages.unshown(10)).toEqual([]);
    store.close();
    const check = new Database(profile.dbPath, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });
});
