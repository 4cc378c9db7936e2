// One multicast packet reaches every node on the segment, and every node dials every key it hears
// announced: a host that announces hundreds of made-up keys, all at one address (any machine's,
// any port), would make each node on the floor open connections to that machine as fast as they
// fail, and retry them for as long as the records live: a SYN flood, amplified by the size of the
// floor, aimed wherever the forger likes. Each node dials one address at most DIAL_BUDGET.burst
// times at once, then DIAL_BUDGET.perSecond times a second, whatever the number of keys.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIAL_BUDGET } from '../../src/core/dial-budget.js';
import { base64Of } from '../../src/identity/ids.js';
import { NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import { startVictim } from './hostile-peer.js';
import { BOB, nextMorning } from './next-morning.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

const TARGET = '10.0.66.66'; // nobody listens there: every dial is refused at once

function key(i: number): string {
  const bytes = new Uint8Array(32);
  bytes[0] = 0x42;
  bytes[1] = i >> 8;
  bytes[2] = i & 255;
  return base64Of(bytes);
}

describe('forged keys announced at one address', () => {
  it('cost at most the per-address budget in dials, and honest peers still link', async () => {
    const dials: { address: string; at: number }[] = [];
    const victim = await startVictim(fx, 'victim', {
      transport: (base) => ({
        ...base,
        dial: (o) => {
          dials.push({ address: o.address, at: Date.now() });
          return base.dial(o);
        },
      }),
    });
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      victim.mdns.announce({ publicKey: key(i), nick: `ghost${i}`, addresses: [TARGET], port: 7475 });
      if (i % 30 === 29) await new Promise((r) => setTimeout(r, 50));
    }
    // Meanwhile a colleague arrives, on an address of its own: it is dialled as usual.
    const bob = await fx.start('bob');
    await waitFor('victim links bob', () => onlineIds(victim).includes(bob.node.id));
    await new Promise((r) => setTimeout(r, 2_000));
    const elapsed = (Date.now() - started) / 1000;
    const atTarget = dials.filter((d) => d.address === TARGET).length;
    expect(atTarget).toBeGreaterThan(0);
    expect(atTarget).toBeLessThanOrEqual(DIAL_BUDGET.burst + Math.ceil(elapsed * DIAL_BUDGET.perSecond));
  });

  it("spend nothing of a colleague's own address: a remembered peer is dialled where it linked", async () => {
    const { alice, mdns, dials, bobComes, bobId } = await nextMorning(fx);
    // The forger fills bob's address with made-up keys before he comes: their dials would use up
    // its budget, and alice's dials to bob with it.
    for (let i = 0; i < 300; i++) {
      mdns.announce({ publicKey: key(i), nick: `ghost${i}`, addresses: [BOB], port: 7475 });
      if (i % 30 === 29) await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor('the budget for his address is spent', () => dials.filter((d) => d === BOB).length > 40);
    await bobComes();
    await waitFor('alice reaches bob all the same', () => onlineIds(alice).includes(bobId), 5_000);
  });
});
