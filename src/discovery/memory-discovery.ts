// Discovery over an in-process bus, for in-process node tests: every started instance on one bus
// sees the others of its network tag, with the same events as mDNS (up, update, down, renamed,
// announced). Delivery is asynchronous, like a network.
import { base64Of } from '../identity/ids.js';
import type { Discovery, DiscoveryEvent, DiscoveryListener, LocalService, PeerHint } from './discovery.js';
import { DiscoveryError } from './discovery-error.js';
import { DiscoveryListeners } from './discovery-listeners.js';
import { instanceLabel, nextInstanceLabel, nickOfLabel } from './mdns-names.js';

export class MemoryDiscoveryBus {
  readonly members = new Set<MemoryDiscovery>();
}

export interface MemoryDiscoveryOptions {
  /** The address peers are told to dial (default 127.0.0.1). */
  address?: string;
}

export class MemoryDiscovery implements Discovery {
  private readonly bus: MemoryDiscoveryBus;
  private readonly address: string;
  private readonly listeners = new DiscoveryListeners();
  private readonly known = new Map<string, PeerHint>();
  private local: LocalService | undefined;
  private state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(bus: MemoryDiscoveryBus, options: MemoryDiscoveryOptions = {}) {
    this.bus = bus;
    this.address = options.address ?? '127.0.0.1';
  }

  /** What the others see of us, or undefined when not published. */
  hint(): PeerHint | undefined {
    if (!this.local || this.state !== 'running') return undefined;
    return {
      publicKey: base64Of(this.local.publicKey),
      nick: this.local.nick,
      addresses: [this.address],
      port: this.local.port,
      source: 'memory',
    };
  }

  async start(local: LocalService): Promise<void> {
    if (this.state !== 'idle') throw new DiscoveryError('bad-state', 'memory discovery was already started');
    this.local = { ...local, nick: nickOfLabel(instanceLabel(local.nick)) };
    this.state = 'running';
    this.resolveNickConflict();
    this.bus.members.add(this);
    const me = this.hint();
    const nick = this.local.nick;
    queueMicrotask(() => {
      if (this.state !== 'running' || !me) return;
      this.emit({ type: 'announced', nick });
      for (const other of this.bus.members) {
        if (other === this || !other.sameNetwork(this)) continue;
        const theirs = other.hint();
        if (theirs) this.deliver({ type: 'up', peer: theirs });
        other.deliver({ type: 'up', peer: me });
      }
    });
  }

  /** RFC 6762 §9 behaviour, emulated: a taken nick becomes `nick (2)`. */
  private resolveNickConflict(): void {
    const local = this.local;
    if (!local) return;
    const taken = (nick: string) =>
      [...this.bus.members].some((m) => m !== this && m.sameNetwork(this) && m.hint()?.nick === nick);
    const previous = local.nick;
    let label = instanceLabel(local.nick);
    while (taken(nickOfLabel(label))) label = nextInstanceLabel(label);
    local.nick = nickOfLabel(label);
    if (local.nick !== previous) {
      const renamed: DiscoveryEvent = { type: 'renamed', nick: local.nick, previous };
      queueMicrotask(() => this.emit(renamed));
    }
  }

  private sameNetwork(other: MemoryDiscovery): boolean {
    return this.local !== undefined && this.local.networkTag === other.local?.networkTag;
  }

  update(change: Partial<Pick<LocalService, 'nick' | 'port'>>): void {
    if (!this.local || this.state !== 'running')
      throw new DiscoveryError('bad-state', 'update() before start()');
    if (change.port !== undefined) this.local.port = change.port;
    if (change.nick !== undefined) {
      this.local.nick = nickOfLabel(instanceLabel(change.nick));
      this.resolveNickConflict();
    }
    const me = this.hint();
    queueMicrotask(() => {
      if (!me || this.state !== 'running') return;
      if (change.nick !== undefined) this.emit({ type: 'announced', nick: me.nick });
      for (const other of this.bus.members)
        if (other !== this && other.sameNetwork(this)) other.deliver({ type: 'update', peer: me });
    });
  }

  peers(): PeerHint[] {
    return [...this.known.values()];
  }

  subscribe(listener: DiscoveryListener): () => void {
    return this.listeners.add(listener);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const me = this.hint();
    this.state = 'stopped';
    this.bus.members.delete(this);
    if (me) {
      for (const other of this.bus.members) {
        if (other.sameNetwork(this))
          other.deliver({ type: 'down', publicKey: me.publicKey, reason: 'goodbye' });
      }
    }
    this.listeners.stopAll(this.known);
  }

  private deliver(event: DiscoveryEvent): void {
    queueMicrotask(() => {
      if (this.state !== 'running') return;
      if (event.type === 'up' || event.type === 'update') {
        const had = this.known.has(event.peer.publicKey);
        this.known.set(event.peer.publicKey, event.peer);
        this.emit(had ? { type: 'update', peer: event.peer } : { type: 'up', peer: event.peer });
      } else if (event.type === 'down') {
        if (this.known.delete(event.publicKey)) this.emit(event);
      }
    });
  }

  private emit(event: DiscoveryEvent): void {
    this.listeners.emit(event);
  }
}
