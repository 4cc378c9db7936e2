// Answer handling must scale with what changed, not with the cache: a node joining a LAN of N
// peers hears ~N answers, and resolving them must cost O(N) instance resolutions (it used to
// re-resolve every peer from the whole cache on every answer: O(N²)). The incremental resolver
// must also agree with the from-scratch reference, `resolvePeers`, after any sequence of changes.
import { describe, expect, it } from 'vitest';
import type { DiscoveryEvent } from '../../src/discovery/discovery.js';
import type { MdnsRecord } from '../../src/discovery/mdns-packet.js';
import {
  IncrementalResolver,
  PeerTable,
  type ResolveOptions,
  resolvePeers,
} from '../../src/discovery/peer-table.js';
import { type CacheEntry, RecordCache } from '../../src/discovery/record-cache.js';
import { b64, MdnsKit, NET_TAG, peerResponse, typesOf } from './mdns-kit.js';

const N = 50;
const SERVICE = '_lanchat._tcp.local';

function peerAnswers(n: number) {
  return Array.from({ length: n }, (_, i) =>
    peerResponse({ nick: `peer-${i}`, key: 2 + i, address: `10.0.0.${100 + i}` }),
  );
}

function ups(events: DiscoveryEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'up' ? [e.peer.publicKey] : []));
}

describe('answer handling scales linearly', () => {
  it(`${N} peers' answers back to back: ${N} ups, O(N) resolutions, one table update`, async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'joiner', { key: 1 });
    await kit.clock.advance(10);
    const before = a.discovery.resolutionStats();
    for (const [i, p] of peerAnswers(N).entries())
      kit.inject(p, { address: `10.0.0.${100 + i}`, port: 5353 });
    await kit.clock.advance(10);
    expect(new Set(ups(a.events))).toEqual(new Set(Array.from({ length: N }, (_, i) => b64(2 + i))));
    expect(a.discovery.peers()).toHaveLength(N);
    const stats = a.discovery.resolutionStats();
    // One delivery per 0 ms timer, all due at once: the recomputation is coalesced into one.
    expect(stats.settles - before.settles).toBeLessThanOrEqual(2);
    expect(stats.resolutions - before.resolutions).toBeLessThanOrEqual(2 * N);
  });

  it(`${N} peers' answers each in a macrotask of its own: still O(N) resolutions`, async () => {
    const kit = new MdnsKit();
    const a = await kit.node('10.0.0.1', 'joiner', { key: 1 });
    await kit.clock.advance(10);
    const before = a.discovery.resolutionStats();
    for (const [i, p] of peerAnswers(N).entries()) {
      kit.inject(p, { address: `10.0.0.${100 + i}`, port: 5353 });
      await kit.clock.advance(1);
    }
    await kit.clock.advance(10);
    expect(new Set(ups(a.events)).size).toBe(N);
    expect(typesOf(a.events).filter((t) => t === 'up')).toHaveLength(N);
    const stats = a.discovery.resolutionStats();
    // Re-resolving everything on each answer would be N(N+1)/2 = 1275 here.
    expect(stats.resolutions - before.resolutions).toBeLessThanOrEqual(2 * N);
    expect(stats.settles - before.settles).toBeLessThanOrEqual(N + 2);
  });

  it('a node joining a LAN of 20 real nodes finds all of them with O(N) resolutions', async () => {
    const kit = new MdnsKit();
    const lan = [];
    for (let i = 0; i < 20; i++) lan.push(await kit.node(`10.0.0.${10 + i}`, `n${i}`));
    await kit.clock.advance(10_000);
    const joiner = await kit.node('10.0.0.2', 'joiner');
    await kit.clock.advance(5_000);
    expect(new Set(ups(joiner.events)).size).toBe(20);
    expect(joiner.discovery.resolutionStats().resolutions).toBeLessThanOrEqual(4 * 20);
    for (const n of lan) expect(ups(n.events)).toContain(b64(2));
  });
});

/** A small seeded PRNG (mulberry32): the fuzz below is deterministic. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('incremental resolution agrees with resolving from scratch', () => {
  const options: ResolveOptions = {
    ownPublicKey: b64(200),
    networkTag: NET_TAG,
    interfaceOf: (id) => (id === 'l2' ? 'eth1' : 'eth0'),
  };

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`random cache histories agree (seed ${seed})`, () => {
      const random = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
      const cache = new RecordCache(random);
      const resolver = new IncrementalResolver(cache, () => options);
      const incremental = new PeerTable();
      const reference = new PeerTable();
      const goodbyes = new Set<string>();
      const instances = ['a', 'B', 'c', 'd', 'e'].map((l) => `${l}.${SERVICE}`);
      const hosts = ['h1.local', 'H2.local', 'h3.local'];
      const keys = [b64(1), b64(2), b64(3), b64(4), b64(200)];
      let now = 0;
      let settled = 0;
      let most = 0;
      let seen = 0;

      const record = (): MdnsRecord => {
        const ttl = pick([0, 5, 30, 120, 120, 4500]);
        const flush = random() < 0.3;
        switch (pick(['PTR', 'PTR', 'SRV', 'TXT', 'A', 'AAAA'] as const)) {
          case 'PTR': {
            const instance = pick(instances);
            return {
              name: SERVICE,
              type: 'PTR',
              ttl,
              flush: false,
              data: random() < 0.2 ? instance.toUpperCase() : instance,
            };
          }
          case 'SRV':
            return {
              name: pick(instances),
              type: 'SRV',
              ttl,
              flush,
              data: { priority: 0, weight: 0, port: pick([7000, 7001]), target: pick(hosts) },
            };
          case 'TXT': {
            const tag = random() < 0.15 ? 'ffffffffffffffff' : NET_TAG;
            const data = ['v=1', `pk=${pick(keys)}`, `net=${tag}`].map((e) => Buffer.from(e));
            return { name: pick(instances), type: 'TXT', ttl, flush, data };
          }
          case 'A':
            return { name: pick(hosts), type: 'A', ttl, flush, data: pick(['10.0.0.5', '10.0.0.6']) };
          case 'AAAA':
            return { name: pick(hosts), type: 'AAAA', ttl, flush, data: pick(['fe80::1', 'fd00::1']) };
        }
      };

      const removed = (entries: CacheEntry[]) => {
        for (const e of entries) {
          resolver.touch(e.record);
          if (!e.goodbye) continue;
          goodbyes.add(e.record.name.toLowerCase());
          if (e.record.type === 'PTR') goodbyes.add(e.record.data.toLowerCase());
        }
      };

      for (let step = 0; step < 600; step++) {
        const op = random();
        if (op < 0.75) {
          const linkId = random() < 0.8 ? 'l1' : 'l2';
          const r = record();
          if (r.flush) cache.flushRrset(linkId, r, now);
          const entry = cache.put(linkId, r, now);
          if (entry) resolver.touch(entry.record);
        } else if (op < 0.93) {
          now += pick([100, 1000, 3000, 10_000]);
          removed(cache.expire(now));
          cache.dueRefresh(now);
          // The cache's next deadline is the earliest of its entries' (heap vs brute force).
          const times = [...cache.all()].flatMap((e) => [
            e.expiresAt,
            e.refreshAt[0] ?? Infinity,
            e.unanswered >= 2 ? e.firstUnansweredAt + 10_000 : Infinity,
          ]);
          expect(cache.nextDeadline() ?? Infinity).toBe(Math.min(Infinity, ...times));
        } else if (op < 0.95) {
          removed(cache.removeLink(pick(['l1', 'l2'])).map((e) => ({ ...e, goodbye: false })));
        } else {
          // POOF bookkeeping moves deadlines too (§10.5).
          const entry = pick([...cache.all()]);
          if (entry) cache.noteUnanswered(entry, now);
        }
        // Several changes are often settled at once (coalescing).
        if (random() < 0.5) continue;
        settled++;
        const events = incremental.apply(resolver.settle(), goodbyes);
        const full = resolvePeers(cache, options);
        const expected = reference.update(full.peers, goodbyes);
        goodbyes.clear();
        expect(events).toEqual(expected);
        expect(incremental.peers()).toEqual(reference.peers());
        expect(resolver.missing()).toEqual(full.missing);
        most = Math.max(most, reference.peers().length);
        seen += events.length;
      }
      // The histories are rich enough to mean something.
      expect(settled).toBeGreaterThan(200);
      expect(most).toBeGreaterThanOrEqual(2);
      expect(seen).toBeGreaterThan(10);
    });
  }
});
