// Messages with delivery guarantees: every message is stored before it is sent, queued per
// recipient in the persistent outbox, sent in order on the recipient's link, and dequeued only by
// the recipient's ack. Receivers store before they ack and show each id once (persisted dedupe).
//
// Throughput comes from group commit: sends made inside one batch() (e.g. every line of one
// stdin chunk), and messages or acks that arrive in one network read, share one SQLite
// transaction. Nothing is announced (`sent`), acked or put on the wire before its commit.
import type { PeerLink } from '../connection/peer-link.js';
import type { Ed25519KeyPair } from '../crypto/shs-keys.js';
import type { ChatMessage } from '../protocol/messages.js';
import { normaliseRoom, textProblem } from '../protocol/names.js';
import type { Store, StoredMessage } from '../store/store.js';
import type { Clock } from './clock.js';
import type { NodeEvent, PeerRef } from './events.js';
import { tooFarAhead } from './message-clock.js';
import type { Peer, PeerTable } from './peer-table.js';
import {
  CURRENT_SIGNATURE_VERSION,
  checksSignatureV2,
  signRoomMessage,
  verifyRoomMessage,
} from './room-signature.js';

export interface MessengerDeps {
  self: () => PeerRef;
  identity: Ed25519KeyPair;
  /** The network tag, signed into room messages so they cannot be replayed into another network. */
  network: string;
  store: Store;
  peers: PeerTable;
  clock: Clock;
  ref: (peer: Peer) => PeerRef;
  emit: (event: NodeEvent) => void;
  newId: () => string;
  /** Store failures while receiving: nothing is acked, the sender keeps the messages queued. */
  storeFailed: (error: unknown) => void;
  /** Shows stored messages to the user (message events) and records that they were shown. */
  show: (messages: StoredMessage[]) => void;
  /** A message dated `aheadMs` after our clock was dropped (see message-clock.ts). */
  refusedFuture: (peer: Peer, aheadMs: number) => void;
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

interface Incoming {
  peer: Peer;
  link: PeerLink;
  stored: StoredMessage;
}

export class Messenger {
  /** Sender timestamps strictly increase, so (ts, id) order is send order for every reader. */
  private lastTs = 0;
  /** Work to do once the current batch has committed; undefined outside a batch. */
  private afterCommit: (() => void)[] | undefined;
  private pumpAfterCommit: Set<Peer> | undefined;
  private incoming: Incoming[] = [];
  private acks: { peer: Peer; id: string }[] = [];
  private reads: { peer: Peer; id: string }[] = [];
  private flushScheduled = false;

  constructor(private readonly deps: MessengerDeps) {}

  /** Runs `fn` (any number of sends) in one transaction; their events and sends follow the commit. */
  batch<T>(fn: () => T): T {
    if (this.afterCommit) return fn();
    const after: (() => void)[] = [];
    const pumps = new Set<Peer>();
    this.afterCommit = after;
    this.pumpAfterCommit = pumps;
    let result: T;
    try {
      result = this.deps.store.transaction(fn);
    } finally {
      this.afterCommit = undefined;
      this.pumpAfterCommit = undefined;
    }
    for (const action of after) action();
    // One pump per peer for the whole batch: each pump reads the outbox once.
    for (const peer of pumps) this.pump(peer);
    return result;
  }

  /** Pumps now, or once at the end of the current batch. */
  private pumpSoon(peer: Peer): void {
    if (this.pumpAfterCommit) this.pumpAfterCommit.add(peer);
    else this.pump(peer);
  }

  sendDirect(peer: Peer, text: string, kind: 'text' | 'action'): string {
    this.check(text);
    const message = this.outgoing(`@${peer.id}`, text, kind);
    return this.batch(() => {
      this.deps.store.messages.saveOutgoing(message, [peer.id]);
      this.later(() => {
        const queued = !peer.link;
        this.deps.emit({
          type: 'sent',
          id: message.id,
          to: this.deps.ref(peer),
          text,
          ts: message.ts,
          queued,
        });
      });
      this.pumpSoon(peer);
      return message.id;
    });
  }

  sendRoom(room: string, text: string, kind: 'text' | 'action'): string {
    this.check(text);
    const key = normaliseRoom(room);
    const members = this.deps.peers.membersOnline(key);
    const message = this.outgoing(key, text, kind);
    message.signature = signRoomMessage(
      {
        id: message.id,
        ts: message.ts,
        room: key,
        kind,
        text,
        author: message.senderId,
        nick: message.senderNick,
        network: this.deps.network,
      },
      this.deps.identity.secretKey,
    );
    message.signatureVersion = CURRENT_SIGNATURE_VERSION;
    return this.batch(() => {
      this.deps.store.messages.saveOutgoing(
        message,
        members.map((m) => m.id),
      );
      this.later(() => {
        this.deps.emit({ type: 'sent', id: message.id, room: key, text, ts: message.ts, queued: false });
      });
      for (const member of members) this.pumpSoon(member);
      return message.id;
    });
  }

  /** Sends what is queued for `peer` and not yet on its current link, in enqueue order. */
  pump(peer: Peer): void {
    if (peer.pumping) {
      peer.pumpAgain = true; // an ack arrived while we were sending (in-memory links are synchronous)
      return;
    }
    peer.pumping = true;
    try {
      do {
        peer.pumpAgain = false;
        const link = peer.link;
        if (!link || link.isClosed) return;
        const free = WINDOW - peer.inFlight.size;
        if (free <= 0) return;
        // From the cursor: what is already on this link is not read again. A full send queue
        // stops us (the rest stays in the outbox); the link's `room` event pumps again.
        for (const { seq, message } of this.deps.store.outbox.pendingAfter(peer.id, peer.sentSeq, free)) {
          if (!link.hasRoom || !link.send(toWire(message, checksSignatureV2(link.remoteHello)))) return;
          peer.inFlight.add(message.id);
          peer.sentSeq = seq;
        }
      } while (peer.pumpAgain);
    } finally {
      peer.pumping = false;
    }
  }

  /** Acks that arrive together are recorded in one transaction. */
  acked(peer: Peer, id: string): void {
    this.acks.push({ peer, id });
    this.scheduleFlush();
  }

  /** The recipient showed these DMs to its user. Recorded after the acks that came before it
   * (a receipt must not overtake the ack it follows on the wire). */
  readBy(peer: Peer, ids: string[]): void {
    for (const id of ids) this.reads.push({ peer, id });
    this.scheduleFlush();
  }

  /** Checks a message and queues it to be stored, acked and shown with the others of its read.
   * Returns false when the peer sent something forged. */
  receive(peer: Peer, link: PeerLink, wire: ChatMessage): boolean {
    const room = wire.room === undefined ? undefined : normaliseRoom(wire.room);
    if (room !== undefined && !this.deps.store.rooms.joined().includes(room)) {
      // We left (or never joined): the sender's view of our rooms is stale. Ack so it stops retrying.
      link.send({ t: 'ack', id: wire.id });
      return true;
    }
    const now = this.deps.clock.now();
    if (tooFarAhead(wire.ts, now)) {
      // Acked: the sender would only send it again with the same ts (see message-clock.ts).
      link.send({ t: 'ack', id: wire.id });
      this.deps.refusedFuture(peer, wire.ts - now);
      return true;
    }
    // Version 2 signs the nick shown with the message; a live message from an old peer (version 1
    // or unsigned) is shown under the nick of its authenticated link.
    let senderNick = peer.nick;
    if (room !== undefined && wire.sig !== undefined) {
      const version = wire.sv === 2 ? 2 : 1;
      if (version === 2) {
        if (wire.nick === undefined) return false;
        senderNick = wire.nick;
      }
      const fields = {
        id: wire.id,
        ts: wire.ts,
        room,
        kind: wire.kind,
        text: wire.text,
        author: peer.id,
        nick: senderNick,
        network: this.deps.network,
      };
      if (!verifyRoomMessage(fields, wire.sig, peer.publicKey, version)) return false;
    }
    const stored: StoredMessage = {
      id: wire.id,
      conversation: room ?? `@${peer.id}`,
      senderId: peer.id,
      senderNick,
      text: wire.text,
      kind: wire.kind,
      ts: wire.ts,
      receivedAt: now,
      direction: 'in',
      history: false,
      ...(room !== undefined && wire.sig !== undefined
        ? { signature: wire.sig, ...(wire.sv === 2 ? { signatureVersion: 2 } : {}) }
        : {}),
    };
    this.incoming.push({ peer, link, stored });
    this.scheduleFlush();
    return true;
  }

  /** Stores everything received and acked since the last flush in one transaction; only then are
   * messages acked (an acked message survives a crash) and shown. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const incoming = this.incoming;
    const acks = this.acks;
    const reads = this.reads;
    this.incoming = [];
    this.acks = [];
    this.reads = [];
    const store = this.deps.store;
    let fresh: boolean[];
    let deliveredNow: boolean[];
    let readNow: number[];
    try {
      [fresh, deliveredNow, readNow] = store.transaction(() => [
        incoming.map((m) => store.messages.saveIncoming(m.stored)),
        acks.map((a) => store.outbox.markDelivered(a.id, a.peer.id)),
        // Read implies delivered: if its ack was lost with a link, the receipt also delivers.
        reads.map(
          (r) =>
            Number(store.outbox.markDelivered(r.id, r.peer.id)) +
            2 * Number(store.outbox.markRead(r.id, r.peer.id)),
        ),
      ]);
    } catch (error) {
      // Disk full, I/O error: no ack goes out, so every sender keeps these messages queued.
      this.deps.storeFailed(error);
      return;
    }
    for (const m of incoming) m.link.send({ t: 'ack', id: m.stored.id });
    this.deps.show(incoming.filter((_, i) => fresh[i]).map((m) => m.stored));
    const toPump = new Set<Peer>();
    acks.forEach((a, i) => {
      a.peer.inFlight.delete(a.id);
      if (deliveredNow[i]) this.deps.emit({ type: 'delivered', id: a.id, to: this.deps.ref(a.peer) });
      toPump.add(a.peer);
    });
    reads.forEach((r, i) => {
      const changes = readNow[i] ?? 0;
      if (changes & 1) this.deps.emit({ type: 'delivered', id: r.id, to: this.deps.ref(r.peer) });
      if (changes & 2) this.deps.emit({ type: 'read', id: r.id, by: this.deps.ref(r.peer) });
    });
    for (const peer of toPump) this.pump(peer);
  }

  private later(action: () => void): void {
    if (this.afterCommit) this.afterCommit.push(action);
    else action();
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

/** `v2`: the recipient checks signature version 2 (see SIGNATURE_V2_CAPABILITY). */
function toWire(message: StoredMessage, v2: boolean): ChatMessage {
  const wire: ChatMessage = {
    t: 'msg',
    id: message.id,
    ts: message.ts,
    text: message.text,
    kind: message.kind,
  };
  if (message.conversation.startsWith('#')) {
    wire.room = message.conversation;
    if (message.signature && message.signatureVersion !== 2) wire.sig = message.signature;
    if (message.signature && message.signatureVersion === 2 && v2) {
      wire.sig = message.signature;
      wire.sv = 2;
      wire.nick = message.senderNick;
    }
  }
  return wire;
}
