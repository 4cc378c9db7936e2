// The lanchat node: keeps one authenticated link per peer identity, and on top of it rooms, DMs,
// acks and the persistent outbox, trust, presence and catch-up. It sees transport, discovery and
// store only through their interfaces; src/cli wires the real adapters, tests in-memory ones.
import { LinkError, LinkFactory } from '../connection/link-factory.js';
import type { HeartbeatTiming, LinkCloseReason, PeerLink, SendLimits } from '../connection/peer-link.js';
import { HandshakeLimiter } from '../crypto/handshake-limiter.js';
import { networkTag } from '../crypto/network-key.js';
import { loadFastSecretbox } from '../crypto/secretbox-libsodium.js';
import type { Ed25519KeyPair } from '../crypto/shs-keys.js';
import type { Discovery, DiscoveryEvent, PeerHint } from '../discovery/discovery.js';
import { fingerprint, idOf } from '../identity/ids.js';
import { safetyNumber, safetyNumbersMatch } from '../identity/safety-number.js';
import { type Hello, PROTOCOL_VERSION, type PresenceState, type WireMessage } from '../protocol/messages.js';
import { normaliseRoom, roomKey } from '../protocol/names.js';
import type { Store, StoredMessage } from '../store/store.js';
import type { Listener, Transport } from '../transport/transport.js';
import { admitAuthor } from './author-admission.js';
import { CatchUp, type CatchupPolicy, DEFAULT_CATCHUP } from './catch-up.js';
import { type Clock, systemClock } from './clock.js';
import { classify, DEFAULT_RECONNECT, Dialer, type ReconnectPolicy } from './dialer.js';
import type { MessageView, NodeEvent, NodeEventListener, PeerInfo, PeerRef, TransferView } from './events.js';
import type { FileAccess } from './files/file-access.js';
import type { TransferPolicy } from './files/transfer-context.js';
import { TransferService } from './files/transfer-service.js';
import { Messenger } from './messenger.js';
import { newRandomId, newTimeOrderedId } from './new-ids.js';
import { NodeError } from './node-error.js';
import { resolvePeer } from './peer-resolver.js';
import { type Peer, PeerTable } from './peer-table.js';
import { OwnPresence } from './presence.js';
import { RoomOffers } from './room-offers.js';
import { SIGNATURE_V2_CAPABILITY } from './room-signature.js';
import { suffixOf, TrustBook } from './trust.js';

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
  /** File transfers: download directory, auto-accept from verified contacts, size cap. */
  files?: Partial<TransferPolicy>;
  /** Limits against hostile peers (defaults: ACCEPT_TO_HELLO_MS, DEFAULT_SEND_LIMITS). */
  limits?: { acceptToHelloMs?: number; send?: SendLimits };
}

const DEFAULT_TRANSFER_POLICY: TransferPolicy = {
  downloadDir: '.',
  autoAcceptVerified: false,
  maxFileSize: Number.MAX_SAFE_INTEGER,
};

export const DEFAULT_AWAY_AFTER_MS = 10 * 60_000;
/** How long a link closed as "replaced by the duplicate" waits for the winner before "offline". */
const REPLACED_GRACE_MS = 3_000;
/** Typing: tell the peer at most this often; their indicator expires after TYPING_EXPIRY_MS. */
const TYPING_THROTTLE_MS = 3_000;
const TYPING_EXPIRY_MS = 6_000;
/** Messages shown per "shown" commit (see show()). */
const SHOW_CHUNK = 16;
const CAPABILITIES = [
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
  private readonly roomOffers: RoomOffers;
  /** Peers told that their messages were dated too far ahead (once per peer and session). */
  private readonly futureWarned = new Set<string>();
  private listener: Listener | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopping = false;
  private readonly refusedWarned = new Set<string>();
  private readonly shownBarriers = new Set<() => void>();
  /** Identities that have been online this session (their presence has been reported before). */
  private readonly seenOnline = new Set<string>();

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
    this.dialer = new Dialer({
      selfId: this.id,
      clock: this.clock,
      random: this.random,
      reconnect: init.backoff ?? DEFAULT_RECONNECT,
      peer: (id) => this.peers.get(id),
      connect: (peer) => this.connect(peer),
      allowed: (peer) => !this.stopping && !this.trust.blocked(peer.id),
      failed: (_peer, error) => this.linkWarning(error),
    });
    this.trust = new TrustBook(store);
    this.links = new LinkFactory({
      identity: components.identity,
      networkKey: components.networkKey,
      transport: components.transport,
      limiter: new HandshakeLimiter(),
      clock: this.clock,
      ...(init.heartbeat ? { heartbeat: init.heartbeat } : {}),
      ...(init.limits?.acceptToHelloMs !== undefined ? { acceptToHelloMs: init.limits.acceptToHelloMs } : {}),
      ...(init.limits?.send ? { sendLimits: init.limits.send } : {}),
      hello: () => this.hello(),
      authorize: (key) => idOf(key) !== this.id && !this.trust.blocked(idOf(key)),
    });
    this.roomOffers = new RoomOffers(this.clock);
    this.messenger = new Messenger({
      self: () => this.selfRef(),
      identity: components.identity,
      network: this.networkTag,
      store,
      peers: this.peers,
      clock: this.clock,
      ref: (peer) => this.ref(peer),
      emit: (event) => this.emit(event),
      newId: () => newTimeOrderedId(),
      storeFailed: (error) =>
        this.emit({
          type: 'error',
          code: 'store-failed',
          message: `could not store received messages (they stay queued at their senders): ${error instanceof Error ? error.message : String(error)}`,
        }),
      show: (messages) => this.show(messages),
      refusedFuture: (peer, aheadMs) => this.warnFuture(peer, aheadMs),
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
      ref: (peer) => this.ref(peer),
      emit: (event) => this.emit(event),
      show: (messages) => this.show(messages),
    });
    this.transfers = components.files && this.createTransfers(components.files, store);
  }

  private createTransfers(files: FileAccess, store: Store): TransferService {
    return new TransferService({
      transfers: store.transfers,
      files,
      clock: this.clock,
      policy: { ...DEFAULT_TRANSFER_POLICY, ...this.init.files },
      emit: (event) => this.emit(event),
      ref: (id, nick) => this.authorRef(id, this.peers.get(id)?.nick ?? nick),
      sendChat: (id, message) => this.peers.get(id)?.link?.send(message) ?? false,
      online: (id) => this.peers.get(id)?.link !== undefined,
      verified: (id) => this.trust.verified(id),
      fastCrypto: this.components.fastCrypto ?? loadFastSecretbox,
      dialData: (id, transfer, offset) => this.dialData(id, transfer, offset),
      newId: newRandomId,
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
    this.dialer.start();
    this.emit({ type: 'ready', id: this.id, nick: this.nickname, port: this.listener.port });
    // Messages stored (and acked) just before a crash that never reached the screen: show them now.
    for (let batch = c.store.messages.unshown(500); batch.length > 0; batch = c.store.messages.unshown(500)) {
      this.show(batch);
    }
    // Peers discovery already knew (static peers, a fast first answer) are dialled now.
    for (const hint of c.discovery.peers()) this.onHint(hint);
  }

  /** Says goodbye on every link and in discovery, then closes everything. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.unsubscribe?.();
    this.presence.stop();
    await this.transfers?.stop();
    for (const peer of this.peers.all()) {
      for (const timer of [peer.retry, peer.offlineGrace, peer.typingExpiry])
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
    return this.messenger.sendDirect(peer, text, kind);
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
    this.emit({ type: 'joined', room: key, members: members.map((p) => this.ref(p)) });
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
    this.components.discovery.update({ nick });
    for (const peer of this.peers.online()) peer.link?.send({ t: 'nick', nick });
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

  /** The user has seen these incoming DMs: tell their senders (read receipts). */
  markRead(ids: readonly string[]): void {
    if (this.init.readReceipts === false) return;
    const bySender = new Map<string, string[]>();
    for (const id of ids) {
      const message = this.components.store.messages.get(id);
      if (message?.direction !== 'in' || !message.conversation.startsWith('@')) continue;
      bySender.set(message.senderId, [...(bySender.get(message.senderId) ?? []), id]);
    }
    for (const [senderId, list] of bySender) {
      this.peers.get(senderId)?.link?.send({ t: 'read', ids: list.slice(0, 256) });
    }
  }

  peerList(): PeerInfo[] {
    return this.peers.all().map((p) => this.info(p));
  }

  /** The last `limit` messages of a conversation (`#room`, or a peer name for DMs), oldest first. */
  history(conversation: string, limit = 50): MessageView[] {
    const key = conversation.startsWith('#')
      ? normaliseRoom(conversation)
      : `@${this.resolve(conversation).id}`;
    return this.components.store.messages.history(key, { limit }).map((m) => this.view(m));
  }

  /** Full-text search over every stored message, newest first. */
  search(text: string, limit = 50): MessageView[] {
    return this.components.store.messages.search(text, { limit }).map((m) => this.view(m));
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
    if (number === undefined) return { peer: this.ref(peer), safetyNumber: expected };
    const matched = safetyNumbersMatch(expected, number);
    if (matched) this.components.store.contacts.setVerified(peer.id, true);
    this.trust.invalidate();
    return { peer: this.ref(peer), safetyNumber: expected, matched };
  }

  /** `/forget NICK`: drops the pin, so a new key may claim that nick again (after a reinstall). */
  forget(name: string): PeerRef {
    const peer = this.resolve(name);
    const ref = this.ref(peer);
    this.components.store.contacts.forget(peer.id);
    this.trust.invalidate();
    return ref;
  }

  block(name: string, blocked = true): PeerRef {
    const peer = this.resolve(name);
    if (!this.components.store.contacts.get(peer.id)) this.components.store.contacts.pin(peer.id, peer.nick);
    this.components.store.contacts.setBlocked(peer.id, blocked);
    this.trust.invalidate();
    if (blocked && peer.link) {
      peer.link.close('local');
    }
    if (blocked) this.dialer.forget(peer);
    else if (peer.hint) this.dialer.dial(peer);
    return this.ref(peer);
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
    return {
      t: 'hello',
      v: PROTOCOL_VERSION,
      nick: this.nickname,
      presence: own.presence,
      status: own.status,
      caps: CAPABILITIES,
      rooms: this.components.store.rooms.joined(),
    };
  }

  private onDiscovery(event: DiscoveryEvent): void {
    if (event.type === 'up' || event.type === 'update') this.onHint(event.peer, event.type === 'update');
    else if (event.type === 'down') {
      const peer = this.peers.get(idOf(Buffer.from(event.publicKey, 'base64')));
      // Anybody can multicast a goodbye for any key. A live authenticated link is better evidence
      // than that: the peer stays online, named and reachable at its last known address (data
      // links for files are dialled there).
      if (peer && !peer.link) {
        peer.hint = undefined;
        this.dialer.forget(peer);
      }
    } else if (event.type === 'renamed') {
      // Our nick was taken on the LAN (mDNS probing): take the new one everywhere.
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
    // While a link is live, its address is the one proven to reach this key: an announcement
    // (anybody can send one for any key) may add addresses but not push that one out, or a forged
    // one would send our next dial (a file's data link) to the forger.
    const proven = peer.link?.remoteAddress;
    peer.hint =
      proven === undefined
        ? hint
        : { ...hint, addresses: [proven, ...hint.addresses.filter((a) => a !== proven)] };
    peer.advertisedNick = hint.nick;
    this.dialer.heard(peer, changed);
  }

  /** Tries each address of the peer's hint in turn; the first link that completes is adopted. */
  private async connect(peer: Peer): Promise<void> {
    const hint = peer.hint;
    if (!hint) return;
    let lastError: unknown;
    for (const address of hint.addresses) {
      try {
        this.adopt(await this.links.dial(address, hint.port, peer.publicKey));
        return;
      } catch (err) {
        lastError = err;
        if (classify(err) !== 'unreachable') break; // reached it: another address would not help
      }
    }
    throw lastError;
  }

  /** A link whose handshake and hello completed: keep exactly one per identity. */
  private adopt(link: PeerLink): void {
    const hello = link.remoteHello!;
    if (this.stopping) return void link.close('local');
    if (link.isClosed) return; // it died between its hello and now
    const id = idOf(link.remotePublicKey);
    if (hello.purpose === 'file') {
      // A data link carries one transfer's bytes; it never joins the peer table.
      if (this.transfers && this.peers.get(id)?.link) this.transfers.onDataLink(id, link, hello);
      else link.close('protocol-error');
      return;
    }
    const admission = this.trust.admit(id, hello.nick);
    if (!admission.ok) {
      link.close('local');
      // It will try again (it cannot tell a refusal from a network fault): warn once per identity.
      if (!this.refusedWarned.has(id)) {
        this.refusedWarned.add(id);
        this.emit({ type: 'warning', code: admission.code, message: admission.message });
      }
      return;
    }
    this.refusedWarned.delete(id);
    const peer = this.peers.getOrCreate(id, link.remotePublicKey, hello.nick);
    const existing = peer.link;
    const wasOnline = (existing !== undefined && !existing.isClosed) || peer.offlineGrace !== undefined;
    if (existing && !existing.isClosed) {
      // Two links (we both dialled): keep the one dialled by the smaller id, on both sides alike.
      const keepNew = this.dialledBySmallerId(link, id) && !this.dialledBySmallerId(existing, id);
      const loser = keepNew ? existing : link;
      loser.send({ t: 'close', reason: 'replaced' });
      if (!keepNew) {
        loser.close('replaced');
        return;
      }
      peer.link = undefined;
      this.catchUp.forget(peer);
      loser.close('replaced');
    }
    if (peer.offlineGrace) this.clock.clearTimeout(peer.offlineGrace);
    peer.offlineGrace = undefined;
    peer.link = link;
    // A reconnect may bring news that was sent while we were apart: report it like a live change.
    const previousNick = peer.nick;
    const presenceChanged = peer.presence !== hello.presence || peer.status !== hello.status;
    peer.nick = hello.nick;
    peer.presence = hello.presence;
    peer.status = hello.status;
    if (wasOnline || this.seenOnline.has(id)) {
      if (previousNick !== hello.nick)
        this.emit({ type: 'nick', peer: this.ref(peer), previous: previousNick });
      if (presenceChanged) {
        this.emit({ type: 'presence', peer: this.ref(peer), presence: hello.presence, status: hello.status });
      }
    }
    this.seenOnline.add(id);
    // Normalised and at most 256 (decodeMessage); rows only for rooms we are in (room-offers.ts).
    peer.rooms = new Set(hello.rooms);
    this.dialer.connected(peer);
    peer.inFlight.clear();
    peer.sentSeq = 0;
    for (const room of peer.rooms) if (this.inRoom(room)) this.components.store.rooms.addMember(room, id);
    link.on('close', (reason, error) => this.onLinkClosed(peer, link, reason, error));
    link.on('room', () => this.messenger.pump(peer));
    link.attach((message) => this.onMessage(peer, link, message));
    if (!wasOnline) this.emit({ type: 'peer_online', peer: this.info(peer) });
    if (admission.collidesWith.length > 0) this.warnCollision(peer);
    this.resync(link);
    this.messenger.pump(peer);
    this.catchUp.askPeer(peer, link);
    this.transfers?.peerOnline(peer.id);
  }

  /** State that changed after our hello went out on `link` (it may have been sent on a duplicate
   * link that the peer dropped meanwhile) is sent again. Receivers ignore what did not change. */
  private resync(link: PeerLink): void {
    const sent = link.sentHello;
    if (!sent) return;
    const own = this.presence.current;
    if (sent.nick !== this.nickname) link.send({ t: 'nick', nick: this.nickname });
    if (sent.presence !== own.presence || sent.status !== own.status) {
      link.send({ t: 'presence', presence: own.presence, status: own.status });
    }
    const rooms = this.components.store.rooms.joined();
    for (const room of rooms) if (!sent.rooms.includes(room)) link.send({ t: 'join', room });
    for (const room of sent.rooms) if (!rooms.includes(room)) link.send({ t: 'part', room });
  }

  private dialledBySmallerId(link: PeerLink, remoteId: string): boolean {
    const dialler = link.initiator ? this.id : remoteId;
    const other = link.initiator ? remoteId : this.id;
    return dialler < other;
  }

  private onLinkClosed(peer: Peer, link: PeerLink, reason: LinkCloseReason, error?: Error): void {
    if (reason === 'stalled') {
      this.emit({
        type: 'warning',
        code: 'peer-stalled',
        message: `disconnected ${this.ref(peer).display}: ${error?.message ?? 'it does not read what we send'}`,
        peer: this.ref(peer),
      });
    }
    if (peer.link !== link) return; // a duplicate that lost; the peer is still online
    peer.link = undefined;
    peer.inFlight.clear();
    peer.sentSeq = 0;
    this.catchUp.forget(peer);
    if (this.stopping) return;
    if (reason === 'replaced' || link.replacedByPeer) {
      // The peer keeps our other link; give it a moment to complete before calling the peer gone.
      const grace = this.clock.setTimeout(() => {
        peer.offlineGrace = undefined;
        if (!peer.link) this.goneOffline(peer, 'connection-lost');
      }, REPLACED_GRACE_MS);
      grace.unref?.();
      peer.offlineGrace = grace;
      return;
    }
    this.goneOffline(peer, link.quitByPeer ? 'quit' : reason);
  }

  private goneOffline(peer: Peer, reason: string): void {
    if (peer.typingExpiry) this.clock.clearTimeout(peer.typingExpiry);
    peer.typingExpiry = undefined;
    this.emit({ type: 'peer_offline', peer: this.ref(peer), reason });
    if (reason !== 'quit') this.dialer.redial(peer);
  }

  private onMessage(peer: Peer, link: PeerLink, message: WireMessage): void {
    const store = this.components.store;
    switch (message.t) {
      case 'close':
        if (message.reason === 'replaced') link.replacedByPeer = true;
        else link.quitByPeer = true;
        return;
      case 'join': {
        const room = message.room; // normalised by decodeMessage
        if (peer.rooms.has(room)) return;
        if (!this.inRoom(room)) {
          // Not ours: remembered (bounded) for when the user joins it, at most offered, never joined.
          if (this.roomOffers.mayRemember(peer.rooms.size)) peer.rooms.add(room);
          if (this.roomOffers.offer(peer.id, room))
            this.emit({ type: 'room_offer', room, peer: this.ref(peer) });
          return;
        }
        peer.rooms.add(room);
        store.rooms.addMember(room, peer.id);
        this.emit({ type: 'member_joined', room, peer: this.ref(peer) });
        this.catchUp.ask(peer, link, room);
        return;
      }
      case 'part': {
        const room = message.room;
        if (!peer.rooms.delete(room) || !this.inRoom(room)) return;
        store.rooms.removeMember(room, peer.id);
        this.emit({ type: 'member_parted', room, peer: this.ref(peer) });
        return;
      }
      case 'nick': {
        const previous = peer.nick;
        if (previous === message.nick) return;
        const others = this.trust.rename(peer.id, message.nick);
        peer.nick = message.nick;
        this.emit({ type: 'nick', peer: this.ref(peer), previous });
        if (others.length > 0) this.warnCollision(peer);
        return;
      }
      case 'presence':
        if (peer.presence === message.presence && peer.status === message.status) return;
        peer.presence = message.presence;
        peer.status = message.status;
        this.emit({
          type: 'presence',
          peer: this.ref(peer),
          presence: message.presence,
          status: message.status,
        });
        return;
      case 'typing': {
        if (peer.typingExpiry) this.clock.clearTimeout(peer.typingExpiry);
        peer.typingExpiry = undefined;
        if (message.active) {
          const expiry = this.clock.setTimeout(() => {
            peer.typingExpiry = undefined;
            this.emit({ type: 'typing', peer: this.ref(peer), active: false });
          }, this.init.typingExpiryMs ?? TYPING_EXPIRY_MS);
          expiry.unref?.();
          peer.typingExpiry = expiry;
        }
        this.emit({ type: 'typing', peer: this.ref(peer), active: message.active });
        return;
      }
      case 'read':
        this.messenger.readBy(peer, message.ids);
        return;
      case 'msg':
        if (peer.typingExpiry) {
          this.clock.clearTimeout(peer.typingExpiry);
          peer.typingExpiry = undefined;
        }
        if (!this.messenger.receive(peer, link, message))
          this.hostile(peer, link, 'a room message with a bad signature');
        return;
      case 'ack':
        this.messenger.acked(peer, message.id);
        return;
      case 'catchup_req':
        this.catchUp.serve(peer, link, message);
        return;
      case 'catchup':
        if (!this.catchUp.receive(peer, message.room, message.messages, message.done)) {
          this.hostile(peer, link, 'catch-up with a forged message or more than was asked for');
        }
        return;
      case 'file_offer':
      case 'file_accept':
      case 'file_reject':
      case 'file_cancel':
      case 'file_result':
        this.transfers?.onMessage(peer.id, peer.nick, message);
        return;
      default:
        return;
    }
  }

  /** A peer sent something only a broken or hostile node sends: drop the link, keep running. */
  private hostile(peer: Peer, link: PeerLink, what: string): void {
    this.emit({
      type: 'warning',
      code: 'hostile-peer',
      message: `closed the link to ${this.ref(peer).display}: ${what}`,
      peer: this.ref(peer),
    });
    link.close('protocol-error');
  }

  private warnCollision(peer: Peer): void {
    const claimants = this.peers.match(peer.nick).map((p) => this.ref(p).display);
    this.emit({
      type: 'warning',
      code: 'nick-collision',
      message: `several identities claim the nick "${peer.nick}" (${claimants.join(', ')}): possible impersonation; use /verify`,
      peer: this.ref(peer),
    });
  }

  private warnFuture(peer: Peer, aheadMs: number): void {
    if (this.futureWarned.has(peer.id)) return;
    this.futureWarned.add(peer.id);
    this.emit({
      type: 'warning',
      code: 'clock-ahead',
      message: `dropped a message from ${this.ref(peer).display} dated ${Math.round(aheadMs / 60_000)} min ahead of this machine's clock; one of the two clocks is wrong`,
      peer: this.ref(peer),
    });
  }

  private linkWarning(err: unknown): void {
    if (this.stopping) return;
    const code = err instanceof LinkError ? err.code : 'link-failed';
    this.emit({ type: 'warning', code, message: err instanceof Error ? err.message : String(err) });
  }

  private inRoom(room: string): boolean {
    return this.components.store.rooms.joined().includes(normaliseRoom(room));
  }

  private resolve(name: string): Peer {
    return resolvePeer(this.peers, this.components.store.contacts, name);
  }

  private selfRef(): PeerRef {
    return { id: this.id, nick: this.nickname, display: this.nickname, verified: true };
  }

  private ref(peer: Peer): PeerRef {
    if (!peer.named) {
      // Heard of in discovery only: no name anybody proved, so we show none.
      const suffix = suffixOf(peer.id);
      return { id: peer.id, nick: '', display: `?#${suffix}`, suffix, verified: false };
    }
    return this.authorRef(peer.id, peer.nick);
  }

  /** A PeerRef for any identity (also authors of relayed messages who are not connected). */
  private authorRef(id: string, nick: string): PeerRef {
    if (id === this.id) return this.selfRef();
    const clash = (n: string) => this.peers.match(n).some((p) => p.id !== id);
    return { id, nick, ...this.trust.shown(id, nick, clash), verified: this.trust.verified(id) };
  }

  private info(peer: Peer): PeerInfo {
    return {
      ...this.ref(peer),
      ...(peer.named || peer.advertisedNick === undefined ? {} : { advertisedNick: peer.advertisedNick }),
      address: peer.link?.remoteAddress ?? peer.hint?.addresses[0] ?? '',
      online: peer.link !== undefined,
      presence: peer.presence,
      status: peer.status,
      blocked: this.trust.blocked(peer.id),
    };
  }

  private view(m: StoredMessage): MessageView {
    const from = this.authorRef(m.senderId, m.senderNick);
    const view: MessageView = { id: m.id, from, text: m.text, ts: m.ts, kind: m.kind };
    if (m.conversation.startsWith('#')) view.room = m.conversation;
    else {
      const otherId = m.conversation.slice(1);
      const other = this.peers.get(otherId);
      view.to =
        m.direction === 'in' ? this.selfRef() : this.authorRef(otherId, other?.nick ?? otherId.slice(0, 8));
    }
    if (m.history) view.history = true;
    return view;
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
      for (const m of chunk) this.emit({ type: 'message', ...this.view(m) });
      for (const barrier of this.shownBarriers) barrier();
      this.components.store.messages.markShown(chunk);
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
