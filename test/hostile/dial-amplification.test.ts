// One multicast packet reaches every node on the segment, and every node dials every key it hears
// announced: a host that announces hundreds of made-up keys, all at one address (any machine's,
// any port), would make each node on the floor open connections to that machine as fast as they
// fail, and retry them for as long as the records live: a SYN flood, amplified by the size of the
// floor, aimed wherever the forger likes. Each node dials one address at most DIAL_BUDGET.burst
// times at once, then DIAL_BUDGET.perSecond times a second, whatever the number of keys.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIAL_BUDGET } from '../../src/core/dial-budget.js';
import { base64Of } from '../../src/identity/ids.js';
import { logDials, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import type { ForgeableDiscovery } from './forgeable-discovery.js';
import { startVictim } from './hostile-peer.js';
import { nextMorning } from './next-morning.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

const TARGET = '10.0.66.66'; // nobody listens there: every dial is refused at once

/** 300 made-up keys announced at `address`, 30 at a time, 50 ms apart. */
async function announceMadeUpKeys(mdns: ForgeableDiscovery, address: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const key = new Uint8Array(32);
    key[0] = 0x42;
    key[1] = i >> 8;
    key[2] = i & 255;
    mdns.announce({ publicKey: base64Of(key), nick: `ghost${i}`, addresses: [address], port: 7475 });
    if (i % 30 === 29) await new Promise((r) => setTimeout(r, 50));
  }
}

describe('forged keys announced at one address', () => {
  it('cost at most the per-address budget in dials, and honest peers still link', async () => {
    const dials: string[] = [];
    const victim = await startVictim(fx, 'victim', { transport: logDials(dials) });
    const started = Date.now();
    await announceMadeUpKeys(victim.mdns, TARGET);
    // Meanwhile a colleague arrives, on an address of its own: it is dialled as usual.
    const bob = await fx.start('bob');
    await waitFor('victim links bob', () => onlineIds(victim).includes(bob.node.id));
    await new Promise((r) => setTimeout(r, 2_000));
    const elapsed = (Date.now() - started) / 1000;
    const atTarget = dials.filter((d) => d === TARGET).length;
    expect(atTarget).toBeGreaterThan(0);
    expect(atTarget).toBeLessThanOrEqual(DIAL_BUDGET.burst + Math.ceil(elapsed * DIAL_BUDGET.perSecond));
  });

  it("spend nothing of a colleague's own address: a remembered peer is dialled where it linked", async () => {
    const { alice, mdns, dials, bobComes, bobId, bobHost } = await nextMorning(fx);
    // The forger fills bob's address with made-up keys before he comes: their dials would use up
    // its budget, and alice's dials to bob with it.
    await announceMadeUpKeys(mdns, bobHost);
    await waitFor(
      'the budget for his address is spent',
      () => dials.filter((d) => d === bobHost).length > 40,
    );
    await bobComes();
    await waitFor('alice reaches bob all the same', () => onlineIds(alice).includes(bobId), 5_000);
  });
});
