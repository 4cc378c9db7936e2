// Full-text search over messages through the contentless messages_fts table (see search-terms.ts
// for why the indexed column is derived rather than the raw text).
import type Database from 'better-sqlite3';
import { indexTerms, matchExpression } from './search-terms.js';
import { type MessageRow, messageColumns, messageFromRow } from './sqlite-message-row.js';
import type { SearchOptions, StoredMessage } from './store.js';

export interface SearchIndex {
  /** Indexes a message stored at messages.seq = seq. Call inside the insert's transaction. */
  add(seq: number | bigint, text: string): void;
  /**
   * Queues the entry until the enclosing store transaction ends: flushDeferred() indexes it in
   * that same transaction, dropDeferred() forgets it when the transaction rolls back.
   * Why: FTS5 writes its whole pending-terms buffer out as a new segment at every SAVEPOINT, so
   * indexing each message of a batch inside its own savepoint cost ~14 µs per message (25 instead
   * of 11 µs for a stored DM) and left one tiny segment per message for the merger.
   */
  defer(seq: number | bigint, text: string): void;
  flushDeferred(): void;
  deferredCount(): number;
  /** Forgets the deferred entries from position `from` on (all of them by default). */
  dropDeferred(from?: number): void;
  search(query: string, options: SearchOptions): StoredMessage[];
}

export function createSearchIndex(db: Database.Database): SearchIndex {
  const insert = db.prepare('INSERT INTO messages_fts (rowid, terms) VALUES (?, ?)');
  const columns = messageColumns('m');
  // FTS finds the matching rowids; the join orders them by the sender's clock. Only the keys go
  // through the sort (the inner query), full rows are read for the `limit` winners alone: a word
  // found in half of 100k messages would otherwise drag 50k texts through the sorter.
  const ranked = (filter: string): string =>
    `SELECT ${columns} FROM messages m WHERE m.seq IN (
       SELECT k.seq FROM messages_fts JOIN messages k ON k.seq = messages_fts.rowid
       WHERE messages_fts MATCH @match ${filter} ORDER BY k.ts DESC, k.id DESC LIMIT @limit
     ) ORDER BY m.ts DESC, m.id DESC`;
  const everywhere = db.prepare(ranked(''));
  const inConversation = db.prepare(ranked('AND k.conversation = @conversation'));
  let deferred: [number | bigint, string][] = [];
  return {
    add(seq, text) {
      insert.run(seq, indexTerms(text));
    },
    defer(seq, text) {
      deferred.push([seq, text]);
    },
    flushDeferred() {
      const entries = deferred;
      deferred = [];
      for (const [seq, text] of entries) insert.run(seq, indexTerms(text));
    },
    deferredCount() {
      return deferred.length;
    },
    dropDeferred(from = 0) {
      deferred = deferred.slice(0, from);
    },
    search(query, options) {
      const expression = matchExpression(query);
      if (expression === undefined || options.limit <= 0) return [];
      const rows = (
        options.conversation === undefined
          ? everywhere.all({ match: expression, limit: options.limit })
          : inConversation.all({
              match: expression,
              conversation: options.conversation,
              limit: options.limit,
            })
      ) as MessageRow[];
      return rows.map(messageFromRow);
    },
  };
}
