// The victim's discovery as an attacker on the LAN sees it: anybody can multicast an mDNS
// announcement, rename or goodbye for any key, so a test needs to make such packets "arrive".
// This wraps a real discovery (normally the in-memory bus) and lets a test inject events next to
// the real ones, exactly where a forged packet would surface: the listener core subscribed.
import type {
  Discovery,
  DiscoveryEvent,
  DiscoveryListener,
  LocalService,
  PeerHint,
} from '../../src/discovery/discovery.js';

export class ForgeableDiscovery implements Discovery {
  private readonly listeners = new Set<DiscoveryListener>();
  private readonly forged = new Map<string, PeerHint>();

  constructor(private readonly inner: Discovery) {
    inner.subscribe((event) => this.emit(event));
  }

  start(local: LocalService): Promise<void> {
    return this.inner.start(local);
  }

  update(change: Partial<Pick<LocalService, 'nick' | 'port'>>): void {
    this.inner.update(change);
  }

  peers(): PeerHint[] {
    const real = this.inner.peers();
    const keys = new Set(real.map((p) => p.publicKey));
    return [...real, ...[...this.forged.values()].filter((p) => !keys.has(p.publicKey))];
  }

  subscribe(listener: DiscoveryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  /** A forged announcement: `publicKey` (base64) claims `nick` at `addresses`. A second one for the
   * same key arrives as an 'update' (a rename, as far as the victim can tell). */
  announce(hint: Omit<PeerHint, 'source'>): void {
    const peer: PeerHint = { ...hint, source: 'mdns' };
    const had = this.forged.has(peer.publicKey);
    this.forged.set(peer.publicKey, peer);
    this.emit(had ? { type: 'update', peer } : { type: 'up', peer });
  }

  /** A forged goodbye (TTL 0) for any key, including one that is connected right now. */
  goodbye(publicKey: string): void {
    this.forged.delete(publicKey);
    this.emit({ type: 'down', publicKey, reason: 'goodbye' });
  }

  /** Its records aged out, or went early for want of answers (POOF, RFC 6762 §10.5). */
  expire(publicKey: string): void {
    this.forged.delete(publicKey);
    this.emit({ type: 'down', publicKey, reason: 'expired' });
  }

  private emit(event: DiscoveryEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
