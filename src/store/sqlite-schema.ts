// The schema, as numbered migrations tracked in PRAGMA user_version. A migration is never edited
// once released: add a new one. Each runs in the same transaction as the version bump.
import type Database from 'better-sqlite3';
import { FTS_TOKENIZER } from './search-terms.js';
import { corruptMessage } from './sqlite-errors.js';
import { GENERAL_ROOM, StoreError } from './store.js';

/** Exported for the migration tests, which build databases exactly as older releases left them. */
export const MIGRATIONS: readonly string[] = [
  // 1: messages with persisted dedupe (UNIQUE id), search index, outbox, contacts, rooms.
  `
  -- text last: search sorts thousands of matches by (ts, id), and SQLite reads a row's columns in
  -- order, so the sort keys must come before a text that may spill to overflow pages.
  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    conversation TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    sender_nick TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'action')),
    received_at INTEGER NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    history INTEGER NOT NULL CHECK (history IN (0, 1)),
    text TEXT NOT NULL
  );
  CREATE INDEX messages_by_conversation ON messages (conversation, ts, id);

  -- Contentless: it holds only the derived terms (see search-terms.ts), keyed by messages.seq;
  -- the text itself lives once, in messages.
  CREATE VIRTUAL TABLE messages_fts USING fts5(
    terms, tokenize = "${FTS_TOKENIZER}", content = '', contentless_delete = 1
  );

  -- AUTOINCREMENT: seq is the send order and must never be reused, even after rows are deleted.
  CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    recipient_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'delivered', 'read')),
    queued_at INTEGER NOT NULL,
    delivered_at INTEGER,
    read_at INTEGER,
    UNIQUE (message_id, recipient_id)
  );
  CREATE INDEX deliveries_queued ON deliveries (recipient_id, seq) WHERE status = 'queued';

  CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    nick TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1))
  );
  CREATE INDEX contacts_by_nick ON contacts (nick COLLATE NOCASE);

  CREATE TABLE rooms (
    name TEXT PRIMARY KEY,
    joined_at INTEGER NOT NULL
  );
  INSERT INTO rooms (name, joined_at) VALUES ('${GENERAL_ROOM}', 0);

  CREATE TABLE room_members (
    room TEXT NOT NULL,
    member_id TEXT NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (room, member_id)
  ) WITHOUT ROWID;
  `,
  // 2: the author's Ed25519 signature over a room message, so that a message relayed by another
  // member during catch-up can be checked against its author (base64; NULL for DMs).
  `
  ALTER TABLE messages ADD COLUMN sig TEXT;
  `,
  // 3: file transfers, both directions, so that offers and the verified offset of a partial file
  // survive a restart (resume instead of starting over).
  `
  CREATE TABLE IF NOT EXISTS transfers (
    id TEXT PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    peer_id TEXT NOT NULL,
    peer_nick TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    state TEXT NOT NULL
      CHECK (state IN ('offered', 'accepted', 'done', 'failed', 'rejected', 'cancelled')),
    source_path TEXT,
    dir TEXT,
    final_path TEXT,
    verified INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS transfers_open ON transfers (state) WHERE state IN ('offered', 'accepted');
  `,
  // 4: whether a received message has been shown to the user (handed to the UI or printed). A
  // crash between storing (and acking) a message and showing it must not lose it from the screen:
  // on start, what was stored but never shown is shown. Rows from before count as shown.
  `
  ALTER TABLE messages ADD COLUMN shown INTEGER NOT NULL DEFAULT 1 CHECK (shown IN (0, 1));
  CREATE INDEX messages_unshown ON messages (seq) WHERE shown = 0;
  `,
  // 5: contacts are found by the confusable skeleton of their nick (identity/nick-skeleton.ts), not
  // by an ASCII-only COLLATE NOCASE, so "bоb" (Cyrillic о) or "Ｂob" finds the pinned bob. The
  // skeleton is computed in JavaScript, so this only adds the column; refreshNickSkeletons fills
  // it on every open (also when a later version changes the skeleton table).
  `
  ALTER TABLE contacts ADD COLUMN nick_skeleton TEXT;
  CREATE INDEX contacts_by_skeleton ON contacts (nick_skeleton);
  `,
  // 6: a message id belongs to the key that signed it: ids are unique per author, (id, sender_id),
  // not globally, so a relay that sends a forged message under the id of a real one by another
  // author cannot stop the real one from being stored. sig_version says which signed encoding a
  // room message's sig uses (NULL: version 1, from before the signature covered the nick).
  // SQLite cannot drop a UNIQUE constraint: messages is rebuilt with the same seq values (the
  // search index is keyed by seq), and deliveries with it, since its foreign key named
  // messages (id), which is no longer unique. Deliveries only ever point at our own outgoing
  // messages, and messages are never deleted; enqueue checks that the message exists instead.
  `
  CREATE TABLE messages_new (
    seq INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    id TEXT NOT NULL,
    conversation TEXT NOT NULL,
    sender_id TEXT NOT NULL,
    sender_nick TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'action')),
    received_at INTEGER NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    history INTEGER NOT NULL CHECK (history IN (0, 1)),
    shown INTEGER NOT NULL DEFAULT 1 CHECK (shown IN (0, 1)),
    sig_version INTEGER CHECK (sig_version IN (1, 2)),
    sig TEXT,
    text TEXT NOT NULL,
    UNIQUE (id, sender_id)
  );
  INSERT INTO messages_new
    (seq, ts, id, conversation, sender_id, sender_nick, kind, received_at, direction, history, shown,
     sig_version, sig, text)
  SELECT seq, ts, id, conversation, sender_id, sender_nick, kind, received_at, direction, history, shown,
     CASE WHEN sig IS NULL THEN NULL ELSE 1 END, sig, text
  FROM messages;

  CREATE TABLE deliveries_new (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'delivered', 'read')),
    queued_at INTEGER NOT NULL,
    delivered_at INTEGER,
    read_at INTEGER,
    UNIQUE (message_id, recipient_id)
  );
  INSERT INTO deliveries_new SELECT seq, message_id, recipient_id, status, queued_at, delivered_at, read_at
  FROM deliveries;
  -- Queue positions are never reused, not even those of rows that no longer exist.
  INSERT INTO sqlite_sequence (name, seq) SELECT 'deliveries_new', seq FROM sqlite_sequence WHERE name = 'deliveries';
  DELETE FROM sqlite_sequence WHERE name = 'deliveries_new' AND rowid <>
    (SELECT rowid FROM sqlite_sequence WHERE name = 'deliveries_new' ORDER BY seq DESC LIMIT 1);

  DROP TABLE deliveries;
  DROP TABLE messages;
  ALTER TABLE messages_new RENAME TO messages;
  ALTER TABLE deliveries_new RENAME TO deliveries;
  CREATE INDEX messages_by_conversation ON messages (conversation, ts, id);
  CREATE INDEX messages_unshown ON messages (seq) WHERE shown = 0;
  CREATE INDEX deliveries_queued ON deliveries (recipient_id, seq) WHERE status = 'queued';
  `,
  // 7: sealed drops (core/drops). held_drops: ciphertext we hold for other peers (never readable
  // by us), with quotas counted from it; held_receipts: recipients' signed receipts, kept for the
  // depositor. drop_deposits / drop_relayed: our own DMs deposited with holders, and those whose
  // receipt came back through one. seen_together: who was online with whom (picking holders).
  `
  CREATE TABLE IF NOT EXISTS held_drops (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    depositor TEXT NOT NULL,
    recipient TEXT NOT NULL,
    id TEXT NOT NULL,
    size INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    box BLOB NOT NULL,
    UNIQUE (depositor, recipient, id)
  );
  CREATE INDEX IF NOT EXISTS held_drops_by_recipient ON held_drops (recipient, seq);
  CREATE INDEX IF NOT EXISTS held_drops_by_expiry ON held_drops (expires_at);
  CREATE TABLE IF NOT EXISTS held_receipts (
    depositor TEXT NOT NULL,
    recipient TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('delivered', 'read')),
    sig TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (depositor, recipient, id, kind)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS held_receipts_by_recipient ON held_receipts (recipient);
  CREATE TABLE IF NOT EXISTS drop_deposits (
    message_id TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    deposited_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, recipient_id, holder_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS drop_relayed (
    message_id TEXT NOT NULL,
    recipient_id TEXT NOT NULL,
    relayed_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, recipient_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS seen_together (
    peer TEXT NOT NULL,
    other TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (peer, other)
  ) WITHOUT ROWID;
  `,
  // 8: remembered peers: the addresses a peer was last reached at (or reached us from), so that a
  // restart dials it directly even where multicast never reaches it (another subnet), and the last
  // error of dialling it, for `lanchat doctor`. addresses is a JSON array, best first, bounded.
  `
  CREATE TABLE IF NOT EXISTS remembered_peers (
    id TEXT PRIMARY KEY,
    port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    addresses TEXT NOT NULL,
    last_connected INTEGER NOT NULL,
    last_error TEXT,
    last_error_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS remembered_by_age ON remembered_peers (last_connected);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Reads the schema version and refuses, without writing anything, a database this lanchat must not
 * touch: one from a newer version, or a SQLite file of another program.
 */
export function readSchemaVersion(db: Database.Database, path: string): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      'newer-schema',
      path,
      `${path} was written by a newer lanchat (schema ${version}, this one knows up to ${SCHEMA_VERSION}). ` +
        'It was NOT changed. Upgrade lanchat, or use another --profile.',
    );
  }
  if (version === 0) {
    const tables = db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number };
    if (tables.n > 0) {
      throw new StoreError(
        'corrupt',
        path,
        corruptMessage(path, 'it is a SQLite database of another program'),
      );
    }
  }
  return version;
}

/** Brings the schema to SCHEMA_VERSION. Call inside an IMMEDIATE transaction. */
export function migrate(db: Database.Database, path: string): void {
  const version = readSchemaVersion(db, path);
  for (let next = version; next < SCHEMA_VERSION; next++) {
    db.exec(MIGRATIONS[next]!);
  }
  if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
