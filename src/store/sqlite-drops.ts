// Sealed drops in SQLite (core/drops): what we hold for others (ciphertext, with the quota
// figures counted from the same rows), the receipts we carry back, the record of our own DMs
// deposited with holders, and who was online with whom.
import type Database from 'better-sqlite3';
import { guard, type StoreContext } from './sqlite-errors.js';
import type { DropStore, DropUsage, HeldDropRecord, HeldReceipt, OutboxEntry } from './store.js';

interface HeldRow {
  seq: number;
  depositor: string;
  recipient: string;
  id: string;
  box: Buffer;
  received_at: number;
  expires_at: number;
}

interface OutboxRow {
  message_id: string;
  recipient_id: string;
  text: string;
  ts: number;
  status: OutboxEntry['status'];
  delivered_at: number | null;
  relayed_at: number | null;
  holders: number;
  drop_expires_at: number | null;
}

/** Seen-together rows written per event: bounded, whatever the size of the floor. */
const MAX_TOGETHER = 64;
/** seen_together rows older than this are forgotten: a holder is chosen for having been online
 * with the recipient lately, and a drop is held 14 days at most (drop-policy.ts). */
export const SEEN_TOGETHER_KEEP_MS = 14 * 24 * 60 * 60_000;
/** At most this many rows in all, the oldest out first: every identity that goes offline records
 * up to MAX_TOGETHER pairs, so a flood of identities (a Sybil host) must not grow it without end. */
export const MAX_SEEN_TOGETHER_ROWS = 50_000;

export function createDropStore(db: Database.Database, context: StoreContext): DropStore {
  const hold = db.prepare(
    `INSERT INTO held_drops (depositor, recipient, id, size, received_at, expires_at, box)
     VALUES (@depositor, @recipient, @id, @size, @receivedAt, @expiresAt, @box)
     ON CONFLICT (depositor, recipient, id) DO NOTHING`,
  );
  const usageByDepositor = db.prepare(
    'SELECT count(*) AS count, coalesce(sum(size), 0) AS bytes FROM held_drops WHERE depositor = ?',
  );
  const usageByRecipient = db.prepare(
    'SELECT count(*) AS count, coalesce(sum(size), 0) AS bytes FROM held_drops WHERE recipient = ?',
  );
  const usageTotal = db.prepare('SELECT count(*) AS count, coalesce(sum(size), 0) AS bytes FROM held_drops');
  const heldFor = db.prepare(
    `SELECT seq, depositor, recipient, id, box, received_at, expires_at FROM held_drops
     WHERE recipient = ? AND seq > ? AND expires_at > ? ORDER BY seq LIMIT ?`,
  );
  const heldKey = db
    .prepare('SELECT seq FROM held_drops WHERE depositor = ? AND recipient = ? AND id = ?')
    .pluck();
  const release = db.prepare('DELETE FROM held_drops WHERE recipient = ? AND seq = ?');
  const expireDrops = db.prepare('DELETE FROM held_drops WHERE expires_at <= ?');
  const expireReceipts = db.prepare('DELETE FROM held_receipts WHERE expires_at <= ?');
  const keepReceipt = db.prepare(
    `INSERT INTO held_receipts (depositor, recipient, id, kind, sig, expires_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (depositor, recipient, id, kind) DO NOTHING`,
  );
  const receiptsFor = db.prepare(
    'SELECT recipient, id, kind, sig FROM held_receipts WHERE depositor = ? LIMIT ?',
  );
  const forgetReceipt = db.prepare(
    'DELETE FROM held_receipts WHERE depositor = ? AND recipient = ? AND id = ? AND kind = ?',
  );
  const receiptsOfRecipient = db.prepare('SELECT count(*) FROM held_receipts WHERE recipient = ?').pluck();
  const receiptsTotal = db.prepare('SELECT count(*) FROM held_receipts').pluck();
  const recordDeposit = db.prepare(
    `INSERT INTO drop_deposits (message_id, recipient_id, holder_id, deposited_at, expires_at)
     VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const holders = db
    .prepare('SELECT holder_id FROM drop_deposits WHERE message_id = ? AND recipient_id = ?')
    .pluck();
  const markRelayed = db.prepare(
    'INSERT INTO drop_relayed (message_id, recipient_id, relayed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  // Our DMs (conversation '@…', direction 'out') that are still queued or were ever deposited.
  const outbox = db.prepare(
    `SELECT d.message_id, d.recipient_id, m.text, m.ts, d.status, d.delivered_at, r.relayed_at,
       (SELECT count(*) FROM drop_deposits p WHERE p.message_id = d.message_id AND p.recipient_id = d.recipient_id) AS holders,
       (SELECT max(expires_at) FROM drop_deposits p WHERE p.message_id = d.message_id AND p.recipient_id = d.recipient_id) AS drop_expires_at
     FROM deliveries d
     JOIN messages m ON m.id = d.message_id AND m.direction = 'out' AND m.conversation = '@' || d.recipient_id
     LEFT JOIN drop_relayed r ON r.message_id = d.message_id AND r.recipient_id = d.recipient_id
     WHERE d.status = 'queued'
        OR EXISTS (SELECT 1 FROM drop_deposits p WHERE p.message_id = d.message_id AND p.recipient_id = d.recipient_id)
     ORDER BY d.seq DESC LIMIT ?`,
  );
  const queuedDmRecipients = db
    .prepare(
      `SELECT DISTINCT d.recipient_id FROM deliveries d
       JOIN messages m ON m.id = d.message_id AND m.direction = 'out' AND m.conversation = '@' || d.recipient_id
       WHERE d.status = 'queued' LIMIT ?`,
    )
    .pluck();
  const together = db.prepare(
    `INSERT INTO seen_together (peer, other, at) VALUES (?, ?, ?)
     ON CONFLICT (peer, other) DO UPDATE SET at = excluded.at`,
  );
  const seenWith = db
    .prepare('SELECT other FROM seen_together WHERE peer = ? ORDER BY at DESC LIMIT ?')
    .pluck();
  const forgetSeenBefore = db.prepare('DELETE FROM seen_together WHERE at < ?');
  const seenRows = db.prepare('SELECT count(*) FROM seen_together').pluck();
  const forgetOldestSeen = db.prepare(
    `DELETE FROM seen_together WHERE (peer, other) IN (SELECT peer, other FROM seen_together ORDER BY at LIMIT ?)`,
  );

  return {
    hold(drop) {
      return guard(
        context,
        'hold a drop in',
        () =>
          hold.run({
            depositor: drop.depositor,
            recipient: drop.recipient,
            id: drop.id,
            size: drop.box.length,
            receivedAt: drop.receivedAt,
            expiresAt: drop.expiresAt,
            box: Buffer.from(drop.box),
          }).changes > 0,
      );
    },
    usage(of) {
      return guard(context, 'count held drops in', () => {
        if (of === 'total') return usageTotal.get() as DropUsage;
        if ('depositor' in of) return usageByDepositor.get(of.depositor) as DropUsage;
        return usageByRecipient.get(of.recipient) as DropUsage;
      });
    },
    heldFor(recipient, afterSeq, now, limit) {
      return guard(context, 'read held drops from', () =>
        (heldFor.all(recipient, afterSeq, now, limit) as HeldRow[]).map(
          (row): HeldDropRecord => ({
            seq: row.seq,
            depositor: row.depositor,
            recipient: row.recipient,
            id: row.id,
            box: new Uint8Array(row.box),
            receivedAt: row.received_at,
            expiresAt: row.expires_at,
          }),
        ),
      );
    },
    heldKey(depositor, recipient, id) {
      return guard(
        context,
        'read held drops from',
        () => heldKey.get(depositor, recipient, id) as number | undefined,
      );
    },
    release(recipient, seqs) {
      return guard(context, 'delete held drops in', () =>
        db.transaction(() => seqs.reduce((n, seq) => n + release.run(recipient, seq).changes, 0))(),
      );
    },
    expire(now) {
      return guard(context, 'expire held drops in', () =>
        db.transaction(() => {
          expireReceipts.run(now);
          forgetSeenBefore.run(context.now() - SEEN_TOGETHER_KEEP_MS);
          const over = (seenRows.get() as number) - MAX_SEEN_TOGETHER_ROWS;
          if (over > 0) forgetOldestSeen.run(over);
          return expireDrops.run(now).changes;
        })(),
      );
    },
    keepReceipt(depositor, receipt: HeldReceipt, expiresAt) {
      guard(context, 'keep a receipt in', () =>
        keepReceipt.run(
          depositor,
          receipt.recipient,
          receipt.id,
          receipt.read ? 'read' : 'delivered',
          receipt.sig,
          expiresAt,
        ),
      );
    },
    receiptsFor(depositor, limit) {
      return guard(context, 'read receipts from', () =>
        (receiptsFor.all(depositor, limit) as (HeldReceipt & { kind: string })[]).map(
          ({ kind, ...r }): HeldReceipt => (kind === 'read' ? { ...r, read: true } : r),
        ),
      );
    },
    receiptCount(of) {
      return guard(context, 'count receipts in', () =>
        of === 'total' ? (receiptsTotal.get() as number) : (receiptsOfRecipient.get(of.recipient) as number),
      );
    },
    forgetReceipts(depositor, receipts) {
      guard(context, 'delete receipts in', () =>
        db.transaction(() => {
          for (const r of receipts)
            forgetReceipt.run(depositor, r.recipient, r.id, r.read ? 'read' : 'delivered');
        })(),
      );
    },
    recordDeposit(messageId, recipientId, holderId, expiresAt) {
      return guard(
        context,
        'record a deposit in',
        () => recordDeposit.run(messageId, recipientId, holderId, context.now(), expiresAt).changes > 0,
      );
    },
    holders(messageId, recipientId) {
      return guard(context, 'read deposits from', () => holders.all(messageId, recipientId) as string[]);
    },
    markRelayed(messageId, recipientId) {
      return guard(
        context,
        'record a relayed receipt in',
        () => markRelayed.run(messageId, recipientId, context.now()).changes > 0,
      );
    },
    outbox(limit) {
      return guard(context, 'read the outbox in', () =>
        (outbox.all(limit) as OutboxRow[]).map((row) => {
          const entry: OutboxEntry = {
            messageId: row.message_id,
            recipientId: row.recipient_id,
            text: row.text,
            ts: row.ts,
            status: row.status,
            holders: row.holders,
          };
          if (row.delivered_at !== null) entry.deliveredAt = row.delivered_at;
          if (row.relayed_at !== null) entry.relayedAt = row.relayed_at;
          if (row.drop_expires_at !== null) entry.dropExpiresAt = row.drop_expires_at;
          return entry;
        }),
      );
    },
    queuedDmRecipients(limit) {
      return guard(context, 'read the outbox in', () => queuedDmRecipients.all(limit) as string[]);
    },
    sawTogether(peer, others) {
      guard(context, 'record who was online in', () =>
        db.transaction(() => {
          const at = context.now();
          for (const other of others.slice(0, MAX_TOGETHER)) {
            if (other === peer) continue;
            together.run(peer, other, at);
            together.run(other, peer, at);
          }
        })(),
      );
    },
    seenWith(peer, limit) {
      return guard(context, 'read who was online from', () => seenWith.all(peer, limit) as string[]);
    },
  };
}
