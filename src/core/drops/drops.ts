// Sealed drops (issue 18): a DM reaches its recipient even when sender and recipient are never
// online together. Three roles, one per file: the sender deposits (drop-sender.ts), every node
// holds for others (drop-holder.ts), the recipient opens and acknowledges (drop-recipient.ts).
// This file routes the drop messages of a link to them and follows peers coming and going.
import type { PeerLink } from '../../connection/peer-link.js';
import type { DropMessage } from '../../protocol/drop-messages.js';
import type { TimerHandle } from '../clock.js';
import type { Peer } from '../peer-table.js';
import type { DropContext } from './drop-context.js';
import { DropHolder } from './drop-holder.js';
import { DropRecipient } from './drop-recipient.js';
import { DropSender } from './drop-sender.js';

/** Expired drops are deleted this often (and at start). */
const SWEEP_MS = 60 * 60_000;

export class Drops {
  private readonly sender: DropSender;
  private readonly holder: DropHolder;
  private readonly recipient: DropRecipient;
  private sweepTimer: TimerHandle | undefined;

  constructor(private readonly c: DropContext) {
    this.sender = new DropSender(c);
    this.holder = new DropHolder(c);
    this.recipient = new DropRecipient(c);
  }

  start(): void {
    const sweep = () => this.safely('delete expired drops', () => this.holder.sweep());
    sweep();
    this.sweepTimer = this.c.clock.setInterval(sweep, SWEEP_MS);
    this.sweepTimer.unref?.();
  }

  stop(): void {
    if (this.sweepTimer) this.c.clock.clearInterval(this.sweepTimer);
  }

  /** A DM was queued for a recipient that is not online. */
  queuedOffline(recipientId: string): void {
    this.sender.recipientOffline(recipientId);
  }

  /** The user read DMs from a sender that is not online: the read receipts go through holders. */
  readWhileAway(senderId: string, ids: readonly string[]): void {
    this.safely('pass on read receipts', () => this.recipient.readWhileAway(senderId, ids));
  }

  peerOnline(peer: Peer, link: PeerLink): void {
    this.safely('hand over drops', () => {
      this.holder.peerOnline(peer, link);
      this.sender.holderOnline(peer);
    });
  }

  /** `peer` went offline: those still online were online with it until now (holder choice). */
  peerOffline(peer: Peer): void {
    this.holder.peerOffline(peer);
    this.sender.peerOffline(peer);
    this.safely('deposit what is still queued for it', () => this.sender.recipientGone(peer));
    this.safely('record who was online', () =>
      this.c.store.drops.sawTogether(
        peer.id,
        this.c.peers.online().map((p) => p.id),
      ),
    );
  }

  /** Drops are best effort next to the outbox: a store failure (disk full) is reported and the
   * DM stays queued; it never takes the node or the link down. */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.c.emit({
        type: 'error',
        code: 'store-failed',
        message: `could not ${what}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  /** Routes one drop message; a forged receipt closes the link. */
  handle(peer: Peer, link: PeerLink, message: DropMessage): void {
    this.safely(`handle ${message.t} from a peer`, () => this.dispatch(peer, link, message));
  }

  private dispatch(peer: Peer, link: PeerLink, message: DropMessage): void {
    switch (message.t) {
      case 'drop_put':
        this.holder.put(peer, link, message);
        return;
      case 'drop_ans':
        this.sender.answer(peer, message);
        return;
      case 'drops':
        this.recipient.receive(peer, link, message);
        return;
      case 'drop_done':
        if (!this.holder.done(peer, link, message))
          this.c.hostile(peer, link, 'a drop receipt it did not sign');
        return;
      case 'drop_rcpt':
        if (!this.sender.receipts(peer, message)) this.c.hostile(peer, link, 'a forged drop receipt');
        return;
      case 'drop_read':
        if (!this.holder.readReceipts(peer, message))
          this.c.hostile(peer, link, 'a read receipt it did not sign');
        return;
    }
  }
}
