import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { indexTerms } from '../../src/store/search-terms.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/sqlite-schema.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { ALICE, BOB, CAROL, message, type TempProfile, tempProfile } from './store-fixtures.js';

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
    store.messages.markShown([store.messages.get('signed')!]);
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

describe('migration 6: message ids unique per author', () => {
  /** A database exactly as the last release (schema 4) left it, with a little of everything. */
  function versionFourDatabase(path: string): void {
    const raw = new Database(path);
    for (const step of MIGRATIONS.slice(0, 4)) raw.exec(step);
    raw.pragma('user_version = 4');
    const insert = raw.prepare(
      `INSERT INTO messages (ts, id, conversation, sender_id, sender_nick, kind, received_at, direction, history, text, sig, shown)
       VALUES (@ts, @id, @conversation, @sender, @nick, 'text', @ts, @direction, 0, @text, @sig, @shown)`,
    );
    const rows = [
      {
        id: 'dm-out',
        conversation: `@${BOB}`,
        sender: ALICE,
        nick: 'alice',
        direction: 'out',
        text: 'queued dm',
        sig: null,
        shown: 1,
      },
      {
        id: 'room-old',
        conversation: '#general',
        sender: BOB,
        nick: 'bob',
        direction: 'in',
        text: 'signed the old way',
        sig: 'c2ln',
        shown: 1,
      },
      {
        id: 'unseen',
        conversation: '#general',
        sender: BOB,
        nick: 'bob',
        direction: 'in',
        text: 'not shown yet',
        sig: null,
        shown: 0,
      },
    ];
    rows.forEach((row, i) => {
      const { lastInsertRowid } = insert.run({ ...row, ts: 1_000 + i });
      raw
        .prepare('INSERT INTO messages_fts (rowid, terms) VALUES (?, ?)')
        .run(lastInsertRowid, indexTerms(row.text));
    });
    const queue = raw.prepare(
      "INSERT INTO deliveries (message_id, recipient_id, status, queued_at) VALUES (?, ?, 'queued', 1)",
    );
    queue.run('dm-out', CAROL); // seq 1, then delivered and (as far as this test cares) gone from the queue
    raw.prepare("UPDATE deliveries SET status = 'delivered' WHERE message_id = 'dm-out'").run();
    queue.run('dm-out', BOB); // seq 2, still queued
    raw.close();
  }

  it('keeps every message, queue entry, search entry and shown flag of a version-4 database', () => {
    profile = tempProfile();
    versionFourDatabase(profile.dbPath);
    const store = openSqliteStore({ path: profile.dbPath });
    expect(store.messages.get('room-old')).toMatchObject({ text: 'signed the old way', signature: 'c2ln' });
    expect(store.messages.get('room-old')?.signatureVersion).toBeUndefined(); // version 1
    expect(store.outbox.pendingFor(BOB).map((m) => m.id)).toEqual(['dm-out']);
    expect(store.outbox.deliveryState('dm-out').map((d) => d.status)).toEqual(['delivered', 'queued']);
    expect(store.messages.search('queued', { limit: 5 }).map((m) => m.id)).toEqual(['dm-out']);
    expect(store.messages.unshown(10).map((m) => m.id)).toEqual(['unseen']);
    // Queue positions go on after the old ones: never reused.
    store.messages.saveOutgoing(message({ id: 'new-dm', conversation: `@${BOB}`, direction: 'out' }), [BOB]);
    expect(store.outbox.pendingAfter(BOB, 2, 10).map((p) => [p.seq, p.message.id])).toEqual([[3, 'new-dm']]);
    store.close();
  });

  it("stores the same id from two authors (a squatter cannot take a real message's id), once each", () => {
    profile = tempProfile();
    versionFourDatabase(profile.dbPath);
    const store = openSqliteStore({ path: profile.dbPath });
    const squat = message({ id: 'room-old', senderId: CAROL, senderNick: 'carol', text: 'squatted' });
    expect(store.messages.saveIncoming(squat)).toBe(true);
    expect(store.messages.saveIncoming({ ...squat, text: 'again' })).toBe(false); // same author: a duplicate
    expect(store.messages.get('room-old', BOB)?.text).toBe('signed the old way');
    expect(store.messages.get('room-old', CAROL)?.text).toBe('squatted');
    // A peer's message with the id of one of our queued DMs is not queued with it.
    store.messages.saveIncoming(message({ id: 'dm-out', senderId: CAROL, conversation: `@${CAROL}` }));
    expect(store.outbox.pendingFor(BOB).map((m) => m.text)).toEqual(['queued dm']);
    store.close();
  });
});
