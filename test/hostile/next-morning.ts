// A colleague remembered from yesterday, as an attacker on the LAN finds the victim the next
// morning: alice and bob were linked once by an invite (each with a discovery of its own, as on
// two subnets), then both stopped; alice restarts with a discovery the forger can inject into
// (ForgeableDiscovery), logging every address she dials. Bob is not up yet.
import type { NodeInit } from '../../src/core/node.js';
import { MemoryDiscovery, MemoryDiscoveryBus } from '../../src/discovery/memory-discovery.js';
import { base64Of } from '../../src/identity/ids.js';
import { TransportError } from '../../src/transport/transport.js';
import { inviteOf, type NodeFixture, onlineIds, type TestNode, waitFor } from '../core/node-fixture.js';
import { ForgeableDiscovery } from './forgeable-discovery.js';

export const ALICE = '10.0.6.1';
export const BOB = '10.0.6.2';

/** Remembered peers are retried on the slow schedule: short here, so a test sees several. */
export const NEXT_MORNING_BACKOFF: NonNullable<NodeInit['backoff']> = {
  fast: { initialMs: 50, maxMs: 200 },
  slow: { initialMs: 150, maxMs: 300 },
  fastForMs: 60_000,
};

function isolated(host: string): MemoryDiscovery {
  return new MemoryDiscovery(new MemoryDiscoveryBus(), { address: host });
}

export async function nextMorning(fx: NodeFixture) {
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
    init: { backoff: NEXT_MORNING_BACKOFF },
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
