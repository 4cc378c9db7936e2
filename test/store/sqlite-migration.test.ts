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
    raw.exec('DROP INDEX contacts_by_skeleton');
    raw.exec('ALTER TABLE contacts DROP COLUMN nick_skeleton');
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

  it('upgrades a version-4 database: old contacts are found by skeleton and keep their flags', () => {
    profile = tempProfile();
    const first = openSqliteStore({ path: profile.dbPath });
    first.close();
    // A database of the release before skeletons: contacts without the column, pinned under
    // nicks the old rules allowed (COLLATE NOCASE was ASCII-only).
    const raw = new Database(profile.dbPath);
    raw.exec('DROP INDEX contacts_by_skeleton');
    raw.exec('ALTER TABLE contacts DROP COLUMN nick_skeleton');
    const insert = raw.prepare(
      'INSERT INTO contacts (id, nick, first_seen, last_seen, verified) VALUES (?, ?, 1, 1, ?)',
    );
    insert.run('A'.repeat(43), 'Bob', 1);
    insert.run('C'.repeat(43), 'carol\u200b', 0);
    raw.pragma('user_version = 4');
    raw.close();

    const store = openSqliteStore({ path: profile.dbPath });
    expect(store.contacts.findByNick('bоb' /* Cyrillic о */).map((c) => [c.id, c.verified])).toEqual([
      ['A'.repeat(43), true],
    ]);
    expect(store.contacts.findByNick('carol').map((c) => c.nick)).toEqual(['carol\u200b']);
    store.close();
    const check = new Database(profile.dbPath, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(check.prepare('SELECT count(*) AS n FROM contacts WHERE nick_skeleton IS NULL').get()).toEqual({
      n: 0,
    });
    check.close();
  });
});
