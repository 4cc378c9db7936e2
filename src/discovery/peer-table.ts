// DNS-SD resolution (RFC 6763 §4–§6) from the record cache to peers: PTR → instance, SRV + TXT →
// port, host and key, A/AAAA of the SRV target → addresses. A peer exists once all of that is
// known; it is keyed by the public key from TXT (a nick change of one key is an update, not a new
// peer). Peers of another network (TXT `net` tag) and our own records are never reported.
import type { DiscoveryEvent, PeerHint } from './discovery.js';
import { isLinkLocalV6 } from './ip-address.js';
import { labelOfInstance, nickOfLabel, SERVICE_TYPE } from './mdns-names.js';
import type { CacheEntry, RecordCache } from './record-cache.js';
import { parseTxt } from './txt-record.js';

export interface Missing {
  linkId: string;
  name: string;
  type: 'SRV' | 'TXT' | 'A' | 'AAAA';
}

interface ResolvedPeer {
  hint: PeerHint;
  /** Lower-case names whose goodbye means this peer left. */
  names: string[];
  freshness: number;
}

export interface ResolveOptions {
  ownPublicKey: string;
  networkTag: string;
  interfaceOf(linkId: string): string | undefined;
}

function latest(entries: CacheEntry[]): CacheEntry | undefined {
  return entries.reduce<CacheEntry | undefined>(
    (a, e) => (a && a.receivedAt >= e.receivedAt ? a : e),
    undefined,
  );
}

function addressRank(address: string): number {
  if (!address.includes(':')) return 0;
  return isLinkLocalV6(address) ? 2 : 1;
}

/** Derives peers from the cache and lists what is still missing to resolve the others. */
export function resolvePeers(cache: RecordCache, options: ResolveOptions) {
  const peers = new Map<string, ResolvedPeer>();
  const missing: Missing[] = [];
  for (const ptr of cache.find(SERVICE_TYPE, 'PTR')) {
    if (ptr.record.type !== 'PTR') continue;
    const instance = ptr.record.data;
    const label = labelOfInstance(instance);
    if (label === undefined) continue;
    const srv = latest(cache.find(instance, 'SRV'));
    const txt = latest(cache.find(instance, 'TXT'));
    if (!srv) missing.push({ linkId: ptr.linkId, name: instance, type: 'SRV' });
    if (!txt) missing.push({ linkId: ptr.linkId, name: instance, type: 'TXT' });
    if (!srv || !txt || srv.record.type !== 'SRV' || txt.record.type !== 'TXT') continue;
    const parsed = parseTxt(txt.record.data);
    if (!parsed || parsed.networkTag !== options.networkTag || parsed.publicKey === options.ownPublicKey)
      continue;
    const target = srv.record.data.target;
    const addresses = new Set<string>();
    for (const type of ['A', 'AAAA'] as const) {
      for (const a of cache.find(target, type)) {
        if (a.record.type !== 'A' && a.record.type !== 'AAAA') continue;
        const ifname = options.interfaceOf(a.linkId);
        // A link-local address is only usable with the scope of the link we heard it on.
        addresses.add(isLinkLocalV6(a.record.data) && ifname ? `${a.record.data}%${ifname}` : a.record.data);
      }
    }
    if (addresses.size === 0) {
      missing.push(
        { linkId: srv.linkId, name: target, type: 'A' },
        { linkId: srv.linkId, name: target, type: 'AAAA' },
      );
      continue;
    }
    const hint: PeerHint = {
      publicKey: parsed.publicKey,
      nick: nickOfLabel(label),
      addresses: [...addresses].sort((a, b) => addressRank(a) - addressRank(b) || a.localeCompare(b)),
      port: srv.record.data.port,
      source: 'mdns',
    };
    const freshness = Math.max(srv.receivedAt, txt.receivedAt);
    const previous = peers.get(parsed.publicKey);
    // Two instances with one key (a rename whose old records linger): the freshest one wins.
    if (!previous || previous.freshness < freshness) {
      peers.set(parsed.publicKey, { hint, names: [instance.toLowerCase(), target.toLowerCase()], freshness });
    }
  }
  return { peers, missing };
}

function sameHint(a: PeerHint, b: PeerHint): boolean {
  return a.nick === b.nick && a.port === b.port && a.addresses.join() === b.addresses.join();
}

/** Turns successive resolutions into up / update / down events. */
export class PeerTable {
  private current = new Map<string, ResolvedPeer>();

  peers(): PeerHint[] {
    return [...this.current.values()].map((p) => p.hint);
  }

  /** `goodbyeNames`: lower-case names removed by a goodbye or cache flush since the last call. */
  update(next: Map<string, ResolvedPeer>, goodbyeNames: ReadonlySet<string>): DiscoveryEvent[] {
    const events: DiscoveryEvent[] = [];
    for (const [key, peer] of next) {
      const old = this.current.get(key);
      if (!old) events.push({ type: 'up', peer: peer.hint });
      else if (!sameHint(old.hint, peer.hint)) events.push({ type: 'update', peer: peer.hint });
    }
    for (const [key, old] of this.current) {
      if (next.has(key)) continue;
      const reason = old.names.some((n) => goodbyeNames.has(n)) ? 'goodbye' : 'expired';
      events.push({ type: 'down', publicKey: key, reason });
    }
    this.current = next;
    return events;
  }

  clear(): DiscoveryEvent[] {
    const events: DiscoveryEvent[] = [...this.current.keys()].map((publicKey) => ({
      type: 'down' as const,
      publicKey,
      reason: 'stopped' as const,
    }));
    this.current.clear();
    return events;
  }
}
