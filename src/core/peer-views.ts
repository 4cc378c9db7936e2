// How peers and stored messages look to the front ends: the PeerRef / PeerInfo / MessageView of
// every event and reply. One place decides what a human reads for an identity (its proven nick,
// the key suffix and warning when the name collides, nothing for a peer only heard of in mDNS),
// so the UI, the headless JSON and the control socket can never disagree about who is who.
import type { StoredMessage } from '../store/store.js';
import type { MessageView, PeerInfo, PeerRef } from './events.js';
import type { Peer, PeerTable } from './peer-table.js';
import { suffixOf, type TrustBook } from './trust.js';

export interface PeerViewsOptions {
  selfId: string;
  /** Our current nick (it changes with /nick and mDNS renames). */
  selfNick: () => string;
  peers: PeerTable;
  trust: TrustBook;
}

export class PeerViews {
  constructor(private readonly o: PeerViewsOptions) {}

  self(): PeerRef {
    const nick = this.o.selfNick();
    return { id: this.o.selfId, nick, display: nick, verified: true };
  }

  ref(peer: Peer): PeerRef {
    if (!peer.named) {
      // Heard of in discovery only: no name anybody proved, so we show none.
      const suffix = suffixOf(peer.id);
      return { id: peer.id, nick: '', display: `?#${suffix}`, suffix, verified: false };
    }
    return this.author(peer.id, peer.nick);
  }

  /** A PeerRef for any identity (also authors of relayed messages who are not connected). */
  author(id: string, nick: string): PeerRef {
    if (id === this.o.selfId) return this.self();
    const clash = (n: string) => this.o.peers.match(n).some((p) => p.id !== id);
    return { id, nick, ...this.o.trust.shown(id, nick, clash), verified: this.o.trust.verified(id) };
  }

  info(peer: Peer): PeerInfo {
    return {
      ...this.ref(peer),
      ...(peer.named || peer.advertisedNick === undefined ? {} : { advertisedNick: peer.advertisedNick }),
      address: peer.link?.remoteAddress ?? peer.hint?.addresses[0] ?? '',
      // What the events said (a lost link's grace included), so that a list and the event stream
      // never disagree; `connected` is the link itself.
      online: peer.shownOnline,
      connected: peer.link !== undefined && peer.verdictWait === undefined,
      presence: peer.presence,
      status: peer.status,
      blocked: this.o.trust.blocked(peer.id),
    };
  }

  message(m: StoredMessage): MessageView {
    const from = this.author(m.senderId, m.senderNick);
    const view: MessageView = { id: m.id, from, text: m.text, ts: m.ts, kind: m.kind };
    if (m.conversation.startsWith('#')) view.room = m.conversation;
    else {
      const otherId = m.conversation.slice(1);
      const other = this.o.peers.get(otherId);
      view.to = m.direction === 'in' ? this.self() : this.author(otherId, other?.nick ?? otherId.slice(0, 8));
    }
    if (m.history) view.history = true;
    return view;
  }
}
