// Messages: persisted dedupe by (sender, id), conversation history pages, catch-up queries, search.
import type Database from 'better-sqlite3';
import { guard, invalidInput, type StoreContext } from './sqlite-errors.js';
import { type MessageRow, messageColumns, messageFromRow, rowParams } from './sqlite-message-row.js';
import type { SearchIndex } from './sqlite-search.js';
import { MAX_TEXT_BYTES, type MessageKey, type MessageStore, type StoredMessage } from './store.js';

/** Ids are chosen by peers; bound them so a hostile one cannot bloat the unique index. */
export const MAX_ID_LENGTH = 128;

const CONVERSATION = /^[#@][^\s]+$/u;

function validate(context: StoreContext, message: StoredMessage): void {
  const problem =
    message.id.length === 0 || message.id.length > MAX_ID_LENGTH
      ? `a message id must have 1 to ${MAX_ID_LENGTH} characters`
      : !CONVERSATION.test(message.conversation)
        ? `a conversation is "#room" or "@peerId", not ${JSON.stringify(message.conversation)}`
        : Buffer.byteLength(message.text, 'utf8') > MAX_TEXT_BYTES
          ? `message text is limited to ${MAX_TEXT_BYTES} bytes`
          : !Number.isSafeInteger(message.ts) || !Number.isSafeInteger(message.receivedAt)
            ? 'message timestamps must be integer milliseconds'
            : undefined;
  if (problem !== undefined) throw invalidInput(context, `cannot store message ${message.id}: ${problem}`);
}

export function createMessageStore(
  db: Database.Database,
  context: StoreContext,
  index: SearchIndex,
): MessageStore {
  const columns = messageColumns('m');
  const insert = db.prepare(
    `INSERT INTO messages (id, conversation, sender_id, sender_nick, text, kind, ts, received_at, direction, history, sig, sig_version, shown)
     VALUES (@id, @conversation, @sender_id, @sender_nick, @text, @kind, @ts, @received_at, @direction, @history, @sig, @sig_version, @shown)
     ON CONFLICT (id, sender_id) DO NOTHING`,
  );
  const enqueue = db.prepare(
    `INSERT INTO deliveries (message_id, recipient_id, status, queued_at) VALUES (?, ?, 'queued', ?)
     ON CONFLICT (message_id, recipient_id) DO NOTHING`,
  );
  const byId = db.prepare(`SELECT ${columns} FROM messages m WHERE m.id = ? ORDER BY m.seq LIMIT 1`);
  const byKey = db.prepare(`SELECT ${columns} FROM messages m WHERE m.id = ? AND m.sender_id = ?`);
  const newest = db.prepare(
    `SELECT ${columns} FROM messages m WHERE m.conversation = ? ORDER BY m.ts DESC, m.id DESC LIMIT ?`,
  );
  const newestBefore = db.prepare(
    `SELECT ${columns} FROM messages m WHERE m.conversation = ? AND (m.ts, m.id) < (?, ?)
     ORDER BY m.ts DESC, m.id DESC LIMIT ?`,
  );
  const since = db.prepare(
    `SELECT ${columns} FROM messages m WHERE m.conversation = ? AND m.ts >= ?
     ORDER BY m.ts DESC, m.id DESC LIMIT ?`,
  );
  const unshown = db.prepare(`SELECT ${columns} FROM messages m WHERE m.shown = 0 ORDER BY m.seq LIMIT ?`);
  const markShown = db.prepare('UPDATE messages SET shown = 1 WHERE id = ? AND sender_id = ? AND shown = 0');
  const markAllShown = db.transaction((keys: readonly MessageKey[]) => {
    for (const key of keys) markShown.run(key.id, key.senderId);
  });
  // Newest ts first along messages_by_conversation: min(ts, received_at) <= ts, so once a row's ts
  // is no larger than the best found, no later row can beat it. Usually the first row decides
  // (received after it was sent); only rows dated ahead of their arrival are walked past.
  const newestFirst = db.prepare(
    'SELECT ts, received_at FROM messages WHERE conversation = ? AND ts >= ? ORDER BY ts DESC',
  );
  const cursor = (conversation: string, sinceTs: number): number | undefined => {
    let best: number | undefined;
    const rows = newestFirst.iterate(conversation, sinceTs) as IterableIterator<{
      ts: number;
      received_at: number;
    }>;
    for (const row of rows) {
      if (best !== undefined && row.ts <= best) break;
      const candidate = Math.min(row.ts, row.received_at);
      best = best === undefined ? candidate : Math.max(best, candidate);
    }
    return best;
  };

  // A message is either stored, queued and searchable, or absent. On its own, one transaction
  // does all three. Inside a store transaction (a batch of sends, or the messages of one network
  // read) there is no savepoint per message: a savepoint copies every page it touches to the
  // statement journal (~5 µs per DM) and makes FTS5 flush a segment (see SearchIndex.defer).
  // Instead a failed message fails the whole batch (context.failBatch: it rolls back even if the
  // caller catches the error), and the search entry is written when the batch commits.
  const store = (message: StoredMessage, recipients: readonly string[]): number | bigint | undefined => {
    const result = insert.run(rowParams(message));
    if (result.changes === 0) return undefined;
    const now = context.now();
    for (const recipient of recipients) enqueue.run(message.id, recipient, now);
    return result.lastInsertRowid;
  };
  const storeAndIndex = db.transaction((message: StoredMessage, recipients: readonly string[]) => {
    const seq = store(message, recipients);
    if (seq !== undefined) index.add(seq, message.text);
    return seq !== undefined;
  });
  const save = (message: StoredMessage, recipients: readonly string[]): boolean => {
    if (!context.inBatch()) return storeAndIndex(message, recipients);
    let seq: number | bigint | undefined;
    try {
      seq = store(message, recipients);
    } catch (error) {
      context.failBatch(error);
      throw error;
    }
    if (seq !== undefined) index.defer(seq, message.text);
    return seq !== undefined;
  };

  const page = (rows: unknown[]): StoredMessage[] => (rows as MessageRow[]).map(messageFromRow).reverse();

  return {
    saveIncoming(message) {
      validate(context, message);
      return guard(context, 'save a message to', () => save(message, []));
    },
    saveOutgoing(message, recipientIds) {
      validate(context, message);
      return guard(context, 'save a message to', () => save(message, recipientIds));
    },
    unshown(limit) {
      return guard(context, 'read a message from', () =>
        (unshown.all(limit) as MessageRow[]).map(messageFromRow),
      );
    },
    markShown(keys) {
      guard(context, 'save a message to', () => markAllShown(keys));
    },
    get(id, senderId) {
      return guard(context, 'read a message from', () => {
        const row = (senderId === undefined ? byId.get(id) : byKey.get(id, senderId)) as
          | MessageRow
          | undefined;
        return row === undefined ? undefined : messageFromRow(row);
      });
    },
    history(conversation, { before, limit }) {
      return guard(context, 'read history from', () =>
        page(
          before === undefined
            ? newest.all(conversation, limit)
            : newestBefore.all(conversation, before.ts, before.id, limit),
        ),
      );
    },
    roomMessagesSince(room, sinceTs, limit) {
      return guard(context, 'read room messages from', () => page(since.all(room, sinceTs, limit)));
    },
    catchupCursor(conversation, sinceTs) {
      return guard(context, 'read from', () => cursor(conversation, sinceTs));
    },
    search(query, options) {
      return guard(context, 'search', () => index.search(query, options));
    },
  };
}
