// `--peer KEY@HOST[:PORT]`: peers given by hand, for networks where multicast does not pass
// (VLANs, Wi-Fi client isolation). Host names are resolved with the system resolver; a name that
// does not resolve yet is retried, since a laptop may start before its VPN or DNS is up.
import { lookup as dnsLookup } from 'node:dns/promises';
import { base64Of } from '../identity/ids.js';
import { type Clock, systemClock, type TimerHandle } from './clock.js';
import type { Discovery, DiscoveryEvent, DiscoveryListener, LocalService, PeerHint } from './discovery.js';
import { DiscoveryListeners } from './discovery-listeners.js';

export const STATIC_RETRY_MS = 30_000;

export interface StaticPeer {
  publicKey: Uint8Array;
  host: string;
  port: number;
}

export type HostLookup = (host: string) => Promise<string[]>;

const systemLookup: HostLookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

export interface StaticPeersOptions {
  lookup?: HostLookup;
  clock?: Clock;
}

export class StaticPeers implements Discovery {
  private readonly entries: StaticPeer[];
  private readonly lookup: HostLookup;
  private readonly clock: Clock;
  private readonly listeners = new DiscoveryListeners();
  private readonly known = new Map<string, PeerHint>();
  private readonly timers = new Set<TimerHandle>();
  private running = false;

  constructor(entries: readonly StaticPeer[], options: StaticPeersOptions = {}) {
    this.entries = [...entries];
    this.lookup = options.lookup ?? systemLookup;
    this.clock = options.clock ?? systemClock;
  }

  async start(_local: LocalService): Promise<void> {
    this.running = true;
    // Resolution runs in the background: an unreachable DNS server must not delay start().
    for (const entry of this.entries) void this.resolve(entry);
  }

  private async resolve(entry: StaticPeer): Promise<void> {
    let addresses: string[];
    try {
      addresses = await this.lookup(entry.host);
    } catch (err) {
      if (!this.running) return;
      this.emit({
        type: 'warning',
        code: 'peer-unresolved',
        message: `--peer ${entry.host}: cannot resolve (${(err as Error).message}); retrying in ${STATIC_RETRY_MS / 1000} s`,
      });
      const timer = this.clock.setTimeout(() => {
        this.timers.delete(timer);
        void this.resolve(entry);
      }, STATIC_RETRY_MS);
      this.timers.add(timer);
      return;
    }
    if (!this.running || addresses.length === 0) return;
    const publicKey = base64Of(entry.publicKey);
    const previous = this.known.get(publicKey);
    const peer: PeerHint = {
      publicKey,
      nick: previous?.nick ?? entry.host,
      addresses: [...new Set([...(previous?.addresses ?? []), ...addresses])],
      port: entry.port,
      source: 'static',
    };
    this.known.set(publicKey, peer);
    this.emit(previous ? { type: 'update', peer } : { type: 'up', peer });
  }

  update(_change: Partial<Pick<LocalService, 'nick' | 'port'>>): void {
    // Nothing is published for static peers.
  }

  peers(): PeerHint[] {
    return [...this.known.values()];
  }

  subscribe(listener: DiscoveryListener): () => void {
    return this.listeners.add(listener);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    this.listeners.stopAll(this.known);
  }

  private emit(event: DiscoveryEvent): void {
    this.listeners.emit(event);
  }
}
