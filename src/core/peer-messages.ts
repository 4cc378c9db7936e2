// What a connected peer's messages do to us: the dispatch of every WireMessage that arrives on an
// authenticated chat link (rooms, nick and presence changes, typing, DMs and acks, catch-up, file
// control). Everything here is input from the network: a message we cannot accept is ignored or,
// when only a broken or hostile node would send it, closes that one link with a warning.
import type { PeerLink } from '../connection/peer-link.js';
import type { PeerExchange, WireMessage } from '../protocol/messages.js';
import { normaliseRoom } from '../protocol/names.js';
import type { Store } from '../store/store.js';
import type { CatchUp } from './catch-up.js';
import type { Clock } from './clock.js';
import type { Drops } from './drops/drops.js';
import type { NodeEvent } from './events.js';
import type { TransferService } from './files/transfer-service.js';
import type { Messenger } from './messenger.js';
import type { Peer, PeerTable } from './peer-table.js';
import type { PeerViews } from './peer-views.js';
import type { RoomOffers } from './room-offers.js';
import type { TrustBook } from './trust.js';

/** A peer's typing indicator ends by itself after this long without an update. */
export const TYPING_EXPIRY_MS = 6_000;

export interface PeerMessagesOptions {
  store: Store;
  clock: Clock;
  peers: PeerTable;
  trust: TrustBook;
  views: PeerViews;
  messenger: Messenger;
  catchUp: CatchUp;
  roomOffers: RoomOffers;
  transfers: TransferService | undefined;
  drops: Drops;
  typingExpiryMs?: number;
  emit: (event: NodeEvent) => void;
  /** A peer exchange list (core/peer-exchange.ts); ignored when peer exchange is off. */
  peerList?: (peer: Peer, link: PeerLink, message: PeerExchange) => void;
  /** The peer took our link (VERDICT_CAPABILITY, link-keeper.ts). */
  admitted?: (peer: Peer, link: PeerLink) => void;
}

export class PeerMessages {
  constructor(private readonly o: PeerMessagesOptions) {}

  handle(peer: Peer, link: PeerLink, message: WireMessage): void {
    const { store, views, emit } = this.o;
    switch (message.t) {
      case 'peers':
        this.o.peerList?.(peer, link, message);
        return;
      case 'admitted':
        this.o.admitted?.(peer, link);
        return;
      case 'close':
        if (message.reason === 'replaced') link.replacedByPeer = true;
        else if (message.reason === 'refused') link.refusedByPeer = true;
        else link.quitByPeer = true;
        return;
      case 'join': {
        const room = message.room; // normalised by decodeMessage
        if (peer.rooms.has(room)) return;
        if (!this.inRoom(room)) {
          // Not ours: remembered (bounded) for when the user joins it, at most offered, never joined.
          if (this.o.roomOffers.mayRemember(peer.rooms.size)) peer.rooms.add(room);
          if (this.o.roomOffers.offer(peer.id, room))
            emit({ type: 'room_offer', room, peer: views.ref(peer) });
          return;
        }
        peer.rooms.add(room);
        store.rooms.addMember(room, peer.id);
        emit({ type: 'member_joined', room, peer: views.ref(peer) });
        this.o.catchUp.ask(peer, link, room);
        return;
      }
      case 'part': {
        const room = message.room;
        if (!peer.rooms.delete(room) || !this.inRoom(room)) return;
        store.rooms.removeMember(room, peer.id);
        emit({ type: 'member_parted', room, peer: views.ref(peer) });
        return;
      }
      case 'nick': {
        const previous = peer.nick;
        if (previous === message.nick) return;
        const others = this.o.trust.rename(peer.id, message.nick);
        peer.nick = message.nick;
        emit({ type: 'nick', peer: views.ref(peer), previous });
        if (others.length > 0) this.warnCollision(peer);
        return;
      }
      case 'presence':
        if (peer.presence === message.presence && peer.status === message.status) return;
        peer.presence = message.presence;
        peer.status = message.status;
        emit({ type: 'presence', peer: views.ref(peer), presence: message.presence, status: message.status });
        return;
      case 'typing':
        this.typing(peer, message.active);
        return;
      case 'read':
        this.o.messenger.readBy(peer, message.ids);
        return;
      case 'msg':
        this.stopTyping(peer);
        if (!this.o.messenger.receive(peer, link, message))
          this.hostile(peer, link, 'a room message with a bad signature');
        return;
      case 'ack':
        this.o.messenger.acked(peer, message.id);
        return;
      case 'catchup_req':
        this.o.catchUp.serve(peer, link, message);
        return;
      case 'catchup':
        if (!this.o.catchUp.receive(peer, message.room, message.messages, message.done)) {
          this.hostile(peer, link, 'catch-up with a forged message or more than was asked for');
        }
        return;
      case 'file_offer':
      case 'file_accept':
      case 'file_reject':
      case 'file_cancel':
      case 'file_result':
        this.o.transfers?.onMessage(peer.id, peer.nick, message);
        return;
      case 'drop_put':
      case 'drop_ans':
      case 'drops':
      case 'drop_done':
      case 'drop_rcpt':
      case 'drop_read':
        this.o.drops.handle(peer, link, message);
        return;
      default:
        return;
    }
  }

  /** Several identities claim the nick `peer` now uses: tell the user, naming them all. */
  warnCollision(peer: Peer): void {
    const { views } = this.o;
    const claimants = this.o.peers.match(peer.nick).map((p) => views.ref(p).display);
    this.o.emit({
      type: 'warning',
      code: 'nick-collision',
      message: `several identities claim the nick "${peer.nick}" (${claimants.join(', ')}): possible impersonation; use /verify`,
      peer: views.ref(peer),
    });
  }

  /** The peer's typing indicator, which expires by itself unless renewed. */
  private typing(peer: Peer, active: boolean): void {
    const { clock, views, emit } = this.o;
    this.stopTyping(peer);
    if (active) {
      const expiry = clock.setTimeout(() => {
        peer.typingExpiry = undefined;
        emit({ type: 'typing', peer: views.ref(peer), active: false });
      }, this.o.typingExpiryMs ?? TYPING_EXPIRY_MS);
      expiry.unref?.();
      peer.typingExpiry = expiry;
    }
    emit({ type: 'typing', peer: views.ref(peer), active });
  }

  private stopTyping(peer: Peer): void {
    if (peer.typingExpiry) this.o.clock.clearTimeout(peer.typingExpiry);
    peer.typingExpiry = undefined;
  }

  /** A peer sent something only a broken or hostile node sends: drop the link, keep running. */
  hostile(peer: Peer, link: PeerLink, what: string): void {
    const shown = this.o.views.ref(peer);
    this.o.emit({
      type: 'warning',
      code: 'hostile-peer',
      message: `closed the link to ${shown.display}: ${what}`,
      peer: shown,
    });
    link.close('protocol-error');
  }

  private inRoom(room: string): boolean {
    return this.o.store.rooms.joined().includes(normaliseRoom(room));
  }
}
