// TOFU pins keyed by identity (the public key). A pin is created on first contact and afterwards
// only its nick and lastSeen move; nothing here can attach a different key to an existing pin.
import type Database from 'better-sqlite3';
import { nickSkeleton } from '../identity/nick-skeleton.js';
import { guard, type StoreContext } from './sqlite-errors.js';
import type { Contact, ContactStore, PinResult } from './store.js';

interface ContactRow {
  id: string;
  nick: string;
  first_seen: number;
  last_seen: number;
  verified: 0 | 1;
  blocked: 0 | 1;
}

function contactFromRow(row: ContactRow): Contact {
  return {
    id: row.id,
    nick: row.nick,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    verified: row.verified === 1,
    blocked: row.blocked === 1,
  };
}

const COLUMNS = 'id, nick, first_seen, last_seen, verified, blocked';

export function createContactStore(db: Database.Database, context: StoreContext): ContactStore {
  const byId = db.prepare(`SELECT ${COLUMNS} FROM contacts WHERE id = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM contacts ORDER BY nick COLLATE NOCASE, id`);
  const byNick = db.prepare(
    `SELECT ${COLUMNS} FROM contacts WHERE nick_skeleton = ? ORDER BY last_seen DESC, id`,
  );
  const insert = db.prepare(
    'INSERT INTO contacts (id, nick, nick_skeleton, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)',
  );
  const touch = db.prepare(
    'UPDATE contacts SET nick = ?, nick_skeleton = ?, last_seen = max(last_seen, ?) WHERE id = ?',
  );
  const remove = db.prepare('DELETE FROM contacts WHERE id = ?');
  const verified = db.prepare('UPDATE contacts SET verified = ? WHERE id = ?');
  const blocked = db.prepare('UPDATE contacts SET blocked = ? WHERE id = ?');

  const read = (id: string): Contact | undefined => {
    const row = byId.get(id) as ContactRow | undefined;
    return row === undefined ? undefined : contactFromRow(row);
  };

  const pin = db.transaction((id: string, nick: string): PinResult => {
    const now = context.now();
    const before = read(id);
    if (before === undefined) {
      insert.run(id, nick, nickSkeleton(nick), now, now);
      return { contact: read(id)!, created: true };
    }
    touch.run(nick, nickSkeleton(nick), now, id);
    const result: PinResult = { contact: read(id)!, created: false };
    if (before.nick !== nick) result.previousNick = before.nick;
    return result;
  });

  return {
    pin(id, nick) {
      return guard(context, 'pin a contact in', () => pin(id, nick));
    },
    get(id) {
      return guard(context, 'read a contact from', () => read(id));
    },
    list() {
      return guard(context, 'read contacts from', () => (all.all() as ContactRow[]).map(contactFromRow));
    },
    findByNick(nick) {
      return guard(context, 'read contacts from', () =>
        (byNick.all(nickSkeleton(nick)) as ContactRow[]).map(contactFromRow),
      );
    },
    forget(id) {
      return guard(context, 'forget a contact in', () => remove.run(id).changes > 0);
    },
    setVerified(id, value) {
      return guard(context, 'update a contact in', () => verified.run(value ? 1 : 0, id).changes > 0);
    },
    setBlocked(id, value) {
      return guard(context, 'update a contact in', () => blocked.run(value ? 1 : 0, id).changes > 0);
    },
  };
}

/** Brings every contact's nick_skeleton up to date with nickSkeleton: rows from before migration 5
 * have none, and a later lanchat may refine the table. Contacts number in the hundreds, so this
 * is cheap enough to run on every open, inside the migration transaction. */
export function refreshNickSkeletons(db: Database.Database): void {
  const rows = db.prepare('SELECT id, nick, nick_skeleton FROM contacts').all() as {
    id: string;
    nick: string;
    nick_skeleton: string | null;
  }[];
  const update = db.prepare('UPDATE contacts SET nick_skeleton = ? WHERE id = ?');
  for (const row of rows) {
    const skeleton = nickSkeleton(row.nick);
    if (row.nick_skeleton !== skeleton) update.run(skeleton, row.id);
  }
}
