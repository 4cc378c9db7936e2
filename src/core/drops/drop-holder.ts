// Holding drops for others. A deposit is checked (holding on, not for the depositor itself or for
// us, size, expiry, rate, then the quotas per depositor, per recipient and in total) and stored as
// the opaque box it is. When the recipient comes online its drops are handed over in bounded
// batches, one batch at a time: the next goes when the recipient has answered the last. The
// recipient's answer deletes them and brings signed receipts, kept for the depositor and handed
// to it when it comes online (or at once when it is online).
import type { PeerLink } from '../../connection/peer-link.js';
import {
  type DropDone,
  type DropPut,
  type DropRead,
  MAX_DROPS_PER_FRAME,
  MAX_RECEIPTS_PER_FRAME,
} from '../../protocol/drop-messages.js';
import type { HeldReceipt } from '../../store/store.js';
import type { Peer } from '../peer-table.js';
import { DepositRate } from './deposit-rate.js';
import type { DropContext } from './drop-context.js';
import { verifyReceipt } from './drop-receipt.js';

/** Bytes of boxes per `drops` frame (base64 adds a third; the frame cap is 1 MiB). */
const BATCH_BYTES = 256 * 1024;
/** Receipt frames sent to a depositor per meeting (the rest waits for the next one). */
const MAX_RECEIPT_FRAMES = 16;

interface Handover {
  link: PeerLink;
  /** Handles sent in the batch on the wire, not yet answered. */
  pending: Set<number>;
  afterSeq: number;
}

export class DropHolder {
  private readonly rate: DepositRate;
  private readonly handovers = new Map<string, Handover>();
  /** What we hold in total, counted once and kept up to date here: summing the whole table for
   * every deposit would let a flood of deposits cost a table scan each. Undefined: count again. */
  private total: { count: number; bytes: number } | undefined;

  constructor(private readonly c: DropContext) {
    this.rate = new DepositRate(c.clock, c.policy.depositRate);
  }

  /** A deposit from `peer`: answered with drop_ans either way. */
  put(peer: Peer, link: PeerLink, put: DropPut): void {
    if (this.c.policy.hold && this.c.store.drops.heldKey(peer.id, put.to, put.id) !== undefined) {
      // Sent again (its answer was lost with a link): held already, costs no quota or rate.
      link.send({ t: 'drop_ans', id: put.id, to: put.to, ok: true });
      return;
    }
    const box = new Uint8Array(Buffer.from(put.box, 'base64'));
    const code = this.refusal(peer, put, box.length);
    if (code) {
      link.send({ t: 'drop_ans', id: put.id, to: put.to, ok: false, code });
      return;
    }
    const now = this.c.clock.now();
    const held = this.c.store.drops.hold({
      depositor: peer.id,
      recipient: put.to,
      id: put.id,
      box,
      receivedAt: now,
      expiresAt: Math.min(put.exp, now + this.c.policy.holdMs),
    });
    if (held && this.total)
      this.total = { count: this.total.count + 1, bytes: this.total.bytes + box.length };
    link.send({ t: 'drop_ans', id: put.id, to: put.to, ok: true });
    const recipient = this.c.peers.get(put.to);
    if (recipient?.link) this.handOver(recipient, recipient.link);
  }

  private refusal(peer: Peer, put: DropPut, size: number): string | undefined {
    const { policy, store, clock, selfId } = this.c;
    if (!policy.hold) return 'not-holding';
    if (put.to === peer.id || put.to === selfId) return 'bad-recipient';
    if (put.exp <= clock.now()) return 'expired';
    if (!this.rate.take(peer.id)) return 'rate';
    const over = (usage: { count: number; bytes: number }, quota: { count: number; bytes: number }) =>
      usage.count + 1 > quota.count || usage.bytes + size > quota.bytes;
    if (over(store.drops.usage({ depositor: peer.id }), policy.perDepositor)) return 'quota-depositor';
    if (over(store.drops.usage({ recipient: put.to }), policy.perRecipient)) return 'quota-recipient';
    this.total ??= store.drops.usage('total');
    if (over(this.total, policy.total)) return 'quota-total';
    return undefined;
  }

  /** A peer came online: hand over what we hold for it, and the receipts we keep for it. */
  peerOnline(peer: Peer, link: PeerLink): void {
    this.handovers.delete(peer.id);
    this.handOver(peer, link);
    this.passReceipts(peer, link);
  }

  peerOffline(peer: Peer): void {
    this.handovers.delete(peer.id);
  }

  private handOver(peer: Peer, link: PeerLink): void {
    let handover = this.handovers.get(peer.id);
    if (handover && handover.link === link && handover.pending.size > 0) return; // one batch at a time
    if (!handover || handover.link !== link) {
      handover = { link, pending: new Set(), afterSeq: 0 };
      this.handovers.set(peer.id, handover);
    }
    const held = this.c.store.drops.heldFor(
      peer.id,
      handover.afterSeq,
      this.c.clock.now(),
      MAX_DROPS_PER_FRAME,
    );
    const batch: { n: number; box: string }[] = [];
    let bytes = 0;
    for (const drop of held) {
      if (batch.length > 0 && bytes + drop.box.length > BATCH_BYTES) break;
      bytes += drop.box.length;
      batch.push({ n: drop.seq, box: Buffer.from(drop.box).toString('base64') });
    }
    if (batch.length === 0) {
      this.handovers.delete(peer.id);
      return;
    }
    handover.afterSeq = batch[batch.length - 1]!.n;
    for (const item of batch) handover.pending.add(item.n);
    link.send({ t: 'drops', drops: batch });
  }

  /** The recipient's answer to a batch. False when it carries a forged receipt. */
  done(peer: Peer, link: PeerLink, done: DropDone): boolean {
    const { store, network } = this.c;
    const keep: { depositor: string; receipt: HeldReceipt }[] = [];
    for (const rcpt of done.rcpts) {
      // Only the recipient answers for its drops, and only with receipts it signed.
      if (rcpt.to !== peer.id || rcpt.read || !verifyReceipt(rcpt, network)) return false;
      if (store.drops.heldKey(rcpt.from, rcpt.to, rcpt.id) === undefined) continue; // not ours to carry
      keep.push({ depositor: rcpt.from, receipt: { recipient: rcpt.to, id: rcpt.id, sig: rcpt.sig } });
    }
    const expiresAt = this.c.clock.now() + this.c.policy.holdMs;
    store.transaction(() => {
      for (const k of keep) store.drops.keepReceipt(k.depositor, k.receipt, expiresAt);
      store.drops.release(peer.id, done.n);
    });
    this.total = undefined;
    for (const depositor of new Set(keep.map((k) => k.depositor))) {
      const online = this.c.peers.get(depositor);
      if (online?.link) this.passReceipts(online, online.link);
    }
    const handover = this.handovers.get(peer.id);
    if (handover && handover.link === link) {
      for (const n of done.n) handover.pending.delete(n);
      if (handover.pending.size === 0) this.handOver(peer, link);
    }
    return true;
  }

  /** Read receipts from `peer` for senders that are away: kept (within the receipt quotas) and
   * handed to each sender when it comes online. False when one is not `peer`'s own. */
  readReceipts(peer: Peer, message: DropRead): boolean {
    const { store, network, policy } = this.c;
    for (const rcpt of message.rcpts) {
      if (rcpt.to !== peer.id || !rcpt.read || !verifyReceipt(rcpt, network)) return false;
    }
    if (!policy.hold) return true;
    const expiresAt = this.c.clock.now() + policy.holdMs;
    let mine = store.drops.receiptCount({ recipient: peer.id });
    let total = store.drops.receiptCount('total');
    store.transaction(() => {
      for (const rcpt of message.rcpts) {
        // The same bounds as drops: a peer cannot fill our disk with receipts either.
        if (mine >= policy.perRecipient.count || total >= policy.total.count) return;
        store.drops.keepReceipt(
          rcpt.from,
          { recipient: rcpt.to, id: rcpt.id, sig: rcpt.sig, read: true },
          expiresAt,
        );
        mine++;
        total++;
      }
    });
    for (const sender of new Set(message.rcpts.map((r) => r.from))) {
      const online = this.c.peers.get(sender);
      if (online?.link) this.passReceipts(online, online.link);
    }
    return true;
  }

  private passReceipts(peer: Peer, link: PeerLink): void {
    const drops = this.c.store.drops;
    for (let frame = 0; frame < MAX_RECEIPT_FRAMES; frame++) {
      const receipts = drops.receiptsFor(peer.id, MAX_RECEIPTS_PER_FRAME);
      if (receipts.length === 0) return;
      const sent = link.send({
        t: 'drop_rcpt',
        rcpts: receipts.map((r) => ({
          id: r.id,
          from: peer.id,
          to: r.recipient,
          sig: r.sig,
          ...(r.read ? { read: true as const } : {}),
        })),
      });
      if (!sent) return;
      drops.forgetReceipts(peer.id, receipts);
    }
  }

  /** Deletes what expired (called at start and periodically). */
  sweep(): void {
    this.c.store.drops.expire(this.c.clock.now());
    this.total = undefined;
  }
}
