// The persistent outbox and delivery receipts: one deliveries row per (message, recipient). The row
// stays after delivery so "delivered"/"read" survive restarts; order is the AUTOINCREMENT seq,
// i.e. the order messages were queued, which a wrong or jumping wall clock cannot reorder.
import type Database from 'better-sqlite3';
import { guard, type StoreContext } from './sqlite-errors.js';
import { type MessageRow, messageColumns, messageFromRow } from './sqlite-message-row.js';
import type { DeliveryRecord, DeliveryStatus, OutboxStore } from './store.js';

interface DeliveryRow {
  message_id: string;
  recipient_id: string;
  status: DeliveryStatus;
  queued_at: number;
  delivered_at: number | null;
  read_at: number | null;
}

function recordFromRow(row: DeliveryRow): DeliveryRecord {
  const record: DeliveryRecord = {
    messageId: row.message_id,
    recipientId: row.recipient_id,
    status: row.status,
    queuedAt: row.queued_at,
  };
  if (row.delivered_at !== null) record.deliveredAt = row.delivered_at;
  if (row.read_at !== null) record.readAt = row.read_at;
  return record;
}

export function createOutboxStore(db: Database.Database, context: StoreContext): OutboxStore {
  const enqueue = db.prepare(
    `INSERT INTO deliveries (message_id, recipient_id, status, queued_at) VALUES (?, ?, 'queued', ?)
     ON CONFLICT (message_id, recipient_id) DO NOTHING`,
  );
  // Only our own messages are queued; a peer's message may share the id of one of ours.
  const outgoing = db.prepare("SELECT 1 FROM messages WHERE id = ? AND direction = 'out'").pluck();
  const pending = db.prepare(
    `SELECT ${messageColumns('m')} FROM deliveries d JOIN messages m ON m.id = d.message_id AND m.direction = 'out'
     WHERE d.recipient_id = ? AND d.status = 'queued' ORDER BY d.seq LIMIT ?`,
  );
  const pendingAfter = db.prepare(
    `SELECT d.seq AS queue_seq, ${messageColumns('m')} FROM deliveries d JOIN messages m ON m.id = d.message_id AND m.direction = 'out'
     WHERE d.recipient_id = ? AND d.status = 'queued' AND d.seq > ? ORDER BY d.seq LIMIT ?`,
  );
  const recipients = db.prepare(
    "SELECT recipient_id FROM deliveries WHERE status = 'queued' GROUP BY recipient_id ORDER BY min(seq)",
  );
  const delivered = db.prepare(
    `UPDATE deliveries SET status = 'delivered', delivered_at = ?
     WHERE message_id = ? AND recipient_id = ? AND status = 'queued'`,
  );
  // A read receipt may overtake the delivery ack; read implies delivered.
  const read = db.prepare(
    `UPDATE deliveries SET status = 'read', read_at = @at, delivered_at = coalesce(delivered_at, @at)
     WHERE message_id = @messageId AND recipient_id = @recipientId AND status <> 'read'`,
  );
  const state = db.prepare(
    `SELECT message_id, recipient_id, status, queued_at, delivered_at, read_at FROM deliveries
     WHERE message_id = ? ORDER BY seq`,
  );

  return {
    enqueue(messageId, recipientId) {
      return guard(context, 'queue a message in', () => {
        if (outgoing.get(messageId) === undefined) {
          throw new RangeError(`cannot queue message ${messageId}: it is not stored (save it first)`);
        }
        return enqueue.run(messageId, recipientId, context.now()).changes > 0;
      });
    },
    pendingFor(recipientId, limit = -1) {
      return guard(context, 'read the outbox in', () =>
        (pending.all(recipientId, limit) as MessageRow[]).map(messageFromRow),
      );
    },
    pendingAfter(recipientId, afterSeq, limit) {
      return guard(context, 'read the outbox in', () =>
        (pendingAfter.all(recipientId, afterSeq, limit) as (MessageRow & { queue_seq: number })[]).map(
          (row) => ({
            seq: row.queue_seq,
            message: messageFromRow(row),
          }),
        ),
      );
    },
    pendingRecipients() {
      return guard(context, 'read the outbox in', () =>
        (recipients.all() as { recipient_id: string }[]).map((row) => row.recipient_id),
      );
    },
    markDelivered(messageId, recipientId) {
      return guard(
        context,
        'record a delivery in',
        () => delivered.run(context.now(), messageId, recipientId).changes > 0,
      );
    },
    markRead(messageId, recipientId) {
      return guard(
        context,
        'record a read receipt in',
        () => read.run({ at: context.now(), messageId, recipientId }).changes > 0,
      );
    },
    deliveryState(messageId) {
      return guard(context, 'read delivery state from', () =>
        (state.all(messageId) as DeliveryRow[]).map(recordFromRow),
      );
    },
  };
}
