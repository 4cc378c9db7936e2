// Messages with delivery guarantees: every message is stored before it is sent, queued per
// recipient in the persistent outbox, sent in order on the recipient's link, and dequeued only by
// the recipient's ack. Receivers store before they ack and show each id once (persisted dedupe).
import type { PeerLink } from '../connection/peer-link.js';
import type { Ed25519KeyPair } from '../crypto/shs-keys.js';
import type { ChatMessage } from '../protocol/messages.js';
import { normaliseRoom, textProblem } from '../protocol/names.js';
import type { Store, StoredMessage } from '../store/store.js';
import type { Clock } from './clock.js';
import type { NodeEvent, PeerRef } from './events.js';
import type { Peer, PeerTable } from './peer-table.js';
import { signRoomMessage, verifyRoomMessage } from './room-signature.js';

export interface MessengerDeps {
  self: () => PeerRef;
  identity: Ed25519KeyPair;
  store: Store;
  peers: PeerTable;
  clock: Clock;
  ref: (peer: Peer) => PeerRef;
  emit: (event: NodeEvent) => void;
  newId: () => string;
}

/** Messages in flight on one link before we wait for acks: bounds memory and write buffers. */
const WINDOW = 256;

export class MessengerError extends Error {
  readonly code = 'invalid';
  constructor(message: string) {
    super(message);
    this.name = 'MessengerError';
  }
}

export class Messenger {
  /** Sender timestamps strictly increase, so (ts, id) order is send order for every reader. */
  private lastTs = 0;

  constructor(private readonly deps: MessengerDeps) {}

  sendDirect(peer: Peer, text: string, kind: 'text' | 'action'): string {
    this.check(text);
    const message = this.outgoing(`@${peer.id}`, text, kind);
    this.deps.store.messages.saveOutgoing(message, [peer.id]);
    const queued = !peer.link;
    this.deps.emit({ type: 'sent', id: message.id, to: this.deps.ref(peer), text, ts: message.ts, queued });
    this.pump(peer);
    return message.id;
  }

  sendRoom(room: string, text: string, kind: 'text' | 'action'): string {
    this.check(text);
    const key = normaliseRoom(room);
    const members = this.deps.peers.membersOnline(key);
    const message = this.outgoing(key, text, kind);
    message.signature = signRoomMessage(
      { id: message.id, ts: message.ts, room: key, kind, text },
      this.deps.identity.secretKey,
    );
    this.deps.store.messages.saveOutgoing(
      message,
      members.map((m) => m.id),
    );
    this.deps.emit({ type: 'sent', id: message.id, room: key, text, ts: message.ts, queued: false });
    for (const member of members) this.pump(member);
    return message.id;
  }

  /** Sends what is queued for `peer` and not yet on its current link, in enqueue order. */
  pump(peer: Peer): void {
    const link = peer.link;
    if (!link || link.isClosed) return;
    const room = WINDOW - peer.inFlight.size;
    if (room <= 0) return;
    const pending = this.deps.store.outbox.pendingFor(peer.id, WINDOW * 2);
    let sent = 0;
    for (const message of pending) {
      if (sent >= room) break;
      if (peer.inFlight.has(message.id)) continue;
      // Marked before sending: the ack may arrive before send() returns (in-memory links).
      peer.inFlight.add(message.id);
      if (!link.send(toWire(message))) {
        peer.inFlight.delete(message.id);
        return;
      }
      sent++;
    }
  }

  acked(peer: Peer, id: string): void {
    peer.inFlight.delete(id);
    if (this.deps.store.outbox.markDelivered(id, peer.id)) {
      this.deps.emit({ type: 'delivered', id, to: this.deps.ref(peer) });
    }
    if (peer.inFlight.size <= WINDOW / 2) this.pump(peer);
  }

  /** The recipient showed these DMs to its user. */
  readBy(peer: Peer, ids: string[]): void {
    for (const id of ids) {
      if (this.deps.store.outbox.markRead(id, peer.id))
        this.deps.emit({ type: 'read', id, by: this.deps.ref(peer) });
    }
  }

  /** Stores, acks and shows a message; returns false when the peer sent something forged. */
  receive(peer: Peer, link: PeerLink, wire: ChatMessage): boolean {
    const room = wire.room === undefined ? undefined : normaliseRoom(wire.room);
    if (room !== undefined && !this.deps.store.rooms.joined().includes(room)) {
      // We left (or never joined): the sender's view of our rooms is stale. Ack so it stops retrying.
      link.send({ t: 'ack', id: wire.id });
      return true;
    }
    if (room !== undefined && wire.sig !== undefined) {
      const fields = { id: wire.id, ts: wire.ts, room, kind: wire.kind, text: wire.text };
      if (!verifyRoomMessage(fields, wire.sig, peer.publicKey)) return false;
    }
    const stored: StoredMessage = {
      id: wire.id,
      conversation: room ?? `@${peer.id}`,
      senderId: peer.id,
      senderNick: peer.nick,
      text: wire.text,
      kind: wire.kind,
      ts: wire.ts,
      receivedAt: this.deps.clock.now(),
      direction: 'in',
      history: false,
      ...(room !== undefined && wire.sig !== undefined ? { signature: wire.sig } : {}),
    };
    // Store before ack: an acked message survives a crash (the store throws on I/O failure, and
    // then there is no ack and the sender keeps it queued).
    const fresh = this.deps.store.messages.saveIncoming(stored);
    link.send({ t: 'ack', id: wire.id });
    if (!fresh) return true;
    const from = this.deps.ref(peer);
    const base = {
      type: 'message' as const,
      id: wire.id,
      from,
      text: wire.text,
      ts: wire.ts,
      kind: wire.kind,
    };
    this.deps.emit(room !== undefined ? { ...base, room } : { ...base, to: this.deps.self() });
    return true;
  }

  private outgoing(conversation: string, text: string, kind: 'text' | 'action'): StoredMessage {
    const self = this.deps.self();
    const now = Math.max(this.deps.clock.now(), this.lastTs + 1);
    this.lastTs = now;
    return {
      id: this.deps.newId(),
      conversation,
      senderId: self.id,
      senderNick: self.nick,
      text,
      kind,
      ts: now,
      receivedAt: now,
      direction: 'out',
      history: false,
    };
  }

  private check(text: string): void {
    const problem = textProblem(text);
    if (problem) throw new MessengerError(problem);
  }
}

function toWire(message: StoredMessage): ChatMessage {
  const wire: ChatMessage = {
    t: 'msg',
    id: message.id,
    ts: message.ts,
    text: message.text,
    kind: message.kind,
  };
  if (message.conversation.startsWith('#')) {
    wire.room = message.conversation;
    if (message.signature) wire.sig = message.signature;
  }
  return wire;
}
