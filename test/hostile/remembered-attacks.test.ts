// Anybody on the LAN can multicast an announcement, an update or a goodbye for any key. What that
// must not buy: a remembered peer's proven address (where an authenticated link once reached it:
// another subnet, a VLAN mDNS does not cross) pushed out by a forged one, or its dials ended by a
// forged goodbye; nor a dial for every forged packet (each update used to reset the peer's backoff
// and dial at once: one multicast packet, a connection from every node that hears it).
import { afterEach, describe, expect, it } from 'vitest';
import { CHANGED_DIAL_MS } from '../../src/core/dialer.js';
import type { NodeInit } from '../../src/core/node.js';
import { MemoryDiscovery, MemoryDiscoveryBus } from '../../src/discovery/memory-discovery.js';
import { base64Of } from '../../src/identity/ids.js';
import { TransportError } from '../../src/transport/transport.js';
import { inviteOf, NodeFixture, onlineIds, type TestNode, waitFor } from '../core/node-fixture.js';
import { ForgeableDiscovery } from './forgeable-discovery.js';

let fx: NodeFixture;
afterEach(async () => {
  await fx.destroy();
});

const ALICE = '10.0.6.1';
const BOB = '10.0.6.2';
/** Where the forger says bob is: nobody listens there. */
const FORGED = ['10.0.66.66', '10.0.66.67', '10.0.66.68'];
/** Remembered peers are retried on the slow schedule: short here, so a test sees several. */
const BACKOFF: NonNullable<NodeInit['backoff']> = {
  fast: { initialMs: 50, maxMs: 200 },
  slow: { initialMs: 150, maxMs: 300 },
  fastForMs: 60_000,
};

function isolated(host: string): MemoryDiscovery {
  return new MemoryDiscovery(new MemoryDiscoveryBus(), { address: host });
}

/** alice and bob linked once by an invite (each with a discovery of its own), then both stopped;
 * alice restarts the next morning with a discovery the forger can inject into, logging her dials.
 * Bob is not up yet. */
async function nextMorning() {
  fx = new NodeFixture();
  const a = await fx.start('alice', { host: ALICE, discovery: isolated(ALICE) });
  const b = await fx.start('bob', { host: BOB, discovery: isolated(BOB) });
  a.node.connectPeer(inviteOf(b));
  await waitFor('linked', () => onlineIds(a).includes(b.node.id));
  const bobIdentity = b.identity;
  const spec = { identity: a.identity, dbPath: a.dbPath, host: ALICE };
  await fx.stop(a);
  await fx.stop(b);
  const dials: string[] = [];
  const mdns = new ForgeableDiscovery(isolated(ALICE));
  const alice = await fx.start('alice', {
    ...spec,
    discovery: mdns,
    init: { backoff: BACKOFF },
    transport: (base) => ({
      ...base,
      dial: (o) => {
        dials.push(o.address);
        return base.dial(o);
      },
    }),
  });
  await waitFor('alice dials bob from memory', () => dials.includes(BOB));
  /** Bob comes up where alice remembers him; he neither announces himself to her nor dials her
   * (a firewall between: only her dials get through), so only her own dial can link them. */
  const bobComes = (): Promise<TestNode> =>
    fx.start('bob', {
      identity: bobIdentity,
      host: BOB,
      discovery: isolated(BOB),
      transport: (base) => ({
        ...base,
        dial: async ({ address, port }) => {
          throw new TransportError('unreachable', `cannot reach ${address}:${port} (firewall)`);
        },
      }),
    });
  const bobKey = base64Of(bobIdentity.publicKey);
  const bobId = Buffer.from(bobIdentity.publicKey).toString('base64url');
  return { alice, mdns, dials, bobComes, bobKey, bobId };
}

describe('forged announcements of a remembered peer', () => {
  it('do not push out its remembered address: alice reaches bob there once he is up', async () => {
    const { alice, mdns, dials, bobComes, bobKey, bobId } = await nextMorning();
    mdns.announce({ publicKey: bobKey, nick: 'bob', addresses: [FORGED[0] as string], port: 7475 });
    await waitFor('alice tries the forged address', () => dials.includes(FORGED[0] as string));
    await bobComes();
    await waitFor(
      'alice reaches bob at his remembered address',
      () => onlineIds(alice).includes(bobId),
      5_000,
    );
  });

  it('nor does a forged goodbye end her dials to where she remembers him', async () => {
    const { alice, mdns, dials, bobComes, bobKey, bobId } = await nextMorning();
    mdns.goodbye(bobKey);
    // Her next dials find nobody there (bob is not up): with the goodbye believed, the first of
    // them would end her dialling for this run.
    const before = dials.length;
    await waitFor('two more dials fail', () => dials.length >= before + 2);
    await bobComes();
    await waitFor('alice still reaches bob', () => onlineIds(alice).includes(bobId), 5_000);
  });

  it('an announcement that then says goodbye leaves her dialling his remembered address', async () => {
    const { alice, mdns, dials, bobComes, bobKey, bobId } = await nextMorning();
    mdns.announce({ publicKey: bobKey, nick: 'bob', addresses: [FORGED[0] as string], port: 7475 });
    await waitFor('alice tries the forged address', () => dials.includes(FORGED[0] as string));
    mdns.goodbye(bobKey);
    const before = dials.length;
    await waitFor('two more dials fail', () => dials.length >= before + 2);
    expect(dials.slice(before)).not.toContain(FORGED[0]);
    await bobComes();
    await waitFor('alice reaches bob', () => onlineIds(alice).includes(bobId), 5_000);
  });

  it('a stream of forged updates costs one dial per CHANGED_DIAL_MS, not one per packet', async () => {
    const { mdns, dials, bobKey } = await nextMorning();
    const forgedDials = () => dials.filter((d) => FORGED.includes(d)).length;
    // 150 updates over ≈ 1.5 s, each naming a new address or nick (each one is an 'update').
    const started = Date.now();
    for (let i = 0; i < 150; i++) {
      const address = FORGED[i % FORGED.length] as string;
      mdns.announce({ publicKey: bobKey, nick: `bob${i}`, addresses: [address], port: 7475 });
      await new Promise((r) => setTimeout(r, 10));
    }
    const elapsed = Date.now() - started;
    // Each dial tries the forged address, then the remembered one. Allowed: one at once for each
    // CHANGED_DIAL_MS, and the retries of the slow schedule (≥ 150 ms apart) in between.
    const bound = Math.ceil(elapsed / CHANGED_DIAL_MS) + 1 + Math.ceil(elapsed / BACKOFF.slow.initialMs);
    expect(forgedDials()).toBeGreaterThan(0);
    expect(forgedDials()).toBeLessThanOrEqual(bound);
  });
});
