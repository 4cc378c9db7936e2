// How much of the database is in use, and pruning room history to stay under a quota
// (--max-history-size). What goes first is what someone else still holds: room messages, oldest
// stored first, which every member of the room keeps too (catch-up can fetch the recent ones
// again). Never removed: DMs (they exist on two machines at most), our own messages that are
// still queued for a member, and received messages not yet shown to the user.
import type Database from 'better-sqlite3';
import { guard, type StoreContext } from './sqlite-errors.js';
import type { DiskUsage } from './store.js';

export function createDiskUsage(db: Database.Database, context: StoreContext): DiskUsage {
  const pageSize = db.prepare('PRAGMA page_size').pluck();
  const pageCount = db.prepare('PRAGMA page_count').pluck();
  const freePages = db.prepare('PRAGMA freelist_count').pluck();
  // In seq order (the order they were stored), which the primary key gives for free: ordering by
  // ts across every room would sort the whole table on each batch.
  const oldest = db.prepare(
    `SELECT m.seq, m.id, m.direction FROM messages m
     WHERE substr(m.conversation, 1, 1) = '#' AND m.shown = 1
       AND NOT (m.direction = 'out' AND EXISTS (
         SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.status = 'queued'))
     ORDER BY m.seq LIMIT ?`,
  );
  const deleteMessage = db.prepare('DELETE FROM messages WHERE seq = ?');
  const deleteTerms = db.prepare('DELETE FROM messages_fts WHERE rowid = ?');
  const deleteDeliveries = db.prepare('DELETE FROM deliveries WHERE message_id = ?');
  const prune = db.transaction((limit: number): number => {
    const rows = oldest.all(limit) as { seq: number; id: string; direction: 'in' | 'out' }[];
    for (const row of rows) {
      deleteMessage.run(row.seq);
      deleteTerms.run(row.seq);
      // Only our own messages have deliveries; an incoming id may equal one of ours by chance.
      if (row.direction === 'out') deleteDeliveries.run(row.id);
    }
    return rows.length;
  });
  return {
    usedBytes() {
      return guard(context, 'measure', () => {
        const used = (pageCount.get() as number) - (freePages.get() as number);
        return used * (pageSize.get() as number);
      });
    },
    pruneRoomHistory(limit) {
      return guard(context, 'prune old room messages in', () => prune(limit));
    },
  };
}
