// The subscribers of one Discovery: every source (mDNS, static peers, DNS-SD, the in-memory bus,
// the combination of them) keeps the same set and delivers events the same way, so it is here once.
import type { DiscoveryEvent, DiscoveryListener, PeerHint } from './discovery.js';

export class DiscoveryListeners {
  private readonly listeners = new Set<DiscoveryListener>();

  /** Adds `listener`; returns the unsubscribe function (Discovery.subscribe's contract). */
  add(listener: DiscoveryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers `event` to every listener subscribed now (one that unsubscribes meanwhile still gets
   * this event). A listener's bug must not break discovery: its throw is swallowed. */
  emit(event: DiscoveryEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // Swallowed on purpose (see above).
      }
    }
  }

  /** On stop(): forgets every peer in `known` and reports each one down ('stopped'). The map is
   * emptied before the first event, so a listener that asks peers() then already sees none. */
  stopAll(known: Map<string, PeerHint>): void {
    const gone = [...known.keys()];
    known.clear();
    for (const publicKey of gone) this.emit({ type: 'down', publicKey, reason: 'stopped' });
  }
}
