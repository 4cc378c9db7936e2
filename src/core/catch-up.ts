// Room catch-up: a member that was away asks the members it meets for the room messages it
// missed (bounded by age and count), and any member answers from its store — also for messages
// whose author has left, which is why room messages carry their author's signature.
import type { PeerLink } from '../connection/peer-link.js';
import {
  type CatchupRequest,
  MAX_CATCHUP_BATCH,
  type RelayedMessage,
  type WireMessage,
} from '../protocol/messages.js';
import { normaliseRoom } from '../protocol/names.js';
import type { Store, StoredMessage } from '../store/store.js';
import type { AuthorVerdict } from './author-admission.js';
import { CatchUpServer, MAX_WAITING_REQUESTS } from './catch-up-server.js';
import type { Clock, TimerHandle } from './clock.js';
import type { NodeEvent, PeerRef } from './events.js';
import { tooFarAhead } from './message-clock.js';
import type { Peer } from './peer-table.js';
import { checksSignatureV2, verifyRoomMessage } from './room-signature.js';

export interface CatchupPolicy {
  /** Only messages younger than this are asked for and served. */
  maxAgeMs: number;
  /** At most this many (the newest) per room and request. */
  maxPerRoom: number;
  /** A request unanswered this long is given up and another member asked (default STALL_MS). */
  stallMs?: number;
}

/** A member that took a request and never finished answering it (hostile, or stuck) holds one of
 * the ASKS_PER_ROOM places only this long; then the next member is asked. */
export const STALL_MS = 20_000;

export const DEFAULT_CATCHUP: CatchupPolicy = { maxAgeMs: 7 * 24 * 3600_000, maxPerRoom: 1_000 };
/** Clocks of different machines disagree: ask for a little before our newest message. */
const CLOCK_SKEW_MARGIN_MS = 10 * 60_000;
/** Ask at most this many members per room per session, counting requests still in flight: more
 * would only bring duplicates. At 9:00 a newcomer's links to the whole floor come up together;
 * counting only completed answers, it asked all 49 members at once and verified each room message
 * 49 times (measured on a floor of 50: a joiner took 9 s instead of 0.4 s to see everyone, and each
 * member spent ~0.2 s of CPU answering). */
const ASKS_PER_ROOM = 3;
/** Keep one catch-up frame well below the 1 MiB frame cap, whatever the text escapes to. */
const BATCH_BYTES = 512 * 1024;

export interface CatchUpDeps {
  store: Store;
  clock: Clock;
  policy: CatchupPolicy;
  selfId: string;
  /** The network tag signed into room messages (room-signature.ts). */
  network: string;
  /** The trust rules for a relayed message's author (author-admission.ts). */
  admitAuthor: (authorId: string, nick: string) => AuthorVerdict;
  ref: (peer: Peer) => PeerRef;
  emit: (event: NodeEvent) => void;
  /** Shows stored messages to the user and records that they were shown. */
  show: (messages: StoredMessage[]) => void;
  /** Members of `room` with a live link, to ask another when a request is given up. */
  membersOnline: (room: string) => Peer[];
}

export class CatchUp {
  /** Completed answers per room this session (a request cut short by a lost link does not count). */
  private readonly answered = new Map<string, number>();
  /** Requests in flight: `${peerId} ${room}` → messages relayed so far, and how many were new. */
  private readonly pending = new Map<string, { relayed: number; fresh: number; timer: TimerHandle }>();
  /** Members asked per room this session: a request given up goes to somebody else. */
  private readonly askedIn = new Map<string, Set<string>>();

  private readonly server: CatchUpServer;

  constructor(private readonly deps: CatchUpDeps) {
    this.server = new CatchUpServer({ clock: deps.clock });
  }

  /** Asks `peer` for what we missed in every room we share with it. */
  askPeer(peer: Peer, link: PeerLink): void {
    for (const room of this.deps.store.rooms.joined()) {
      if (peer.rooms.has(room)) this.ask(peer, link, room);
    }
  }

  ask(peer: Peer, link: PeerLink, room: string): void {
    const key = `${peer.id} ${room}`;
    if (this.pending.has(key) || (this.answered.get(room) ?? 0) + this.inFlight(room) >= ASKS_PER_ROOM)
      return;
    const { store, clock, policy } = this.deps;
    const floor = Math.max(clock.now() - policy.maxAgeMs, 0);
    // Our own records decide: a peer's ts counts only up to the moment we stored its message.
    const cursor = store.messages.catchupCursor(room, floor);
    const since = Math.max(floor, cursor === undefined ? floor : cursor - CLOCK_SKEW_MARGIN_MS);
    const asked = this.askedIn.get(room) ?? new Set<string>();
    asked.add(peer.id);
    this.askedIn.set(room, asked);
    // A member that never answers must not hold its place for as long as its link lives: with
    // only ASKS_PER_ROOM places, three such peers linking first would keep a newcomer from the
    // room's history. Given up after stallMs; then another member is asked.
    const timer = clock.setTimeout(() => {
      if (this.pending.get(key)?.timer !== timer) return;
      this.pending.delete(key);
      this.askAnother(room);
    }, policy.stallMs ?? STALL_MS);
    timer.unref?.();
    // Registered before sending: a peer on an in-memory link may answer before send() returns.
    this.pending.set(key, { relayed: 0, fresh: 0, timer });
    if (!link.send({ t: 'catchup_req', room, since, limit: policy.maxPerRoom })) this.drop(key);
  }

  /** Asks members of `room` not asked yet, while places are free. */
  private askAnother(room: string): void {
    const asked = this.askedIn.get(room);
    for (const member of this.deps.membersOnline(room)) {
      if (asked?.has(member.id) || !member.link) continue;
      this.ask(member, member.link, room);
    }
  }

  private drop(key: string): void {
    const pending = this.pending.get(key);
    if (pending) this.deps.clock.clearTimeout(pending.timer);
    this.pending.delete(key);
  }

  /** Answers a request from a member of the room, in (ts, id) order, in bounded batches, when its
   * turn comes and as fast as the peer reads (catch-up-server.ts). */
  serve(peer: Peer, link: PeerLink, request: CatchupRequest): void {
    this.server.enqueue(
      link,
      () => this.answer(peer, link, request),
      () =>
        this.deps.emit({
          type: 'warning',
          code: 'catchup-flood',
          message: `dropping catch-up requests from ${this.deps.ref(peer).display}: more than ${MAX_WAITING_REQUESTS} are waiting to be answered`,
          peer: this.deps.ref(peer),
        }),
    );
  }

  private *answer(peer: Peer, link: PeerLink, request: CatchupRequest): Generator<WireMessage, undefined> {
    const { store, clock, policy } = this.deps;
    const room = request.room.toLowerCase();
    const allowed = store.rooms.joined().includes(room) && peer.rooms.has(room);
    const since = Math.max(request.since, clock.now() - policy.maxAgeMs);
    const found = allowed
      ? store.messages.roomMessagesSince(room, since, Math.min(request.limit, policy.maxPerRoom))
      : [];
    let batch: RelayedMessage[] = [];
    let bytes = 0;
    for (const message of found) {
      const relayed = toRelayed(message, checksSignatureV2(link.remoteHello));
      if (!relayed) continue; // unsigned (from an old peer): we cannot vouch for it
      const size = JSON.stringify(relayed).length;
      if (batch.length > 0 && (batch.length >= MAX_CATCHUP_BATCH || bytes + size > BATCH_BYTES)) {
        yield { t: 'catchup', room, messages: batch, done: false };
        batch = [];
        bytes = 0;
      }
      batch.push(relayed);
      bytes += size;
    }
    yield { t: 'catchup', room, messages: batch, done: true };
    return undefined;
  }

  /** Stores and shows relayed messages we asked for; returns false when the peer misbehaved. */
  receive(peer: Peer, wireRoom: string, messages: RelayedMessage[], done: boolean): boolean {
    const room = normaliseRoom(wireRoom);
    const key = `${peer.id} ${room}`;
    const progress = this.pending.get(key);
    if (progress === undefined) return true; // unsolicited or late: ignore, it costs us nothing
    const { store, clock, policy, emit } = this.deps;
    progress.relayed += messages.length;
    if (progress.relayed > policy.maxPerRoom + MAX_CATCHUP_BATCH) return false; // more than we asked for
    const fresh: StoredMessage[] = [];
    const now = clock.now();
    for (const m of messages) {
      // Version 1 signatures do not cover the nick: a relay could show them under any name.
      if (m.sv !== 2) continue;
      const authorKey = new Uint8Array(Buffer.from(m.author, 'base64url'));
      const fields = {
        id: m.id,
        ts: m.ts,
        room: room,
        kind: m.kind,
        text: m.text,
        author: m.author,
        nick: m.nick,
        network: this.deps.network,
      };
      if (!verifyRoomMessage(fields, m.sig, authorKey, 2)) return false; // a forged or altered message
      // Genuine, but not for us to show: dated in the future (message-clock.ts), or its author is
      // blocked or claims a nick pinned to another key. The relay may be honest: skip, keep the link.
      if (tooFarAhead(m.ts, now) || !this.deps.admitAuthor(m.author, m.nick).ok) continue;
      const stored: StoredMessage = {
        id: m.id,
        conversation: room,
        senderId: m.author,
        senderNick: m.nick,
        text: m.text,
        kind: m.kind,
        ts: m.ts,
        receivedAt: now,
        direction: m.author === this.deps.selfId ? 'out' : 'in',
        history: true,
        signature: m.sig,
        signatureVersion: 2,
      };
      if (store.messages.saveIncoming(stored)) fresh.push(stored);
    }
    progress.fresh += fresh.length;
    fresh.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
    this.deps.show(fresh);
    if (done) {
      this.drop(key);
      this.answered.set(room, (this.answered.get(room) ?? 0) + 1);
      emit({
        type: 'catchup_done',
        room: room,
        from: this.deps.ref(peer),
        received: progress.fresh,
      });
    }
    return true;
  }

  /** Requests for `room` sent and not yet answered in full. */
  private inFlight(room: string): number {
    let n = 0;
    for (const key of this.pending.keys()) if (key.slice(key.indexOf(' ') + 1) === room) n++;
    return n;
  }

  /** A link went away: its unanswered requests will not be answered. */
  forget(peer: Peer): void {
    for (const key of [...this.pending.keys()]) {
      if (!key.startsWith(`${peer.id} `)) continue;
      this.drop(key);
      this.askAnother(key.slice(key.indexOf(' ') + 1));
    }
  }
}

function toRelayed(message: StoredMessage, v2: boolean): RelayedMessage | undefined {
  // Version 1 (no nick signed) stays in our history but is not relayed: receivers refuse it. A
  // peer that does not check version 2 would take it for a forgery: it gets no relays.
  if (!message.signature || message.signatureVersion !== 2 || !v2) return undefined;
  return {
    sv: 2,
    id: message.id,
    ts: message.ts,
    text: message.text,
    kind: message.kind,
    author: message.senderId,
    nick: message.senderNick,
    sig: message.signature,
  };
}
