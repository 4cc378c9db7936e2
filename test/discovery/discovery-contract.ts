// The Discovery contract: what core may rely on from every implementation (mDNS, memory, …).
// Each implementation's test file calls discoveryContract with a harness for its medium.
import { describe, expect, it } from 'vitest';
import type { Discovery, DiscoveryEvent, LocalService } from '../../src/discovery/discovery.js';

export interface ContractHarness {
  /** A new, unstarted instance on the shared medium; 'other': on another network (harnesses
   * whose networks differ by more than the tag, e.g. a sealed TXT key, make it differ there). */
  create(network?: 'other'): Discovery;
  /** False where the published name is opaque (a private network): a nick in use is then not
   * renamed, both peers simply carry it. Default true (RFC 6762 §9 renaming). */
  renamesTakenNicks?: boolean;
  /** Lets the medium deliver and time pass (probing, announcing…): long enough to converge. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const TAG = 'aaaaaaaaaaaaaaaa';

function service(n: number, nick: string, tag = TAG): LocalService {
  return { nick, port: 7000 + n, publicKey: new Uint8Array(32).fill(n), networkTag: tag };
}

const keyB64 = (n: number) => Buffer.from(new Uint8Array(32).fill(n)).toString('base64');

function recorder(d: Discovery) {
  const events: DiscoveryEvent[] = [];
  d.subscribe((e) => events.push(e));
  return events;
}

export function discoveryContract(name: string, makeHarness: () => ContractHarness): void {
  describe(`Discovery contract: ${name}`, () => {
    async function withHarness(fn: (h: ContractHarness) => Promise<void>) {
      const h = makeHarness();
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    }

    it('two instances find each other (nick, port, key, an address) and never themselves', () =>
      withHarness(async (h) => {
        const a = h.create();
        const b = h.create();
        const ea = recorder(a);
        await a.start(service(1, 'ann'));
        await b.start(service(2, 'ben'));
        await h.settle();
        expect(a.peers()).toEqual([
          expect.objectContaining({ publicKey: keyB64(2), nick: 'ben', port: 7002 }),
        ]);
        expect(b.peers()).toEqual([
          expect.objectContaining({ publicKey: keyB64(1), nick: 'ann', port: 7001 }),
        ]);
        expect(a.peers()[0]!.addresses.length).toBeGreaterThan(0);
        expect(ea.filter((e) => e.type === 'up')).toHaveLength(1);
        expect(ea).toContainEqual({ type: 'announced', nick: 'ann' });
      }));

    it('a nick or port change reaches the other as an update of the same key', () =>
      withHarness(async (h) => {
        const a = h.create();
        const b = h.create();
        const eb = recorder(b);
        await a.start(service(1, 'ann'));
        await b.start(service(2, 'ben'));
        await h.settle();
        a.update({ nick: 'anna', port: 7100 });
        await h.settle();
        expect(b.peers()).toEqual([
          expect.objectContaining({ publicKey: keyB64(1), nick: 'anna', port: 7100 }),
        ]);
        expect(eb.filter((e) => e.type === 'up')).toHaveLength(1);
        expect(eb.some((e) => e.type === 'update')).toBe(true);
        expect(eb.some((e) => e.type === 'down')).toBe(false);
      }));

    it('stop() makes the others report down with reason goodbye; stop is idempotent', () =>
      withHarness(async (h) => {
        const a = h.create();
        const b = h.create();
        const eb = recorder(b);
        const ea = recorder(a);
        await a.start(service(1, 'ann'));
        await b.start(service(2, 'ben'));
        await h.settle();
        await a.stop();
        await a.stop();
        await h.settle();
        expect(eb).toContainEqual({ type: 'down', publicKey: keyB64(1), reason: 'goodbye' });
        expect(b.peers()).toEqual([]);
        expect(ea).toContainEqual({ type: 'down', publicKey: keyB64(2), reason: 'stopped' });
      }));

    it('peers of another network tag are never reported (with a positive control)', () =>
      withHarness(async (h) => {
        const a = h.create();
        const b = h.create();
        const other = h.create('other');
        const ea = recorder(a);
        await a.start(service(1, 'ann'));
        await b.start(service(2, 'ben'));
        await other.start(service(3, 'oz', 'bbbbbbbbbbbbbbbb'));
        await h.settle();
        expect(a.peers().map((p) => p.nick)).toEqual(['ben']);
        expect(
          ea.some((e) => (e.type === 'up' || e.type === 'update') && e.peer.publicKey === keyB64(3)),
        ).toBe(false);
        expect(other.peers()).toEqual([]);
      }));

    it('a nick already in use is renamed "nick (2)" (or kept, behind an opaque name), and both are reachable', () =>
      withHarness(async (h) => {
        const a = h.create();
        const b = h.create();
        const watcher = h.create();
        const events = [recorder(a), recorder(b)];
        await a.start(service(1, 'alice'));
        await h.settle();
        await b.start(service(2, 'alice'));
        await watcher.start(service(3, 'watcher'));
        await h.settle();
        expect(
          watcher
            .peers()
            .map((p) => p.nick)
            .sort(),
        ).toEqual(h.renamesTakenNicks === false ? ['alice', 'alice'] : ['alice', 'alice (2)']);
        expect(events.flat().filter((e) => e.type === 'renamed')).toEqual(
          h.renamesTakenNicks === false ? [] : [{ type: 'renamed', nick: 'alice (2)', previous: 'alice' }],
        );
      }));

    it('unsubscribe stops events', () =>
      withHarness(async (h) => {
        const a = h.create();
        const b = h.create();
        const events: DiscoveryEvent[] = [];
        const off = a.subscribe((e) => events.push(e));
        off();
        await a.start(service(1, 'ann'));
        await b.start(service(2, 'ben'));
        await h.settle();
        expect(events).toEqual([]);
        expect(a.peers()).toHaveLength(1);
      }));

    it('start() twice is an error', () =>
      withHarness(async (h) => {
        const a = h.create();
        await a.start(service(1, 'ann'));
        await expect(a.start(service(1, 'ann'))).rejects.toMatchObject({ code: 'bad-state' });
      }));
  });
}
