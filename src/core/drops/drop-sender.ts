// Our own DMs to offline recipients: besides waiting in the outbox (delivered directly when we
// next meet the recipient), each is signed, sealed to the recipient and deposited with up to K
// online peers that hold drops. Holders are picked among those we have seen online together with
// the recipient most recently (our own observations, seen_together), then any other holder: a
// peer that is often on when the recipient is, is likely to meet it when it returns. A DM that
// is short of K holders is deposited with the next holders we meet, until it expires.
// A receipt signed by the recipient, brought by any holder, marks the DM delivered ("via relay").
import type { DropAnswer, DropReceipts } from '../../protocol/drop-messages.js';
import type { StoredMessage } from '../../store/store.js';
import type { PeerRef } from '../events.js';
import type { Peer } from '../peer-table.js';
import type { DropContext } from './drop-context.js';
import { sealLetter } from './drop-letter.js';
import { HOLD_CAPABILITY } from './drop-policy.js';
import { verifyReceipt } from './drop-receipt.js';
import { holdersFor } from './holders-for.js';

/** Queued DMs considered for deposit in one run, over all recipients (the oldest first), read
 * from the outbox in pages of DEPOSIT_PAGE. */
const MAX_DEPOSIT_SCAN = 5_000;
const DEPOSIT_PAGE = 200;
/** Recipients with queued DMs looked at when a holder comes online. */
const MAX_RECIPIENTS_SCAN = 100;

export class DropSender {
  /** Deposits on the wire, awaiting their answer (`${id} ${to} ${holder}`), with their expiry. */
  private readonly inFlight = new Map<string, number>();
  /** Recipients to look at in the next run: a batch of 1,000 sends makes one run, not 1,000. */
  private readonly wanted = new Set<string>();
  private running = false;

  constructor(private readonly c: DropContext) {}

  /** A DM was queued for an offline `recipient`: deposit it (and any other of its queued DMs). */
  recipientOffline(recipientId: string): void {
    this.want([recipientId]);
  }

  /** A peer came online: it may hold for our offline recipients that are short of holders. */
  holderOnline(peer: Peer): void {
    if (!peer.link?.remoteHello?.caps.includes(HOLD_CAPABILITY)) return;
    const recipients = this.c.store.drops
      .queuedDmRecipients(MAX_RECIPIENTS_SCAN)
      .filter((id) => id !== peer.id && !this.c.peers.get(id)?.link);
    this.want(recipients);
  }

  /** A peer went offline with DMs still queued for it (a link lost before their acks): deposit them. */
  recipientGone(peer: Peer): void {
    if (this.c.store.outbox.pendingFor(peer.id, 1).length === 0) return;
    this.want([peer.id]);
  }

  private want(recipientIds: readonly string[]): void {
    for (const id of recipientIds) this.wanted.add(id);
    this.kick();
  }

  private kick(): void {
    if (this.running || this.wanted.size === 0) return;
    this.running = true;
    this.deposit()
      .catch((error: unknown) => {
        // A store failure (disk full): the DMs stay queued here; the next run tries again.
        this.c.emit({
          type: 'error',
          code: 'store-failed',
          message: `could not deposit drops: ${error instanceof Error ? error.message : String(error)}`,
        });
      })
      .finally(() => {
        this.running = false;
        this.kick(); // recipients wanted while this run was loading libsodium
      });
  }

  private async deposit(): Promise<void> {
    // Asynchronous on purpose: a send inside a batch is committed before this reads the outbox.
    await Promise.resolve();
    const work = this.collect();
    if (work.length === 0) return; // nothing to seal: libsodium is not even loaded
    let sealed: Awaited<ReturnType<DropContext['sealedBox']>>;
    try {
      sealed = await this.c.sealedBox();
    } catch (error) {
      this.c.emit({
        type: 'warning',
        code: 'drops-unavailable',
        message: `cannot seal drops (libsodium did not load): ${error instanceof Error ? error.message : String(error)}`,
      });
      return;
    }
    // Holders per recipient, not per DM: a run of 5,000 DMs to one recipient asks the store once.
    const candidates = new Map<string, Peer[]>();
    for (const { message, recipientId } of work) {
      if (this.c.peers.get(recipientId)?.link) continue; // came online meanwhile: delivered directly
      let holders = candidates.get(recipientId);
      if (!holders) {
        holders = holdersFor(this.c, recipientId);
        candidates.set(recipientId, holders);
      }
      this.depositOne(message, recipientId, holders, sealed);
    }
  }

  /** The queued DMs of the wanted recipients that are offline and have holders to go to. */
  private collect(): { message: StoredMessage; recipientId: string }[] {
    const work: { message: StoredMessage; recipientId: string }[] = [];
    let budget = MAX_DEPOSIT_SCAN;
    while (this.wanted.size > 0 && budget > 0) {
      const recipientId = this.wanted.values().next().value as string;
      this.wanted.delete(recipientId);
      if (this.c.peers.get(recipientId)?.link) continue; // online now: the outbox delivers directly
      if (holdersFor(this.c, recipientId).length === 0) continue;
      for (let after = 0; budget > 0; ) {
        const page = this.c.store.outbox.pendingAfter(recipientId, after, Math.min(DEPOSIT_PAGE, budget));
        if (page.length === 0) break;
        budget -= page.length;
        after = page[page.length - 1]!.seq;
        for (const { message } of page) {
          // Drops are for DMs only; a DM that has all its holders needs nothing.
          if (message.conversation !== `@${recipientId}`) continue;
          if (this.c.store.drops.holders(message.id, recipientId).length >= this.c.policy.copies) continue;
          work.push({ message, recipientId });
        }
      }
    }
    // Over budget: the rest waits for the next meeting with a holder (or the next send).
    if (budget <= 0) this.wanted.clear();
    return work;
  }

  private depositOne(
    message: StoredMessage,
    recipientId: string,
    candidates: Peer[],
    sealed: Awaited<ReturnType<DropContext['sealedBox']>>,
  ): void {
    const { policy, clock, store } = this.c;
    const exp = message.ts + policy.holdMs;
    if (exp <= clock.now()) return;
    const holders = new Set(store.drops.holders(message.id, recipientId));
    const busy = (h: Peer) => this.inFlight.has(`${message.id} ${recipientId} ${h.id}`);
    let need = policy.copies - holders.size - candidates.filter(busy).length;
    if (need <= 0) return;
    let box: Uint8Array | null | undefined;
    for (const holder of candidates) {
      if (need <= 0) return;
      if (holders.has(holder.id) || busy(holder) || !holder.link?.hasRoom) continue;
      box ??= sealLetter(
        {
          id: message.id,
          from: this.c.selfId,
          to: recipientId,
          nick: message.senderNick,
          ts: message.ts,
          exp,
          kind: message.kind,
          text: message.text,
        },
        this.c.network,
        this.c.identity.secretKey,
        sealed,
      );
      if (!box) return;
      const sent = holder.link.send({
        t: 'drop_put',
        id: message.id,
        to: recipientId,
        exp,
        box: Buffer.from(box).toString('base64'),
      });
      if (!sent) continue;
      this.inFlight.set(`${message.id} ${recipientId} ${holder.id}`, exp);
      need--;
    }
  }

  answer(holder: Peer, answer: DropAnswer): void {
    const key = `${answer.id} ${answer.to} ${holder.id}`;
    const exp = this.inFlight.get(key);
    if (exp === undefined) return; // we did not ask this peer to hold that
    this.inFlight.delete(key);
    if (!answer.ok) return; // refused (quota, rate, not holding): another holder, another time
    if (!this.c.store.drops.recordDeposit(answer.id, answer.to, holder.id, exp)) return;
    const holders = this.c.store.drops.holders(answer.id, answer.to).length;
    this.c.emit({ type: 'deposited', id: answer.id, to: this.refOf(answer.to), holders });
  }

  /** How events name a recipient: as the peer table knows it, else by the start of its id. */
  private refOf(id: string): PeerRef {
    const peer = this.c.peers.get(id);
    return peer ? this.c.ref(peer) : this.c.author(id, id.slice(0, 8));
  }

  /** Receipts a holder brings. False when one is not for us or not signed by its recipient. */
  receipts(_holder: Peer, message: DropReceipts): boolean {
    const { store, selfId, network } = this.c;
    for (const rcpt of message.rcpts) {
      if (rcpt.from !== selfId || !verifyReceipt(rcpt, network)) return false;
    }
    // Per receipt: whether it delivered the DM now, and whether it marked it read now.
    const changes = store.transaction(() =>
      message.rcpts.map((rcpt) => {
        const message = store.messages.get(rcpt.id, selfId);
        if (message?.direction !== 'out' || message.conversation !== `@${rcpt.to}`)
          return { delivered: false, read: false };
        const delivered = store.outbox.markDelivered(rcpt.id, rcpt.to); // read implies delivered
        if (delivered) store.drops.markRelayed(rcpt.id, rcpt.to);
        return { delivered, read: rcpt.read === true && store.outbox.markRead(rcpt.id, rcpt.to) };
      }),
    );
    message.rcpts.forEach((rcpt, i) => {
      const ref = this.refOf(rcpt.to);
      if (changes[i]?.delivered) this.c.emit({ type: 'delivered', id: rcpt.id, to: ref, via: 'relay' });
      if (changes[i]?.read) this.c.emit({ type: 'read', id: rcpt.id, by: ref });
    });
    return true;
  }

  peerOffline(peer: Peer): void {
    for (const key of this.inFlight.keys()) if (key.endsWith(` ${peer.id}`)) this.inFlight.delete(key);
  }
}
