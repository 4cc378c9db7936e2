// The lanchat node: keeps one authenticated link per peer identity, and on top of it rooms, DMs,
// acks and the persistent outbox. It sees transport, discovery and store only through their
// interfaces; src/cli wires the real adapters, tests wire in-memory ones.
import { randomBytes } from 'node:crypto';
import { LinkError, LinkFactory } from '../connection/link-factory.js';
import type { HeartbeatTiming, LinkCloseReason, PeerLink } from '../connection/peer-link.js';
import { HandshakeLimiter } from '../crypto/handshake-limiter.js';
import { networkTag } from '../crypto/network-key.js';
import type { Ed25519KeyPair } from '../crypto/shs-keys.js';
import type { Discovery, DiscoveryEvent, PeerHint } from '../discovery/discovery.js';
import { idOf } from '../identity/ids.js';
import { type Hello, PROTOCOL_VERSION, type WireMessage } from '../protocol/messages.js';
import type { Store } from '../store/store.js';
import type { Listener, Transport } from '../transport/transport.js';
import { type BackoffPolicy, backoffDelay } from './backoff.js';
import { type Clock, systemClock } from './clock.js';
import type { NodeEvent, NodeEventListener, PeerInfo, PeerRef } from './events.js';
import { Messenger } from './messenger.js';
import { type Peer, PeerTable } from './peer-table.js';

export interface NodeComponents {
  identity: Ed25519KeyPair;
  networkKey: Uint8Array;
  transport: Transport;
  discovery: Discovery;
  store: Store;
  clock?: Clock;
  random?: () => number;
}

export interface NodeInit {
  nick: string;
  /** TCP port to listen on; taken → an ephemeral one (several users on one host). */
  port: number;
  /** Bind address for the listener (tests: 127.0.0.1). */
  host?: string;
  heartbeat?: HeartbeatTiming;
  /** Redial delays while a peer is unreachable: fast at first (a cut cable comes back), then slow. */
  backoff?: { fast: BackoffPolicy; slow: BackoffPolicy; fastForMs: number };
}

const DEFAULT_RECONNECT = {
  fast: { initialMs: 250, maxMs: 3_000 },
  slow: { initialMs: 5_000, maxMs: 30_000 },
  fastForMs: 120_000,
};
/** How long a link closed as "replaced by the duplicate" waits for the winner before "offline". */
const REPLACED_GRACE_MS = 3_000;
const CAPABILITIES = ['dm', 'rooms', 'ack'];

export class NodeError extends Error {
  readonly code: 'not-started' | 'unknown-peer' | 'ambiguous-peer' | 'invalid' | 'not-in-room';
  constructor(code: NodeError['code'], message: string) {
    super(message);
    this.name = 'NodeError';
    this.code = code;
  }
}

export class LanchatNode {
  readonly id: string;
  readonly publicKey: Uint8Array;
  private nickname: string;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly peers = new PeerTable();
  private readonly listeners = new Set<NodeEventListener>();
  private readonly links: LinkFactory;
  private readonly messenger: Messenger;
  private readonly reconnect: NonNullable<NodeInit['backoff']>;
  private listener: Listener | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopping = false;

  constructor(
    private readonly components: NodeComponents,
    private readonly init: NodeInit,
  ) {
    this.publicKey = components.identity.publicKey;
    this.id = idOf(this.publicKey);
    this.nickname = init.nick;
    this.clock = components.clock ?? systemClock;
    this.random = components.random ?? Math.random;
    this.reconnect = init.backoff ?? DEFAULT_RECONNECT;
    this.links = new LinkFactory({
      identity: components.identity,
      networkKey: components.networkKey,
      transport: components.transport,
      limiter: new HandshakeLimiter(),
      clock: this.clock,
      ...(init.heartbeat ? { heartbeat: init.heartbeat } : {}),
      hello: () => this.hello(),
      authorize: (key) => idOf(key) !== this.id && !components.store.contacts.get(idOf(key))?.blocked,
    });
    this.messenger = new Messenger({
      self: () => ({ id: this.id, nick: this.nickname }),
      store: components.store,
      peers: this.peers,
      clock: this.clock,
      emit: (event) => this.emit(event),
      newId: () => randomBytes(16).toString('base64url'),
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
      networkTag: networkTag(c.networkKey),
    });
    this.emit({ type: 'ready', id: this.id, nick: this.nickname, port: this.listener.port });
    // Peers discovery already knew (static peers, a fast first answer) are dialled now.
    for (const hint of c.discovery.peers()) this.onHint(hint);
  }

  /** Says goodbye on every link and in discovery, then closes everything. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.unsubscribe?.();
    for (const peer of this.peers.all()) {
      if (peer.retry) this.clock.clearTimeout(peer.retry);
      if (peer.offlineGrace) this.clock.clearTimeout(peer.offlineGrace);
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
      peers: this.peers.all().map((p) => this.info(p)),
      rooms: this.components.store.rooms.joined(),
    };
  }

  // ---- commands (the headless mode and the UI call these) ----

  sendDirect(name: string, text: string, kind: 'text' | 'action' = 'text'): string {
    const peer = this.resolve(name);
    return this.messenger.sendDirect(peer, text, kind);
  }

  sendRoom(room: string, text: string, kind: 'text' | 'action' = 'text'): string {
    if (!this.components.store.rooms.joined().some((r) => r.toLowerCase() === room.toLowerCase())) {
      throw new NodeError('not-in-room', `you are not in ${room}; /join ${room} first`);
    }
    return this.messenger.sendRoom(room, text, kind);
  }

  join(room: string): void {
    this.components.store.rooms.join(room.toLowerCase());
    for (const peer of this.peers.online()) peer.link?.send({ t: 'join', room });
    const members = this.peers.membersOnline(room).map((p) => this.ref(p));
    this.emit({ type: 'joined', room: room.toLowerCase(), members });
  }

  part(room: string): void {
    if (!this.components.store.rooms.part(room.toLowerCase())) {
      throw new NodeError(
        'not-in-room',
        room === '#general' ? '#general cannot be left' : `you are not in ${room}`,
      );
    }
    for (const peer of this.peers.online()) peer.link?.send({ t: 'part', room });
    this.emit({ type: 'parted', room: room.toLowerCase() });
  }

  setNick(nick: string): void {
    this.nickname = nick;
    this.components.discovery.update({ nick });
    for (const peer of this.peers.online()) peer.link?.send({ t: 'nick', nick });
  }

  peerList(): PeerInfo[] {
    return this.peers.all().map((p) => this.info(p));
  }

  // ---- connections ----

  private hello(): Hello {
    return {
      t: 'hello',
      v: PROTOCOL_VERSION,
      nick: this.nickname,
      presence: 'online',
      status: '',
      caps: CAPABILITIES,
      rooms: this.components.store.rooms.joined(),
    };
  }

  private onDiscovery(event: DiscoveryEvent): void {
    if (event.type === 'up' || event.type === 'update') this.onHint(event.peer, event.type === 'update');
    else if (event.type === 'down') {
      const peer = this.peers.get(idOf(Buffer.from(event.publicKey, 'base64')));
      if (peer) {
        peer.hint = undefined;
        if (peer.retry) this.clock.clearTimeout(peer.retry);
        peer.retry = undefined;
      }
    } else if (event.type === 'renamed') {
      this.nickname = event.nick;
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
    const peer = this.peers.getOrCreate(id, key, hint.nick);
    peer.hint = hint;
    if (!peer.link) peer.nick = hint.nick;
    if (changed) peer.attempts = 0;
    if (!peer.link && !peer.dialing && (!peer.retry || changed)) this.dial(peer);
  }

  private dial(peer: Peer): void {
    if (peer.retry) this.clock.clearTimeout(peer.retry);
    peer.retry = undefined;
    const hint = peer.hint;
    if (!hint || peer.link || peer.dialing || this.stopping) return;
    peer.dialing = true;
    void (async () => {
      let lastError: unknown;
      for (const address of hint.addresses) {
        try {
          const link = await this.links.dial(address, hint.port, peer.publicKey);
          peer.dialing = false;
          this.adopt(link);
          return;
        } catch (err) {
          lastError = err;
          if (err instanceof LinkError && err.code !== 'dial-failed') break; // reached it, it said no
        }
      }
      peer.dialing = false;
      if (peer.link) return; // it dialled us meanwhile
      if (lastError instanceof LinkError && lastError.code !== 'dial-failed') this.linkWarning(lastError);
      this.scheduleRedial(peer);
    })();
  }

  private scheduleRedial(peer: Peer): void {
    if (!peer.hint || this.stopping || peer.retry) return;
    const now = this.clock.now();
    peer.unreachableSince ??= now;
    const fast = now - peer.unreachableSince < this.reconnect.fastForMs;
    const delay = backoffDelay(
      peer.attempts++,
      fast ? this.reconnect.fast : this.reconnect.slow,
      this.random,
    );
    const handle = this.clock.setTimeout(() => {
      peer.retry = undefined;
      this.dial(peer);
    }, delay);
    handle.unref?.();
    peer.retry = handle;
  }

  /** A link whose handshake and hello completed: keep exactly one per identity. */
  private adopt(link: PeerLink): void {
    const hello = link.remoteHello!;
    if (this.stopping) return void link.close('local');
    if (link.isClosed) return; // it died between its hello and now
    const id = idOf(link.remotePublicKey);
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
      loser.close('replaced');
    }
    if (peer.offlineGrace) this.clock.clearTimeout(peer.offlineGrace);
    peer.offlineGrace = undefined;
    peer.link = link;
    peer.nick = hello.nick;
    peer.rooms = new Set(hello.rooms.map((r) => r.toLowerCase()));
    peer.attempts = 0;
    peer.unreachableSince = undefined;
    peer.inFlight.clear();
    if (peer.retry) this.clock.clearTimeout(peer.retry);
    peer.retry = undefined;
    this.components.store.contacts.pin(id, hello.nick);
    for (const room of peer.rooms) this.components.store.rooms.addMember(room, id);
    link.on('close', (reason) => this.onLinkClosed(peer, link, reason));
    link.attach((message) => this.onMessage(peer, link, message));
    if (!wasOnline) this.emit({ type: 'peer_online', peer: this.info(peer) });
    this.messenger.pump(peer);
  }

  private dialledBySmallerId(link: PeerLink, remoteId: string): boolean {
    const dialler = link.initiator ? this.id : remoteId;
    const other = link.initiator ? remoteId : this.id;
    return dialler < other;
  }

  private onLinkClosed(peer: Peer, link: PeerLink, reason: LinkCloseReason): void {
    if (peer.link !== link) return; // a duplicate that lost; the peer is still online
    peer.link = undefined;
    peer.inFlight.clear();
    if (this.stopping) return;
    const replaced = reason === 'replaced' || link.replacedByPeer;
    if (replaced) {
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
    this.emit({ type: 'peer_offline', peer: this.ref(peer), reason });
    if (reason !== 'quit') this.scheduleRedial(peer);
  }

  private onMessage(peer: Peer, link: PeerLink, message: WireMessage): void {
    switch (message.t) {
      case 'close':
        if (message.reason === 'replaced') link.replacedByPeer = true;
        else link.quitByPeer = true;
        return;
      case 'join':
        peer.rooms.add(message.room.toLowerCase());
        this.components.store.rooms.addMember(message.room.toLowerCase(), peer.id);
        this.emit({ type: 'member_joined', room: message.room.toLowerCase(), peer: this.ref(peer) });
        return;
      case 'part':
        peer.rooms.delete(message.room.toLowerCase());
        this.components.store.rooms.removeMember(message.room.toLowerCase(), peer.id);
        this.emit({ type: 'member_parted', room: message.room.toLowerCase(), peer: this.ref(peer) });
        return;
      case 'nick': {
        const previous = peer.nick;
        peer.nick = message.nick;
        this.components.store.contacts.pin(peer.id, message.nick);
        this.emit({ type: 'nick', peer: this.ref(peer), previous });
        return;
      }
      case 'msg':
        this.messenger.receive(peer, link, message);
        return;
      case 'ack':
        this.messenger.acked(peer, message.id);
        return;
      default:
        return;
    }
  }

  private linkWarning(err: unknown): void {
    if (this.stopping) return;
    const code = err instanceof LinkError ? err.code : 'link-failed';
    this.emit({ type: 'warning', code, message: err instanceof Error ? err.message : String(err) });
  }

  private resolve(name: string): Peer {
    const matches = this.peers.match(name);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new NodeError(
        'ambiguous-peer',
        `${name} is claimed by ${matches.length} identities; use nick#suffix or the id`,
      );
    }
    // Known but never seen this run (offline since before we started): a DM is queued for it.
    const contacts = this.components.store.contacts.findByNick(name);
    if (contacts.length === 1) {
      const contact = contacts[0]!;
      const key = new Uint8Array(Buffer.from(contact.id, 'base64url'));
      return this.peers.getOrCreate(contact.id, key, contact.nick);
    }
    if (contacts.length > 1)
      throw new NodeError(
        'ambiguous-peer',
        `${name} matches ${contacts.length} known identities; use the id`,
      );
    throw new NodeError('unknown-peer', `nobody called ${name} is known; /peers lists who is`);
  }

  private ref(peer: Peer): PeerRef {
    return { id: peer.id, nick: peer.nick };
  }

  private info(peer: Peer): PeerInfo {
    return {
      id: peer.id,
      nick: peer.nick,
      address: peer.link?.remoteAddress ?? peer.hint?.addresses[0] ?? '',
      online: peer.link !== undefined,
    };
  }

  private emit(event: NodeEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
