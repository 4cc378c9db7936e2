// A colleague remembered from yesterday, as an attacker on the LAN finds the victim the next
// morning: alice and bob were linked once by an invite (each with a discovery of its own, as on
// two subnets), then both stopped; alice restarts with a discovery the forger can inject into
// (ForgeableDiscovery), logging every address she dials. Bob is not up yet.
import type { NodeInit } from '../../src/core/node.js';
import { base64Of } from '../../src/identity/ids.js';
import { TransportError } from '../../src/transport/transport.js';
import {
  failingDials,
  isolated,
  linkedThenStopped,
  logDials,
  type NodeFixture,
  type TestNode,
  waitFor,
} from '../core/node-fixture.js';
import { ForgeableDiscovery } from './forgeable-discovery.js';

/** Remembered peers are retried on the slow schedule: short here, so a test sees several. */
export const NEXT_MORNING_BACKOFF: NonNullable<NodeInit['backoff']> = {
  fast: { initialMs: 50, maxMs: 200 },
  slow: { initialMs: 150, maxMs: 300 },
  fastForMs: 60_000,
};

export async function nextMorning(fx: NodeFixture) {
  const { spec, b } = await linkedThenStopped(fx);
  const bobIdentity = b.identity;
  const bobHost = b.host;
  const dials: string[] = [];
  const mdns = new ForgeableDiscovery(isolated(spec.host));
  const alice = await fx.start('alice', {
    ...spec,
    discovery: mdns,
    init: { backoff: NEXT_MORNING_BACKOFF },
    transport: logDials(dials),
  });
  await waitFor('alice dials bob from memory', () => dials.includes(bobHost));
  /** Bob comes up where alice remembers him; he neither announces himself to her nor dials her
   * (a firewall between: only her dials get through), so only her own dial can link them. */
  const bobComes = (): Promise<TestNode> =>
    fx.start('bob', {
      identity: bobIdentity,
      host: bobHost,
      discovery: isolated(bobHost),
      transport: (base) =>
        failingDials(
          base,
          (address) => new TransportError('unreachable', `cannot reach ${address} (firewall)`),
        ),
    });
  const bobKey = base64Of(bobIdentity.publicKey);
  const bobId = Buffer.from(bobIdentity.publicKey).toString('base64url');
  return { alice, mdns, dials, bobComes, bobKey, bobId, bobHost };
}
