// The lanchat node: the composition root of core and the API the front ends call (the UI, the
// headless mode, the control socket). It builds the parts and wires them together; the rules live
// in the parts: who to dial (dialer.ts), one link per identity (link-keeper.ts), what peers'
// messages do (peer-messages.ts), trust and names (trust.ts, peer-resolver.ts), rooms, DMs, acks
// and the outbox (messenger.ts), catch-up, presence, transfers, and how it all looks (peer-views.ts).
// It sees transport, discovery and store only through their interfaces; src/cli wires the real
// adapters, tests in-memory ones.

import { HalfOpenCaps, type HalfOpenLimits } from '../connection/half-open-caps.js';
import { hostKey, LinkError, LinkFactory } from '../connection/link-factory.js';
import {
  DEFAULT_INBOUND_RATE,
  type HeartbeatTiming,
  type PeerLink,
  type SendLimits,
} from '../connection/peer-link.js';
import type { RateLimit } from '../connection/token-bucket.js';
import { HandshakeLimiter } from '../crypto/handshake-limiter.js';
import { networkTag } from '../crypto/network-key.js';
import { loadSealedBox } from '../crypto/sealed-box.js';
import { loadFastSecretbox } from '../crypto/secretbox-libsodium.js';
import type { Ed25519KeyPair } from '../crypto/shs-keys.js';
import type { Discovery, DiscoveryEvent, PeerHint } from '../discovery/discovery.js';
import { fingerprint, idOf } from '../identity/ids.js';
import { nickSkeleton } from '../identity/nick-skeleton.js';
import { safetyNumber, safetyNumbersMatch } from '../identity/safety-number.js';
import {
  type Hello,
  PROTOCOL_VERSION,
  type PresenceState,
  VERDICT_CAPABILITY,
} from '../protocol/messages.js';
import { normaliseRoom, roomKey } from '../protocol/names.js';
import { type Store, type StoredMessage, StoreError } from '../store/store.js';
import type { Listener, Transport } from '../transport/transport.js';
import { admitAuthor } from './author-admission.js';
import { CatchUp, type CatchupPolicy, DEFAULT_CATCHUP } from './catch-up.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import { connectTarget } from './connect-target.js';
import { failureRecord, type NodeDiagnosis } from './diagnosis.js';
import { DIAL_BUDGET, DialBudget } from './dial-budget.js';
import { classify, DEFAULT_RECONNECT, Dialer, nobodyThere, type ReconnectPolicy } from './dialer.js';
import type { DropContext } from './drops/drop-context.js';
import { DEFAULT_DROP_POLICY, type DropPolicy, HOLD_CAPABILITY } from './drops/drop-policy.js';
import { Drops } from './drops/drops.js';
import { outboxView } from './drops/outbox-view.js';
import type {
  MessageView,
  NodeEvent,
  NodeEventListener,
  OutboxView,
  PeerInfo,
  PeerRef,
  RememberedPeerInfo,
  TransferView,
} from './events.js';
import type { FileAccess } from './files/file-access.js';
import type { TransferPolicy } from './files/transfer-context.js';
import { DEFAULT_MAX_DOWNLOADING_BYTES, TransferService } from './files/transfer-service.js';
import { DEFAULT_MAX_HISTORY_BYTES, HistoryQuota } from './history-quota.js';
import { LinkKeeper, LOST_GRACE_MAX_MS } from './link-keeper.js';
import { ACK_TIMEOUT_MS, Messenger } from './messenger.js';
import { newRandomId, newTimeOrderedId } from './new-ids.js';
import { NodeError } from './node-error.js';
import type { PeerCapLimits } from './peer-caps.js';
import { PEX_CAPABILITY, PeerExchange } from './peer-exchange.js';
import { PeerMessages } from './peer-messages.js';
import { resolvePeer } from './peer-resolver.js';
import { isLearned, type Peer, PeerTable } from './peer-table.js';
import { PeerViews } from './peer-views.js';
import { OwnPresence } from './presence.js';
import { REFUSED_RETRY_MS, Refusals } from './refusals.js';
import { RememberedPeers } from './remembered-peers.js';
import { RoomOffers } from './room-offers.js';
import { SIGNATURE_V2_CAPABILITY } from './room-signature.js';
import { sharingIntervals } from './shared-intervals.js';
import { TrustBook } from './trust.js';
import { WarningGate } from './warning-gate.js';

export { NodeError } from './node-error.js';

export interface NodeComponents {
  identity: Ed25519KeyPair;
  networkKey: Uint8Array;
  transport: Transport;
  discovery: Discovery;
  store: Store;
  /** File system access for transfers; without it the file commands are unavailable. */
  files?: FileAccess;
  clock?: Clock;
  random?: () => number;
  /** Switches box-stream to its fast engine (default: libsodium, loadFastSecretbox). Not at
   * start-up: only when a transfer is offered, and awaited before file bytes move. */
  fastCrypto?: () => Promise<unknown>;
}

export interface NodeInit {
  nick: string;
  /** TCP port to listen on; taken → an ephemeral one (several users on one host). */
  port: number;
  /** Bind address for the listener (tests: 127.0.0.1). */
  host?: string;
  heartbeat?: HeartbeatTiming;
  /** Redial delays while a peer is unreachable: fast at first (a cut cable comes back), then slow. */
  backoff?: ReconnectPolicy;
  /** Auto-away after this long without input; 0 turns it off. */
  awayAfterMs?: number;
  catchup?: CatchupPolicy;
  /** Send read receipts for DMs shown to the user (default true). */
  readReceipts?: boolean;
  /** A peer's typing indicator ends by itself after this long without an update. */
  typingExpiryMs?: number;
  /** DMs on the wire with no ack for this long are sent again (messenger.ts ACK_TIMEOUT_MS). */
  ackTimeoutMs?: number;
  /** File transfers: download directory, auto-accept from verified contacts, size cap. */
  files?: Partial<TransferPolicy>;
  /** Sealed drops: holding for others (--no-hold), copies, expiry, quotas (DEFAULT_DROP_POLICY). */
  drops?: Partial<DropPolicy>;
  /** Limits against hostile peers (defaults: ACCEPT_TO_HELLO_MS, DEFAULT_SEND_LIMITS, MAX_PEERS*,
   * MAX_HALF_OPEN*). */
  limits?: {
    acceptToHelloMs?: number;
    send?: SendLimits;
    peers?: PeerCapLimits;
    halfOpen?: HalfOpenLimits;
    /** Messages per second one peer may send us (DEFAULT_INBOUND_RATE); null: unlimited. */
    inboundRate?: RateLimit | null;
    /** Identities kept in memory beyond those in use (MAX_KNOWN_PEERS). */
    maxKnownPeers?: number;
    /** Room history is pruned, oldest first, above this many bytes of database (history-quota.ts);
     * null: never. Default DEFAULT_MAX_HISTORY_BYTES. */
    maxHistoryBytes?: number | null;
  };
  /** Tell peers about each other, and listen to them (default true; --no-peer-exchange). */
  peerExchange?: boolean;
  /** The subnet or link of ours an address lies on: peer exchange skips pairs of peers on one
   * where mDNS works (they hear each other). Default: none. */
  segmentOf?: (address: string) => string | undefined;
  /** Loopback addresses pass the address policy: only for nodes that share one host (tests). */
  allowLoopback?: boolean;
  /** How long a peer whose link was lost is given to come back before it is reported offline
   * (LOST_GRACE_MS; tests shorten it). */
  lostGraceMs?: number;
  /** How long that grace may be drawn out while we are getting through (LOST_GRACE_MAX_MS). */
  lostGraceMaxMs?: number;
  /** How long a peer that promised its verdict on our link has to send it (VERDICT_WAIT_MS; tests). */
  verdictWaitMs?: number;
}

/** Addresses kept in a hint merged from several sources (discovery, remembered, exchange). */
const MAX_HINT_ADDRESSES = 8;

const DEFAULT_TRANSFER_POLICY: TransferPolicy = {
  downloadDir: '.',
  autoAcceptVerified: false,
  maxFileSize: Number.MAX_SAFE_INTEGER,
  maxDownloadingBytes: DEFAULT_MAX_DOWNLOADING_BYTES,
};

export const DEFAULT_AWAY_AFTER_MS = 10 * 60_000;
/** How often overdue acks are looked for (ACK_TIMEOUT_MS is 15 s). */
const ACK_CHECK_MS = 5_000;
/** Typing: tell the peer at most this often (their indicator expires by itself, peer-messages.ts). */
const TYPING_THROTTLE_MS = 3_000;
/** Messages shown per "shown" commit (see show()). */
const SHOW_CHUNK = 16;
/** What every lanchat of this version speaks; `hold` and `pex` are added when enabled. */
export const CAPABILITIES = [
  'dm',
  'rooms',
  'ack',
  'presence',
  'typing',
  'read',
  'catchup',
  'signed-rooms',
  SIGNATURE_V2_CAPABILITY,
  'files',
  'drops',
  VERDICT_CAPABILITY,
];

export class LanchatNode {
  readonly id: string;
  readonly publicKey: Uint8Array;
  readonly networkTag: string;
  private nickname: string;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly peers = new PeerTable();
  private readonly listeners = new Set<NodeEventListener>();
  private readonly links: LinkFactory;
  private readonly messenger: Messenger;
  private readonly trust: TrustBook;
  private readonly presence: OwnPresence;
  private readonly catchUp: CatchUp;
  private readonly transfers: TransferService | undefined;
  private readonly dialer: Dialer;
  /** Dials per address (see dial-budget.ts: forged keys must not aim our dials at one machine). */
  private readonly dialBudget: DialBudget;
  private readonly roomOffers: RoomOffers;
  private readonly views: PeerViews;
  private readonly peerMessages: PeerMessages;
  private readonly linkKeeper: LinkKeeper;
  private readonly drops: Drops;
  private readonly dropPolicy: DropPolicy;
  private readonly remembered: RememberedPeers;
  private readonly exchange: PeerExchange | undefined;
  /** Peers told that their messages were dated too far ahead (once per peer and session). */
  private readonly futureWarned = new Set<string>();
  /** The nick mDNS found taken (and renamed us from), until the user picks another one. */
  private nickTakenFrom: string | undefined;
  private listener: Listener | undefined;
  private ackTimer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopping = false;
  private readonly shownBarriers = new Set<() => void>();
  /** Warnings about limits a flood hits: once a minute per limit and address. */
  private readonly limitWarnings: WarningGate;
  private readonly refusals: Refusals;
  private readonly historyQuota: HistoryQuota | undefined;

  constructor(
    private readonly components: NodeComponents,
    private readonly init: NodeInit,
  ) {
    const { store } = components;
    this.publicKey = components.identity.publicKey;
    this.id = idOf(this.publicKey);
    this.networkTag = networkTag(components.networkKey);
    this.nickname = init.nick;
    this.clock = components.clock ?? systemClock;
    this.random = components.random ?? Math.random;
    this.limitWarnings = new WarningGate(this.clock);
    this.refusals = new Refusals(this.clock);
    this.dialBudget = new DialBudget(this.clock);
    this.dialer = new Dialer({
      selfId: this.id,
      clock: this.clock,
      random: this.random,
      reconnect: init.backoff ?? DEFAULT_RECONNECT,
      peer: (id) => this.peers.get(id),
      connect: (peer) => this.connect(peer),
      incomingFrom: (peer) => this.incomingFrom(peer),
      allowed: (peer) =>
        !this.stopping &&
        !this.trust.blocked(peer.id) &&
        !this.refusals.weRefuse(peer.id) &&
        this.refusals.mayDial(peer),
      failed: (_peer, error) => this.linkWarning(error),
      attemptFailed: (peer, error) => {
        if (this.remembered.dialFailed(peer, error)) this.dropLearned(peer, 'remembered');
        this.exchange?.dialFailed(peer);
        this.withdrawnDialFailed(peer, error);
      },
    });
    const policy = { allowLinkLocal: true, allowLoopback: init.allowLoopback ?? false };
    this.remembered = new RememberedPeers({ store, clock: this.clock, policy });
    this.exchange =
      init.peerExchange === false
        ? undefined
        : new PeerExchange({
            clock: this.clock,
            peers: this.peers,
            policy,
            selfId: this.id,
            blocked: (id) => this.trust.blocked(id),
            learn: (hint) => this.learn(hint),
            drop: (peer) => this.dropLearned(peer, 'pex'),
            ...(init.segmentOf ? { segmentOf: init.segmentOf } : {}),
            warn: (peer, message) =>
              this.emit({
                type: 'warning',
                code: 'peer-exchange',
                message: `${this.views.ref(peer).display} ${message}`,
                peer: this.views.ref(peer),
              }),
          });
    this.trust = new TrustBook(store);
    this.views = new PeerViews({
      selfId: this.id,
      selfNick: () => this.nickname,
      peers: this.peers,
      trust: this.trust,
    });
    this.links = new LinkFactory({
      identity: components.identity,
      networkKey: components.networkKey,
      transport: components.transport,
      limiter: new HandshakeLimiter(),
      clock: sharingIntervals(this.clock), // every link's heartbeat on one timer (shared-intervals.ts)
      ...(init.heartbeat ? { heartbeat: init.heartbeat } : {}),
      ...(init.limits?.acceptToHelloMs !== undefined ? { acceptToHelloMs: init.limits.acceptToHelloMs } : {}),
      ...(init.limits?.send ? { sendLimits: init.limits.send } : {}),
      halfOpen: new HalfOpenCaps(init.limits?.halfOpen),
      ...(init.limits?.inboundRate !== undefined ? { inboundRate: init.limits.inboundRate } : {}),
      rateLimited: (link) => this.rateLimited(link),
      hello: () => this.hello(),
      authorize: (key) => idOf(key) !== this.id && !this.trust.blocked(idOf(key)),
    });
    this.roomOffers = new RoomOffers(this.clock);
    this.messenger = new Messenger({
      self: () => this.views.self(),
      identity: components.identity,
      network: this.networkTag,
      store,
      peers: this.peers,
      clock: this.clock,
      ref: (peer) => this.views.ref(peer),
      emit: (event) => this.emit(event),
      newId: () => newTimeOrderedId(),
      storeFailed: (error) =>
        this.storeFailed(error, 'could not store received messages (they stay queued at their senders)'),
      show: (messages) => this.show(messages),
      refusedFuture: (peer, aheadMs) => this.warnFuture(peer, aheadMs),
      ...(init.ackTimeoutMs !== undefined ? { ackTimeoutMs: init.ackTimeoutMs } : {}),
    });
    this.presence = new OwnPresence(this.clock, init.awayAfterMs ?? DEFAULT_AWAY_AFTER_MS, (state) => {
      for (const peer of this.peers.online()) {
        peer.link?.send({ t: 'presence', presence: state.presence, status: state.status });
      }
      this.emit({ type: 'own_presence', ...state });
    });
    this.catchUp = new CatchUp({
      store,
      clock: this.clock,
      policy: init.catchup ?? DEFAULT_CATCHUP,
      selfId: this.id,
      network: this.networkTag,
      admitAuthor: (authorId, nick) => admitAuthor(this.trust, store.contacts, this.id, authorId, nick),
      ref: (peer) => this.views.ref(peer),
      emit: (event) => this.emit(event),
      show: (messages) => this.show(messages),
      membersOnline: (room) => this.peers.membersOnline(room),
    });
    this.transfers = components.files && this.createTransfers(components.files, store);
    const maxHistoryBytes =
      init.limits?.maxHistoryBytes === undefined ? DEFAULT_MAX_HISTORY_BYTES : init.limits.maxHistoryBytes;
    this.historyQuota =
      maxHistoryBytes === null
        ? undefined
        : new HistoryQuota({
            store,
            clock: this.clock,
            maxBytes: maxHistoryBytes,
            warn: (code, message) => this.emit({ type: 'warning', code, message }),
            failed: (error) => this.storeFailed(error, 'could not keep the history under its size limit'),
          });
    this.dropPolicy = { ...DEFAULT_DROP_POLICY, ...init.drops };
    this.drops = new Drops(this.dropContext(components));
    this.peerMessages = new PeerMessages({
      drops: this.drops,
      store,
      clock: this.clock,
      peers: this.peers,
      trust: this.trust,
      views: this.views,
      messenger: this.messenger,
      catchUp: this.catchUp,
      roomOffers: this.roomOffers,
      transfers: this.transfers,
      ...(init.typingExpiryMs !== undefined ? { typingExpiryMs: init.typingExpiryMs } : {}),
      emit: (event) => this.emit(event),
      peerList: (peer, link, message) => this.exchange?.received(peer, link, message),
      admitted: (peer, link) => this.linkKeeper.admittedBy(peer, link),
    });
    this.linkKeeper = new LinkKeeper({
      selfId: this.id,
      clock: this.clock,
      store,
      peers: this.peers,
      trust: this.trust,
      refusals: this.refusals,
      dialer: this.dialer,
      catchUp: this.catchUp,
      messenger: this.messenger,
      transfers: this.transfers,
      drops: this.drops,
      views: this.views,
      peerMessages: this.peerMessages,
      own: () => ({ nick: this.nickname, ...this.presence.current }),
      stopping: () => this.stopping,
      inRoom: (room) => this.inRoom(room),
      emit: (event) => this.emit(event),
      ...(init.limits?.peers ? { peerCaps: init.limits.peers } : {}),
      ...(init.limits?.maxKnownPeers !== undefined ? { maxKnownPeers: init.limits.maxKnownPeers } : {}),
      ...(init.lostGraceMs !== undefined ? { lostGraceMs: init.lostGraceMs } : {}),
      ...(init.verdictWaitMs !== undefined ? { verdictWaitMs: init.verdictWaitMs } : {}),
      ...(init.lostGraceMaxMs !== undefined ? { lostGraceMaxMs: init.lostGraceMaxMs } : {}),
      reconnecting: (peer) => this.dialer.dialing(peer) || this.incomingFrom(peer),
      learnFromLink: (peer, link) => {
        const hint = this.remembered.hintFromLink(peer, link);
        if (hint) this.learn(hint);
      },
      dialBack: (link) => this.remembered.hintFromLink(undefined, link),
      refused: (address, message) => this.limitWarning('peer-limit', address, message),
      refusedBy: (peer) => this.refusedBy(peer),
      warnRefused: (code, nick, message) => this.limitWarning(code, nickSkeleton(nick), message),
      storeFailed: (error, what) => this.storeFailed(error, what),
      linkUp: (peer, link) => {
        this.remembered.linkUp(peer, link);
        this.exchange?.linkUp(peer, link);
      },
      linkDown: (peer) => this.exchange?.linkDown(peer),
    });
  }

  private dropContext(components: NodeComponents): DropContext {
    return {
      selfId: this.id,
      identity: components.identity,
      network: this.networkTag,
      store: components.store,
      peers: this.peers,
      clock: this.clock,
      policy: this.dropPolicy,
      sealedBox: loadSealedBox,
      ref: (peer) => this.views.ref(peer),
      author: (id, nick) => this.views.author(id, nick),
      admitAuthor: (authorId, nick) =>
        admitAuthor(this.trust, components.store.contacts, this.id, authorId, nick),
      show: (messages) => this.show(messages),
      emit: (event) => this.emit(event),
      hostile: (peer, link, what) => this.peerMessages.hostile(peer, link, what),
    };
  }

  private createTransfers(files: FileAccess, store: Store): TransferService {
    return new TransferService({
      transfers: store.transfers,
      files,
      clock: this.clock,
      policy: { ...DEFAULT_TRANSFER_POLICY, ...this.init.files },
      emit: (event) => this.emit(event),
      ref: (id, nick) => this.views.author(id, this.peers.get(id)?.nick ?? nick),
      sendChat: (id, message) => this.peers.get(id)?.link?.send(message) ?? false,
      online: (id) => this.peers.get(id)?.link !== undefined,
      verified: (id) => this.trust.verified(id),
      fastCrypto: this.components.fastCrypto ?? loadFastSecretbox,
      dialData: (id, transfer, offset) => this.dialData(id, transfer, offset),
      newId: newRandomId,
      storeFailed: (error, what) => this.storeFailed(error, what),
    });
  }

  get nick(): string {
    return this.nickname;
  }

  get port(): number {
    if (!this.listener) throw new NodeError('not-started', 'the node is not started');
    return this.listener.port;
  }

  subscribe(listener: NodeEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    const c = this.components;
    this.listener = await c.transport.listen({
      port: this.init.port,
      ...(this.init.host ? { host: this.init.host } : {}),
    });
    this.listener.onConnection((stream, remote) => {
      if (this.stopping) return void stream.destroy();
      this.links.accept(stream, remote).then(
        (link) => this.adopt(link),
        (err: unknown) => this.linkWarning(err),
      );
    });
    this.unsubscribe = c.discovery.subscribe((event) => this.onDiscovery(event));
    await c.discovery.start({
      nick: this.nickname,
      port: this.listener.port,
      publicKey: this.publicKey,
      networkTag: this.networkTag,
    });
    this.presence.start();
    this.historyQuota?.start();
    this.drops.start();
    // The ack safety net (messenger.ts ACK_TIMEOUT_MS): one cheap scan of the online peers.
    this.ackTimer = this.clock.setInterval(
      () => this.messenger.resendOverdue(this.peers.online()),
      Math.min(ACK_CHECK_MS, Math.ceil((this.init.ackTimeoutMs ?? ACK_TIMEOUT_MS) / 3)),
    );
    this.ackTimer.unref?.();
    this.dialer.start();
    this.emit({ type: 'ready', id: this.id, nick: this.nickname, port: this.listener.port });
    // Messages stored (and acked) just before a crash that never reached the screen: show them now.
    for (let batch = c.store.messages.unshown(500); batch.length > 0; batch = c.store.messages.unshown(500)) {
      this.show(batch);
    }
    // Peers discovery already knew (static peers, a fast first answer) are dialled now, and every
    // remembered peer: directly, whether or not multicast reaches it.
    for (const hint of c.discovery.peers()) this.onHint(hint);
    for (const hint of this.remembered.hints()) this.learn(hint);
  }

  /** Says goodbye on every link and in discovery, then closes everything. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.limitWarnings.close();
    this.unsubscribe?.();
    this.presence.stop();
    this.historyQuota?.stop();
    this.drops.stop();
    this.exchange?.stop();
    if (this.ackTimer) this.clock.clearInterval(this.ackTimer);
    await this.transfers?.stop();
    for (const peer of this.peers.all()) {
      for (const timer of [peer.retry, peer.offlineGrace, peer.typingExpiry, peer.verdictWait?.timer])
        if (timer) this.clock.clearTimeout(timer);
      if (peer.link) {
        peer.link.send({ t: 'close', reason: 'quit' });
        peer.link.close('local');
      }
    }
    await Promise.allSettled([this.components.discovery.stop(), this.listener?.close()]);
  }

  snapshot(): { id: string; nick: string; peers: PeerInfo[]; rooms: string[] } {
    return {
      id: this.id,
      nick: this.nickname,
      peers: this.peerList(),
      rooms: this.components.store.rooms.joined(),
    };
  }

  // ---- commands (the headless mode, the UI and the control socket call these) ----

  /** Runs several sends as one unit: one commit, then their `sent` events and network sends. */
  batch<T>(fn: () => T): T {
    return this.messenger.batch(fn);
  }

  sendDirect(name: string, text: string, kind: 'text' | 'action' = 'text'): string {
    const peer = this.resolve(name);
    this.presence.activity();
    const id = this.messenger.sendDirect(peer, text, kind);
    // Offline: also deposit sealed drops with peers that will meet it (after the batch commits).
    if (!peer.link) this.drops.queuedOffline(peer.id);
    return id;
  }

  sendRoom(room: string, text: string, kind: 'text' | 'action' = 'text'): string {
    if (!this.inRoom(room)) throw new NodeError('not-in-room', `you are not in ${room}; /join ${room} first`);
    this.presence.activity();
    return this.messenger.sendRoom(room, text, kind);
  }

  /** Joins a room: only ever because the user asked (a peer's announcement is at most an offer). */
  join(room: string): void {
    const checked = roomKey(room);
    if (!checked.ok) throw new NodeError('invalid', `${room}: ${checked.problem}`);
    const key = checked.room;
    this.components.store.rooms.join(key);
    for (const peer of this.peers.online()) peer.link?.send({ t: 'join', room: key });
    const members = this.peers.membersOnline(key);
    for (const peer of members) this.components.store.rooms.addMember(key, peer.id);
    this.emit({ type: 'joined', room: key, members: members.map((p) => this.views.ref(p)) });
    for (const peer of members) if (peer.link) this.catchUp.ask(peer, peer.link, key);
  }

  part(room: string): void {
    const key = normaliseRoom(room);
    if (!this.components.store.rooms.part(key)) {
      throw new NodeError(
        'not-in-room',
        key === '#general' ? '#general cannot be left' : `you are not in ${key}`,
      );
    }
    for (const peer of this.peers.online()) peer.link?.send({ t: 'part', room: key });
    this.emit({ type: 'parted', room: key });
  }

  setNick(nick: string): void {
    this.nickname = nick;
    this.nickTakenFrom = undefined;
    this.components.discovery.update({ nick });
    for (const peer of this.peers.online()) peer.link?.send({ t: 'nick', nick });
    // Peers that refused us for another key holding our old nick may take us under this one.
    for (const peer of this.peers.all()) if (this.refusals.cleared(peer)) this.dialer.dial(peer);
  }

  setPresence(presence: PresenceState, status = ''): void {
    this.presence.set(presence, status);
  }

  /** The user typed something (a key in the UI, a command in headless): ends auto-away. */
  activity(): void {
    this.presence.activity();
  }

  /** The user is typing a DM to `name` (throttled; the peer's indicator expires by itself). */
  typing(name: string, active = true): void {
    const peer = this.resolve(name);
    const now = this.clock.now();
    if (active && now - peer.typingSentAt < TYPING_THROTTLE_MS) return;
    peer.typingSentAt = active ? now : 0;
    peer.link?.send({ t: 'typing', active });
    this.presence.activity();
  }

  /** The user has seen these incoming DMs from `senderId`: tell the sender (read receipts). A
   * message id is only unique per author, so the sender is named: another key that sent a DM
   * with the same id must not learn when the user read the real one. */
  markRead(ids: readonly string[], senderId: string): void {
    if (this.init.readReceipts === false) return;
    const seen = ids.filter((id) => {
      const message = this.components.store.messages.get(id, senderId);
      return message?.direction === 'in' && message.conversation === `@${senderId}`;
    });
    if (seen.length === 0) return;
    const link = this.peers.get(senderId)?.link;
    if (link) link.send({ t: 'read', ids: seen.slice(0, 256) });
    // The sender is away: holders carry signed read receipts to it (sealed drops).
    else this.drops.readWhileAway(senderId, seen.slice(0, 256));
  }

  peerList(): PeerInfo[] {
    return this.peers.all().map((p) => this.views.info(p));
  }

  /** For `lanchat doctor`: every peer heard of, how to reach it, and why the last dial failed. */
  private ownInstance(): { instance?: string } {
    const instance = this.components.discovery.instanceLabel?.();
    return instance === undefined ? {} : { instance };
  }

  diagnose(): NodeDiagnosis {
    return {
      nick: this.nickname,
      ...(this.nickTakenFrom === undefined ? {} : { requestedNick: this.nickTakenFrom }),
      port: this.listener?.port ?? this.init.port,
      ...this.ownInstance(),
      peers: this.peers.all().map((p) => ({
        ...this.views.info(p),
        ...(p.hint
          ? {
              hint: {
                addresses: [...p.hint.addresses],
                port: p.hint.port,
                source: p.hint.source,
                nick: p.hint.nick,
                ...(p.hint.instance === undefined ? {} : { instance: p.hint.instance }),
              },
            }
          : {}),
        ...(p.lastFailure && !p.link ? { lastFailure: { ...p.lastFailure } } : {}),
        clockAhead: this.futureWarned.has(p.id),
      })),
      remembered: this.rememberedPeers(),
    };
  }

  /** The last `limit` messages of a conversation (`#room`, or a peer name for DMs), oldest first. */
  history(conversation: string, limit = 50): MessageView[] {
    const key = conversation.startsWith('#')
      ? normaliseRoom(conversation)
      : `@${this.resolve(conversation).id}`;
    return this.components.store.messages.history(key, { limit }).map((m) => this.views.message(m));
  }

  /** `/outbox`: our DMs still queued or deposited as drops, newest first, and where each one is. */
  outbox(limit = 100): OutboxView[] {
    const now = this.clock.now();
    return this.components.store.drops
      .outbox(limit)
      .map((entry) => outboxView(entry, now, (id) => this.views.author(id, this.nickOf(id))));
  }

  private nickOf(id: string): string {
    return this.peers.get(id)?.nick || this.components.store.contacts.get(id)?.nick || id.slice(0, 8);
  }

  /** Full-text search over every stored message, newest first. */
  search(text: string, limit = 50): MessageView[] {
    return this.components.store.messages.search(text, { limit }).map((m) => this.views.message(m));
  }

  whoami(): {
    id: string;
    nick: string;
    fingerprint: string;
    publicKey: string;
    networkTag: string;
    port: number;
  } {
    return {
      id: this.id,
      nick: this.nickname,
      fingerprint: fingerprint(this.publicKey),
      publicKey: Buffer.from(this.publicKey).toString('base64'),
      networkTag: this.networkTag,
      port: this.listener?.port ?? this.init.port,
    };
  }

  /** `/verify NICK [NUMBER]`: the safety number, and when NUMBER is given whether it matches. */
  verify(name: string, number?: string): { peer: PeerRef; safetyNumber: string; matched?: boolean } {
    const peer = this.resolve(name);
    const expected = safetyNumber(this.publicKey, peer.publicKey);
    if (number === undefined) return { peer: this.views.ref(peer), safetyNumber: expected };
    const matched = safetyNumbersMatch(expected, number);
    if (matched) this.components.store.contacts.setVerified(peer.id, true);
    this.trustChanged();
    return { peer: this.views.ref(peer), safetyNumber: expected, matched };
  }

  /** `/forget NICK`: drops the pin, so a new key may claim that nick again (after a reinstall),
   * and its remembered addresses: it is no longer dialled after a restart. */
  forget(name: string): PeerRef {
    const peer = this.resolve(name);
    const ref = this.views.ref(peer);
    this.components.store.contacts.forget(peer.id);
    this.remembered.forget(peer.id);
    this.trustChanged();
    this.dropLearned(peer, 'remembered');
    return ref;
  }

  /** `/connect CODE` (an invite code) or `/connect KEY@IP[:PORT]`: dial that peer now. */
  connectPeer(target: string): { id: string; addresses: string[]; port: number } {
    const hint = connectTarget(target, this.networkTag);
    const peer = this.learn(hint);
    if (!peer) throw new NodeError('invalid', 'that invite is your own (or names a blocked peer)');
    peer.attempts = 0; // asked for by the user: first in the dial queue, fast schedule
    peer.unreachableSince = undefined;
    this.refusals.cleared(peer); // even if it refused us a moment ago: the user asks

    if (!peer.link) this.dialer.dial(peer);
    return { id: peer.id, addresses: hint.addresses, port: hint.port };
  }

  /** Peers remembered from earlier links (where, when, and the last dial error), newest first. */
  rememberedPeers(): RememberedPeerInfo[] {
    return this.remembered.list().map((r) => {
      const peer = this.peers.get(r.id);
      const nick = peer?.named ? peer.nick : this.components.store.contacts.get(r.id)?.nick;
      const info: RememberedPeerInfo = { ...r, online: peer?.link !== undefined };
      if (nick !== undefined) info.nick = nick;
      return info;
    });
  }

  block(name: string, blocked = true): PeerRef {
    const peer = this.resolve(name);
    if (!this.components.store.contacts.get(peer.id)) this.components.store.contacts.pin(peer.id, peer.nick);
    this.components.store.contacts.setBlocked(peer.id, blocked);
    this.trustChanged();
    if (blocked && peer.link) {
      peer.link.close('local');
    }
    if (blocked) this.dialer.forget(peer);
    else if (peer.hint) this.dialer.dial(peer);
    return this.views.ref(peer);
  }

  // ---- files ----

  /** `/send NICK PATH`: hashes the file, then offers it (queued until NICK is online). */
  sendFile(name: string, path: string): Promise<TransferView> {
    const peer = this.resolve(name);
    this.presence.activity();
    return this.files().offer(peer.id, peer.nick, path);
  }

  /** `/accept ID [DIR]`: checks free space, then asks the sender for the bytes. */
  acceptFile(id: string, dir?: string): Promise<TransferView> {
    return this.files().accept(id, dir);
  }

  rejectFile(id: string): TransferView {
    return this.files().reject(id);
  }

  cancelFile(id: string): Promise<TransferView> {
    return this.files().cancel(id);
  }

  transferList(): TransferView[] {
    return this.transfers?.list() ?? [];
  }

  private files(): TransferService {
    if (!this.transfers) throw new NodeError('invalid', 'file transfer is not available in this node');
    return this.transfers;
  }

  /** A separate connection for a transfer's bytes, so chat never queues behind a file. */
  private async dialData(peerId: string, transfer: string, offset: number): Promise<PeerLink> {
    const peer = this.peers.get(peerId);
    const hint = peer?.hint;
    if (!peer || !hint) throw new NodeError('unknown-peer', 'no address known for the receiver');
    const hello: Hello = { ...this.hello(), rooms: [], purpose: 'file', transfer, offset };
    let lastError: unknown;
    for (const address of hint.addresses) {
      try {
        return await this.links.dial(address, hint.port, peer.publicKey, hello);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  // ---- connections ----

  private hello(): Hello {
    const own = this.presence.current;
    const hello: Hello = {
      t: 'hello',
      v: PROTOCOL_VERSION,
      nick: this.nickname,
      presence: own.presence,
      status: own.status,
      caps: [
        ...CAPABILITIES,
        ...(this.dropPolicy.hold ? [HOLD_CAPABILITY] : []),
        ...(this.exchange ? [PEX_CAPABILITY] : []),
      ],
      rooms: this.components.store.rooms.joined(),
    };
    if (this.listener) hello.port = this.listener.port;
    return hello;
  }

  /** A hint from core's own sources (remembered, peer exchange, /connect): merged into what they
   * said before (`peer.learned`); it is the peer's hint unless discovery gave one, which it then
   * backs up (connect): mDNS knows the peer's current addresses best, but anybody can send it. */
  private learn(hint: PeerHint): Peer | undefined {
    if (this.stopping) return undefined;
    const key = new Uint8Array(Buffer.from(hint.publicKey, 'base64'));
    const id = idOf(key);
    if (key.length !== 32 || id === this.id || this.trust.blocked(id)) return undefined;
    const peer = this.peers.getOrCreate(id, key, this.components.store.contacts.get(id)?.nick);
    if (peer.link) return peer;
    const before = peer.learned;
    // An invite typed by the user outranks what a remembered row or another peer said: its port,
    // and its addresses first.
    const outranks = before === undefined || hint.source === 'invite';
    const base = outranks ? hint : before;
    const others = outranks ? (before?.addresses ?? []) : hint.addresses;
    const addresses = [...new Set([...base.addresses, ...others])].slice(0, MAX_HINT_ADDRESSES);
    peer.learned = { ...base, addresses };
    if (peer.hint === undefined || isLearned(peer.hint)) {
      peer.hint = peer.learned;
      peer.hintWithdrawnAt = undefined;
    }
    this.dialer.heard(peer, before === undefined || addresses.length !== before.addresses.length);
    return peer;
  }

  /** A learned hint of `source` gave up (expired candidate, /forget): stop dialling it. */
  private dropLearned(peer: Peer, source: PeerHint['source']): void {
    if (peer.link || peer.learned?.source !== source) return;
    const current = peer.hint === peer.learned;
    peer.learned = undefined;
    if (!current) return; // discovery's hint stays
    this.dialer.dropHint(peer);
    this.peers.removeIfUnknown(peer.id);
  }

  /** A dial to a peer that discovery said went (see onDiscovery) failed: believe discovery now if
   * the dial found nobody there, or if it said so LOST_GRACE_MAX_MS ago (a peer that takes
   * connections and never completes one is not dialled for ever). In its grace, link-keeper
   * decides. */
  private withdrawnDialFailed(peer: Peer, error: unknown): void {
    const since = peer.hintWithdrawnAt;
    if (since === undefined || peer.link || peer.offlineGrace !== undefined) return;
    const bound = this.init.lostGraceMaxMs ?? LOST_GRACE_MAX_MS;
    if (!nobodyThere(error) && this.clock.now() - since < bound) return;
    this.dialer.dropHint(peer);
    this.peers.evictIdle(this.init.limits?.maxKnownPeers);
  }

  private onDiscovery(event: DiscoveryEvent): void {
    if (event.type === 'up' || event.type === 'update') this.onHint(event.peer, event.type === 'update');
    else if (event.type === 'down') {
      const peer = this.peers.get(idOf(Buffer.from(event.publicKey, 'base64')));
      // Anybody can multicast a goodbye for any key. A live authenticated link is better evidence
      // than that: the peer stays online, named and reachable at its last known address (data
      // links for files are dialled there).
      if (peer && !peer.link) {
        // Nor may it take away what core's own sources know (a remembered link, an invite): the
        // peer is dialled where they say (its hint already, unless discovery gave one), on their
        // schedule (a remembered peer gives up after REMEMBERED_ATTEMPTS).
        if (peer.learned) {
          peer.hint = peer.learned;
          peer.hintWithdrawnAt = undefined;
          return;
        }
        // Nor does it cancel getting through to a peer (its lost-link grace, or a dial queued,
        // running or scheduled). Its records go when queries for them stay unanswered for 10 s
        // (POOF, RFC 6762 §10.5), which is also what a process that stands still looks like: at 100
        // at once on 2 cores, one traced run had 585 such downs 15–34 s into the start, 435 of
        // them for peers being dialled (the dial waited until the peer was heard again), and 2 of
        // 3 flaps in another were lost peers whose dial again this cancelled. A dial is the better
        // test: the hint goes when one finds nobody there, or the grace ends with the peer offline.
        if (peer.offlineGrace !== undefined || this.dialer.dialing(peer)) {
          peer.hintWithdrawnAt ??= this.clock.now();
          return;
        }
        this.dialer.dropHint(peer);
        this.peers.evictIdle(this.init.limits?.maxKnownPeers);
      }
    } else if (event.type === 'renamed') {
      // Our nick was taken on the LAN (mDNS probing): take the new one everywhere.
      this.nickTakenFrom ??= event.previous;
      this.nickname = event.nick;
      for (const peer of this.peers.online()) peer.link?.send({ t: 'nick', nick: event.nick });
      this.emit({
        type: 'warning',
        code: 'nick-taken',
        message: `${event.previous} is taken on this network; you are ${event.nick}`,
      });
    } else if (event.type === 'warning') {
      this.emit({ type: 'warning', code: `discovery-${event.code}`, message: event.message });
    }
  }

  private onHint(hint: PeerHint, changed = false): void {
    if (this.stopping) return;
    const key = new Uint8Array(Buffer.from(hint.publicKey, 'base64'));
    if (key.length !== 32) return;
    const id = idOf(key);
    if (id === this.id) return;
    // The hint says where to dial, nothing more: its nick is an unauthenticated claim, so it names
    // nobody (a host announcing "bob" must not attract /msg bob). A peer is named by its hello.
    const peer = this.peers.getOrCreate(id, key, this.components.store.contacts.get(id)?.nick);
    // A peer we were dialling from memory (a restart's remembered peers: at 9:00 most have not
    // started yet, and their retries back off, dialer.ts) that a live source now tells us of (its
    // announcement, peer exchange) has most likely just started: it is dialled as for a new
    // address, not when its backoff next says.
    const cameUp =
      peer.hint?.source === 'remembered' && hint.source !== 'remembered' && peer.retry !== undefined;
    // While a link is live, its address is the one proven to reach this key: an announcement
    // (anybody can send one for any key) may add addresses but not push that one out, or a forged
    // one would send our next dial (a file's data link) to the forger.
    const proven = peer.link?.remoteAddress;
    peer.hint =
      proven === undefined
        ? hint
        : { ...hint, addresses: [proven, ...hint.addresses.filter((a) => a !== proven)] };
    peer.advertisedNick = hint.nick;
    peer.hintWithdrawnAt = undefined;
    if (hint.source === 'mdns') peer.heardViaMdns = true;
    this.dialer.heard(peer, changed || cameUp);
  }

  /** Is a connection from this peer's host being accepted? Only said of a host no other known
   * peer shares (one lanchat per machine, the usual case): an accept from a host with two nodes
   * (or from loopback in tests) says nothing about which of them is calling. */
  private incomingFrom(peer: Peer): boolean {
    const hosts = (peer.hint?.addresses ?? []).filter((a) => this.links.incomingFrom(a)).map(hostKey);
    if (hosts.length === 0) return false;
    for (const other of this.peers.all()) {
      if (other === peer || !other.hint) continue;
      if (other.hint.addresses.some((a) => hosts.includes(hostKey(a)))) return false;
    }
    return true;
  }

  /** Tries each address of the peer's hint in turn, then those of its learned hint that were not
   * among them (a forged announcement must not hide where a link once reached the peer); the
   * first link that completes is adopted. */
  private async connect(peer: Peer): Promise<void> {
    const hint = peer.hint;
    if (!hint) return;
    const routes = peer.learned && peer.learned !== hint ? [hint, peer.learned] : [hint];
    const tried = new Set<string>();
    let lastError: unknown;
    let answer: unknown; // the first failure from a process that answered (see classify)
    for (const route of routes) {
      for (const address of route.addresses) {
        const target = `${address} ${route.port}`;
        if (tried.has(target)) continue;
        tried.add(target);
        // Where a link with this key came up before, the dial is its own: never budgeted.
        if (!this.remembered.linkedThere(peer.id, address) && !this.dialBudget.tryTake(address)) {
          lastError ??= new LinkError(
            'dial-failed',
            `not dialling ${address} for now: more than ${DIAL_BUDGET.burst} dials to that address just now (many identities announced there?)`,
          );
          continue;
        }
        try {
          this.adopt(await this.links.dial(address, route.port, peer.publicKey));
          peer.lastFailure = undefined;
          return;
        } catch (err) {
          lastError = err;
          if (classify(err) !== 'unreachable') {
            // Reached it: another address of the same source would not help.
            answer ??= err;
            break;
          }
          // The first address with nobody there ends a lost peer's grace. Waiting for every address
          // instead (a stale one tried first) was tried and reverted: a cut then took 3 s per
          // address to report (IPv4 + IPv6 link-local: 20 s after the cut, against 17 s) and no
          // traced run at 100 had shown a grace ended by a dial's verdict.
          this.linkKeeper.dialFailed(peer, nobodyThere(err));
        }
      }
    }
    const error = answer ?? lastError;
    peer.lastFailure = failureRecord(error, this.clock.now());
    throw error;
  }

  private warnFuture(peer: Peer, aheadMs: number): void {
    if (this.futureWarned.has(peer.id)) return;
    this.futureWarned.add(peer.id);
    this.emit({
      type: 'warning',
      code: 'clock-ahead',
      message: `dropped a message from ${this.views.ref(peer).display} dated ${Math.round(aheadMs / 60_000)} min ahead of this machine's clock; one of the two clocks is wrong`,
      peer: this.views.ref(peer),
    });
  }

  /** Adopting writes to the store (the contact pin, room members): a full or read-only disk must
   * cost this link, not the node. */
  private adopt(link: PeerLink): void {
    try {
      this.linkKeeper.adopt(link);
    } catch (error) {
      link.close('local');
      this.storeFailed(error, "could not take a peer's connection (it will try again)");
    }
  }

  /**
   * A store write caused by the network or a timer failed (disk full, read-only file system): the
   * user is told (an `error` event: headless JSON, the UI's status line), at most once a minute per
   * kind, and the node keeps running. Whoever called decides what is not acked or retried. Only
   * StoreErrors are expected here; anything else is a bug, reported the same way rather than
   * taking every other conversation down with it.
   */
  private storeFailed(error: unknown, what: string): void {
    const code = error instanceof StoreError ? error.code : 'bug';
    const detail = error instanceof Error ? error.message : String(error);
    this.limitWarnings.pass(`store-failed ${code} ${what}`, `${what}: ${detail}`, (message) =>
      this.emit({ type: 'error', code: 'store-failed', message }),
    );
  }

  /** A peer sent faster than its inbound rate: we read it more slowly (nothing is dropped). */
  private rateLimited(link: PeerLink): void {
    const id = idOf(link.remotePublicKey);
    const peer = this.peers.get(id);
    const who =
      peer?.link === link ? this.views.ref(peer).display : `${id.slice(0, 8)} (${link.remoteAddress})`;
    const rate = this.init.limits?.inboundRate ?? DEFAULT_INBOUND_RATE;
    this.limitWarning(
      'peer-rate-limited',
      id,
      `reading ${who} more slowly: it sends more than ${rate.perSecond} messages a second (nothing is lost; it waits)`,
    );
  }

  /** Pins, verifications or blocks changed: identities we turned away may be admitted now, and we
   * never dialled them meanwhile (refusals.ts): dial them. */
  private trustChanged(): void {
    this.trust.invalidate();
    for (const { id, dialBack } of this.refusals.trustChanged((id, nick) =>
      this.trust.wouldAdmit(id, nick),
    )) {
      const known = this.peers.get(id);
      // One it knows no address for gets the one it came from. learn() may queue the dial itself:
      // the queue holds one dial per peer, so dial() here is then a no-op.
      const peer = known?.hint || !dialBack ? known : this.learn(dialBack);
      if (peer && !peer.link) this.dialer.dial(peer);
    }
  }

  /** A peer turned us away (refusals.ts): `lanchat doctor` says why it is missing, and the user is
   * told. On a floor that knew our old key every peer does so within a second or two: one warning
   * a minute (WarningGate: the others of that minute in one line when it ends). */
  private refusedBy(peer: Peer): void {
    const why = `it knows another key under our nick "${this.nickname}", or it blocks us`;
    peer.lastFailure = { reason: 'refused', code: 'refused-by-peer', message: why, at: this.clock.now() };
    const minutes = Math.round(REFUSED_RETRY_MS / 60_000);
    this.limitWarning(
      'refused-by-peer',
      '',
      `${this.views.ref(peer).display} does not accept us: ${why}. It is dialled again in ${minutes} ` +
        'min, at once if you change your nick (/nick) or it connects to us',
    );
  }

  /** A limit turned something away: a warning, at most once a minute per limit and address (the
   * repeats counted in one line at the end of the minute: WarningGate). */
  private limitWarning(code: string, key: string, message: string): void {
    this.limitWarnings.pass(`${code} ${key}`, message, (text) =>
      this.emit({ type: 'warning', code, message: text }),
    );
  }

  private linkWarning(err: unknown): void {
    if (this.stopping) return;
    if (err instanceof LinkError && err.code === 'over-capacity') {
      // One per refused connection would be a flood of its own.
      this.limitWarning(err.code, err.address ?? '', err.message);
      return;
    }
    const code = err instanceof LinkError ? err.code : 'link-failed';
    this.emit({ type: 'warning', code, message: err instanceof Error ? err.message : String(err) });
  }

  private inRoom(room: string): boolean {
    return this.components.store.rooms.joined().includes(normaliseRoom(room));
  }

  private resolve(name: string): Peer {
    return resolvePeer(this.peers, this.components.store.contacts, name);
  }

  /**
   * Message events for stored messages, then the record that they were shown. Writing a line and
   * committing a row cannot be one atomic step: a crash in between shows those messages again on
   * the next start, with the same ids (at least once; never lost from the stream). Small chunks
   * keep that window to a few lines even when the reader of stdout is slow.
   */
  private show(messages: StoredMessage[]): void {
    for (let at = 0; at < messages.length; at += SHOW_CHUNK) {
      const chunk = messages.slice(at, at + SHOW_CHUNK);
      for (const m of chunk) this.emit({ type: 'message', ...this.views.message(m) });
      for (const barrier of this.shownBarriers) barrier();
      try {
        this.components.store.messages.markShown(chunk);
      } catch (error) {
        // Stored and acked already: at worst they are shown again on the next start.
        this.storeFailed(error, 'could not record messages as shown (they may show again after a restart)');
      }
    }
  }

  /** Registers `barrier`, called after message events were emitted and before they are recorded
   * as shown: a front end that buffers its output writes it out there, so that a crash leaves at
   * most a sliver of time in which a message could be shown twice, and none in which it is lost. */
  onShown(barrier: () => void): () => void {
    this.shownBarriers.add(barrier);
    return () => this.shownBarriers.delete(barrier);
  }

  private emit(event: NodeEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
