// Drops a holder hands us. Each box is opened with our key and its letter checked: addressed to
// us, signed by the sender it names, not expired, not dated far ahead, sender not blocked and
// admitted by the same TOFU and name rules as a relayed room message. A good letter is stored as
// the DM it is, under the sender's id, so the persisted de-dup by (id, sender) shows it exactly
// once, whichever holder, or the sender itself, brings it first. Every handle is answered (so an
// honest holder deletes junk too); only good letters get a signed receipt.
import type { PeerLink } from '../../connection/peer-link.js';
import { type DropBatch, type DropReceipt, MAX_RECEIPTS_PER_FRAME } from '../../protocol/drop-messages.js';
import type { StoredMessage } from '../../store/store.js';
import { tooFarAhead } from '../message-clock.js';
import type { Peer } from '../peer-table.js';
import type { DropContext } from './drop-context.js';
import { openLetter } from './drop-letter.js';
import { signReceipt } from './drop-receipt.js';
import { holdersFor } from './holders-for.js';

export class DropRecipient {
  /** Batches are opened in arrival order, one after the other (opening is asynchronous at first). */
  private queue: Promise<void> = Promise.resolve();
  /** Read receipts waiting for the end of this turn, by sender. */
  private readonly reads = new Map<string, string[]>();
  private readsScheduled = false;

  constructor(private readonly c: DropContext) {}

  receive(holder: Peer, link: PeerLink, batch: DropBatch): void {
    this.queue = this.queue
      .then(() => this.open(holder, link, batch))
      .catch((error: unknown) => {
        this.c.emit({
          type: 'error',
          code: 'store-failed',
          message: `could not store drops (the holder keeps them): ${error instanceof Error ? error.message : String(error)}`,
        });
      });
  }

  /** The user read DMs from `senderId`, who is not online: signed read receipts go to up to K
   * online holders, who hand them to the sender when it returns. Reads of one turn of the event
   * loop (headless mode marks each printed DM read on its own) go out together. */
  readWhileAway(senderId: string, ids: readonly string[]): void {
    const pending = this.reads.get(senderId) ?? [];
    pending.push(...ids);
    this.reads.set(senderId, pending);
    if (this.readsScheduled) return;
    this.readsScheduled = true;
    queueMicrotask(() => this.flushReads());
  }

  private flushReads(): void {
    this.readsScheduled = false;
    const reads = [...this.reads];
    this.reads.clear();
    for (const [senderId, ids] of reads) {
      const holders = holdersFor(this.c, senderId).slice(0, this.c.policy.copies);
      if (holders.length === 0) continue;
      for (let at = 0; at < ids.length; at += MAX_RECEIPTS_PER_FRAME) {
        const rcpts = ids
          .slice(at, at + MAX_RECEIPTS_PER_FRAME)
          .map((id) =>
            signReceipt(
              { id, from: senderId, to: this.c.selfId, read: true },
              this.c.network,
              this.c.identity.secretKey,
            ),
          );
        for (const holder of holders) holder.link?.send({ t: 'drop_read', rcpts });
      }
    }
  }

  private async open(holder: Peer, link: PeerLink, batch: DropBatch): Promise<void> {
    const sealed = await this.c.sealedBox();
    const { store, clock, selfId, network, identity } = this.c;
    const now = clock.now();
    const good: StoredMessage[] = [];
    const receipts: DropReceipt[] = [];
    let forged = 0;
    for (const drop of batch.drops) {
      const opened = openLetter(
        new Uint8Array(Buffer.from(drop.box, 'base64')),
        identity,
        selfId,
        network,
        sealed,
      );
      if (!opened.ok) {
        forged++;
        continue;
      }
      const letter = opened.letter;
      if (letter.exp <= now || tooFarAhead(letter.ts, now)) continue;
      if (letter.from === selfId || !this.c.admitAuthor(letter.from, letter.nick).ok) continue;
      good.push({
        id: letter.id,
        conversation: `@${letter.from}`,
        senderId: letter.from,
        senderNick: letter.nick,
        text: letter.text,
        kind: letter.kind,
        ts: letter.ts,
        receivedAt: now,
        direction: 'in',
        history: false,
      });
      receipts.push(
        signReceipt({ id: letter.id, from: letter.from, to: selfId }, network, identity.secretKey),
      );
    }
    // Stored before answering: an answered drop is deleted at the holder.
    const fresh = store.transaction(() => good.map((m) => store.messages.saveIncoming(m)));
    this.c.show(good.filter((_, i) => fresh[i]));
    if (!link.isClosed) link.send({ t: 'drop_done', n: batch.drops.map((d) => d.n), rcpts: receipts });
    if (forged > 0) {
      this.c.emit({
        type: 'warning',
        code: 'drop-forged',
        message: `${this.c.ref(holder).display} handed over ${forged} drop(s) that were altered, forged or not for us; ignored`,
        peer: this.c.ref(holder),
      });
    }
  }
}
