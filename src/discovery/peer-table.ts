// DNS-SD resolution (RFC 6763 §4–§6) from the record cache to peers: PTR → instance, SRV + TXT →
// port, host and key, A/AAAA of the SRV target → addresses. A peer exists once all of that is
// known; it is keyed by the public key from TXT (a nick change of one key is an update, not a new
// peer). Peers of another network (see peer-txt.ts) and our own records are never reported.
// Resolution is incremental: a cache change marks the instances whose records it touched (a host
// name marks the instances whose SRV targets it), and only those are resolved again, so a burst
// of N answers costs O(N) resolutions, not O(N²). `resolvePeers` is the from-scratch reference.
// A PTR or SRV that said goodbye (TTL 0) stays in the cache for the one-second grace of RFC 6762
// §10.1, but no longer resolves anything: the peer goes down at once, and comes back up if the
// instance is announced again within the grace. Goodbyes of a TXT or of one address take effect
// when the cache drops them, so one address leaving does not make the peer flicker.
import type { DiscoveryEvent, PeerHint } from './discovery.js';
import { isLinkLocalV6 } from './ip-address.js';
import { labelOfInstance, nickOfLabel, SERVICE_TYPE, sameName } from './mdns-names.js';
import type { MdnsRecord } from './mdns-packet.js';
import { readPeerTxt, type TxtContext } from './peer-txt.js';
import type { CacheEntry, RecordCache } from './record-cache.js';
import { recordKey } from './record-order.js';

export interface Missing {
  linkId: string;
  name: string;
  type: 'SRV' | 'TXT' | 'A' | 'AAAA';
}

export interface ResolvedPeer {
  hint: PeerHint;
  /** Lower-case names whose goodbye means this peer left. */
  names: string[];
  freshness: number;
  /** Cache order of the first PTR that resolves to this key: the order peers are listed in. */
  position: number;
}

export interface ResolveOptions extends TxtContext {
  ownPublicKey: string;
  interfaceOf(linkId: string): string | undefined;
  /** A lanchat instance of another network was resolved as far as its TXT (for counting). */
  onForeign?(instance: string): void;
}

/** Whether a PTR or SRV entry still counts for resolution (its owner has not said goodbye). */
function live(e: CacheEntry): boolean {
  return !e.withdrawn;
}

function latest(entries: CacheEntry[]): CacheEntry | undefined {
  return entries.reduce<CacheEntry | undefined>(
    (a, e) => (a && a.receivedAt >= e.receivedAt ? a : e),
    undefined,
  );
}

/** IPv4 first, then global IPv6, then link-local IPv6. */
function addressRank(address: string, linkLocal: boolean): number {
  if (!address.includes(':')) return 0;
  return linkLocal ? 2 : 1;
}

interface PtrResolution {
  peer?: Omit<ResolvedPeer, 'position'>;
  missing: Missing[];
}

/** What one `_lanchat._tcp` PTR entry resolves to (SRV, TXT, addresses), or what it lacks. */
function resolvePtr(cache: RecordCache, ptr: CacheEntry, options: ResolveOptions): PtrResolution {
  const missing: Missing[] = [];
  if (ptr.record.type !== 'PTR') return { missing };
  const instance = ptr.record.data;
  const label = labelOfInstance(instance);
  if (label === undefined) return { missing };
  const srvs = cache.find(instance, 'SRV');
  const srv = latest(srvs.filter(live));
  const txt = latest(cache.find(instance, 'TXT'));
  // An SRV that just said goodbye is not asked for again: its owner has left (if it only renewed
  // it, the new one is already here or on its way).
  if (!srv && srvs.length === 0) missing.push({ linkId: ptr.linkId, name: instance, type: 'SRV' });
  if (!txt) missing.push({ linkId: ptr.linkId, name: instance, type: 'TXT' });
  if (!srv || !txt || srv.record.type !== 'SRV' || txt.record.type !== 'TXT') return { missing };
  const read = readPeerTxt(txt.record.data, options, recordKey(txt.record));
  if (read.kind === 'foreign') options.onForeign?.(instance);
  if (read.kind !== 'peer' || read.publicKey === options.ownPublicKey) return { missing };
  const target = srv.record.data.target;
  // Address → its rank, computed once per address rather than in every comparison of the sort.
  const addresses = new Map<string, number>();
  for (const type of ['A', 'AAAA'] as const) {
    for (const a of cache.find(target, type)) {
      if (a.record.type !== 'A' && a.record.type !== 'AAAA') continue;
      const ifname = options.interfaceOf(a.linkId);
      const linkLocal = a.record.type === 'AAAA' && isLinkLocalV6(a.record.data);
      // A link-local address is only usable with the scope of the link we heard it on.
      const address = linkLocal && ifname ? `${a.record.data}%${ifname}` : a.record.data;
      if (!addresses.has(address)) addresses.set(address, addressRank(address, linkLocal));
    }
  }
  if (addresses.size === 0) {
    missing.push(
      { linkId: srv.linkId, name: target, type: 'A' },
      { linkId: srv.linkId, name: target, type: 'AAAA' },
    );
    return { missing };
  }
  const hint: PeerHint = {
    publicKey: read.publicKey,
    nick: read.nick ?? nickOfLabel(label),
    addresses: [...addresses]
      .sort(([a, rankA], [b, rankB]) => rankA - rankB || a.localeCompare(b))
      .map(([address]) => address),
    port: srv.record.data.port,
    source: 'mdns',
    instance: label,
  };
  const freshness = Math.max(srv.receivedAt, txt.receivedAt);
  return { peer: { hint, names: [instance.toLowerCase(), target.toLowerCase()], freshness }, missing };
}

/** Derives peers from the whole cache and lists what is still missing to resolve the others.
 * The reference for `IncrementalResolver`, which must always agree with it. */
export function resolvePeers(cache: RecordCache, options: ResolveOptions) {
  const peers = new Map<string, ResolvedPeer>();
  const missing: Missing[] = [];
  for (const ptr of cache.find(SERVICE_TYPE, 'PTR')) {
    if (!live(ptr)) continue;
    const r = resolvePtr(cache, ptr, options);
    missing.push(...r.missing);
    if (!r.peer) continue;
    const key = r.peer.hint.publicKey;
    const previous = peers.get(key);
    // Two instances with one key (a rename whose old records linger): the freshest one wins.
    if (!previous || previous.freshness < r.peer.freshness) {
      peers.set(key, { ...r.peer, position: previous?.position ?? ptr.order });
    }
  }
  return { peers, missing };
}

interface InstanceState {
  /** Cache order of the instance's first PTR. */
  order: number;
  peer?: ResolvedPeer;
  /** What its PTRs lack, each with the cache order of the PTR it came from. */
  missing: { order: number; item: Missing }[];
}

/** Keeps `resolvePeers`' answer up to date by re-resolving only the instances a change touched. */
export class IncrementalResolver {
  private readonly cache: RecordCache;
  private readonly options: () => ResolveOptions;
  /** Lower-case instance name → its resolution (only instances that have a PTR). */
  private readonly instances = new Map<string, InstanceState>();
  /** Public key → lower-case instances resolving to it. */
  private readonly byKey = new Map<string, Set<string>>();
  /** Instances with something missing. */
  private readonly incomplete = new Set<string>();
  private readonly dirtyInstances = new Set<string>();
  private readonly dirtyHosts = new Set<string>();
  /** How many instance resolutions have run (for tests: must grow with N, not N²). */
  resolutions = 0;

  constructor(cache: RecordCache, options: () => ResolveOptions) {
    this.cache = cache;
    this.options = options;
  }

  /** A record was added, refreshed or removed: its instance (or its host's instances) is dirty. */
  touch(record: MdnsRecord): void {
    switch (record.type) {
      case 'PTR':
        if (sameName(record.name, SERVICE_TYPE)) this.dirtyInstances.add(record.data.toLowerCase());
        return;
      case 'SRV':
      case 'TXT':
        this.dirtyInstances.add(record.name.toLowerCase());
        return;
      case 'A':
      case 'AAAA':
        this.dirtyHosts.add(record.name.toLowerCase());
        return;
      case 'OTHER':
        return;
    }
  }

  get dirty(): boolean {
    return this.dirtyInstances.size > 0 || this.dirtyHosts.size > 0;
  }

  /** Re-resolves the dirty instances. Returns, for every public key whose peer may have changed,
   * its current peer (undefined: no longer resolvable). */
  settle(): Map<string, ResolvedPeer | undefined> {
    // A host's addresses matter to the instances whose SRV targets it now; an instance whose SRV
    // stopped targeting it was touched through that SRV.
    for (const host of this.dirtyHosts) {
      for (const srv of this.cache.pointingAt(host, 'SRV'))
        this.dirtyInstances.add(srv.record.name.toLowerCase());
    }
    this.dirtyHosts.clear();
    const keys = new Set<string>();
    const options = this.options();
    for (const instance of this.dirtyInstances) {
      const old = this.instances.get(instance);
      if (old?.peer) keys.add(old.peer.hint.publicKey);
      const next = this.resolveInstance(instance, options);
      if (old?.peer) this.byKey.get(old.peer.hint.publicKey)?.delete(instance);
      if (next) this.instances.set(instance, next);
      else this.instances.delete(instance);
      if (next && next.missing.length > 0) this.incomplete.add(instance);
      else this.incomplete.delete(instance);
      if (next?.peer) {
        const key = next.peer.hint.publicKey;
        keys.add(key);
        let set = this.byKey.get(key);
        if (!set) {
          set = new Set();
          this.byKey.set(key, set);
        }
        set.add(instance);
      }
    }
    this.dirtyInstances.clear();
    const changes = new Map<string, ResolvedPeer | undefined>();
    for (const key of keys) changes.set(key, this.best(key));
    return changes;
  }

  /** What resolution still lacks, in cache order (like `resolvePeers`). Call after `settle`. */
  missing(): Missing[] {
    const all: { order: number; item: Missing }[] = [];
    for (const instance of this.incomplete) all.push(...(this.instances.get(instance)?.missing ?? []));
    return all.sort((a, b) => a.order - b.order).map((m) => m.item);
  }

  reset(): void {
    this.instances.clear();
    this.byKey.clear();
    this.incomplete.clear();
    this.dirtyInstances.clear();
    this.dirtyHosts.clear();
  }

  /** The freshest instance of a key wins; on a tie, the one whose PTR came first (resolvePeers). */
  private best(key: string): ResolvedPeer | undefined {
    const set = this.byKey.get(key);
    let winner: InstanceState | undefined;
    let position = Infinity;
    for (const instance of set ?? []) {
      const state = this.instances.get(instance);
      if (!state?.peer) continue;
      position = Math.min(position, state.order);
      if (
        !winner?.peer ||
        winner.peer.freshness < state.peer.freshness ||
        (winner.peer.freshness === state.peer.freshness && state.order < winner.order)
      )
        winner = state;
    }
    if (set && set.size === 0) this.byKey.delete(key);
    return winner?.peer ? { ...winner.peer, position } : undefined;
  }

  private resolveInstance(instance: string, options: ResolveOptions): InstanceState | undefined {
    this.resolutions++;
    const ptrs = this.cache
      .pointingAt(instance, 'PTR')
      .filter((e) => live(e) && sameName(e.record.name, SERVICE_TYPE))
      .sort((a, b) => a.order - b.order);
    const first = ptrs[0];
    if (!first) return undefined;
    const state: InstanceState = { order: first.order, missing: [] };
    for (const ptr of ptrs) {
      const r = resolvePtr(this.cache, ptr, options);
      for (const item of r.missing) state.missing.push({ order: ptr.order, item });
      // Every PTR of one instance resolves the same records; the first one's spelling wins.
      if (r.peer && !state.peer) state.peer = { ...r.peer, position: ptr.order };
    }
    return state;
  }
}

function sameHint(a: PeerHint, b: PeerHint): boolean {
  return a.nick === b.nick && a.port === b.port && a.addresses.join() === b.addresses.join();
}

/** Turns resolution changes into up / update / down events. */
export class PeerTable {
  private current = new Map<string, ResolvedPeer>();

  /** In the order `resolvePeers` would list them. */
  peers(): PeerHint[] {
    return [...this.current.values()].sort((a, b) => a.position - b.position).map((p) => p.hint);
  }

  /** Replaces the whole table with a full resolution. `goodbyeNames`: lower-case names removed by
   * a goodbye or cache flush since the last call. */
  update(next: Map<string, ResolvedPeer>, goodbyeNames: ReadonlySet<string>): DiscoveryEvent[] {
    const changes = new Map<string, ResolvedPeer | undefined>(next);
    for (const key of this.current.keys()) if (!next.has(key)) changes.set(key, undefined);
    return this.apply(changes, goodbyeNames);
  }

  /** Applies the current peers of the keys that may have changed (undefined: gone). Events: up
   * and update in list order, then down. */
  apply(
    changes: ReadonlyMap<string, ResolvedPeer | undefined>,
    goodbyeNames: ReadonlySet<string>,
  ): DiscoveryEvent[] {
    const shown: { at: number; event: DiscoveryEvent }[] = [];
    const gone: ResolvedPeer[] = [];
    for (const [key, peer] of changes) {
      const old = this.current.get(key);
      if (peer) {
        if (!old) shown.push({ at: peer.position, event: { type: 'up', peer: peer.hint } });
        else if (!sameHint(old.hint, peer.hint))
          shown.push({ at: peer.position, event: { type: 'update', peer: peer.hint } });
        this.current.set(key, peer);
      } else if (old) {
        gone.push(old);
        this.current.delete(key);
      }
    }
    const events = shown.sort((a, b) => a.at - b.at).map((s) => s.event);
    for (const old of gone.sort((a, b) => a.position - b.position)) {
      const reason = old.names.some((n) => goodbyeNames.has(n)) ? 'goodbye' : 'expired';
      events.push({ type: 'down', publicKey: old.hint.publicKey, reason });
    }
    return events;
  }

  clear(): DiscoveryEvent[] {
    const events: DiscoveryEvent[] = [...this.current.values()]
      .sort((a, b) => a.position - b.position)
      .map((p) => ({ type: 'down' as const, publicKey: p.hint.publicKey, reason: 'stopped' as const }));
    this.current.clear();
    return events;
  }
}
