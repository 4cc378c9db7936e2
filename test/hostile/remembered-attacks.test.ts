// Anybody on the LAN can multicast an announcement, an update or a goodbye for any key. What that
// must not buy: a remembered peer's proven address (where an authenticated link once reached it:
// another subnet, a VLAN mDNS does not cross) pushed out by a forged one, or its dials ended by a
// forged goodbye; nor a dial for every forged packet (each update used to reset the peer's backoff
// and dial at once: one multicast packet, a connection from every node that hears it).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHANGED_DIAL_MS } from '../../src/core/dialer.js';
import { NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import { NEXT_MORNING_BACKOFF, nextMorning } from './next-morning.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

/** Where the forger says bob is: nobody listens there. */
const FORGED = ['10.0.66.66', '10.0.66.67', '10.0.66.68'];

describe('forged announcements of a remembered peer', () => {
  it('do not push out its remembered address: alice reaches bob there once he is up', async () => {
    const { alice, mdns, dials, bobComes, bobKey, bobId } = await nextMorning(fx);
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
    const { alice, mdns, dials, bobComes, bobKey, bobId } = await nextMorning(fx);
    mdns.goodbye(bobKey);
    // Her next dials find nobody there (bob is not up): with the goodbye believed, the first of
    // them would end her dialling for this run.
    const before = dials.length;
    await waitFor('two more dials fail', () => dials.length >= before + 2);
    await bobComes();
    await waitFor('alice still reaches bob', () => onlineIds(alice).includes(bobId), 5_000);
  });

  it('an announcement that then says goodbye leaves her dialling his remembered address', async () => {
    const { alice, mdns, dials, bobComes, bobKey, bobId } = await nextMorning(fx);
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
    const { mdns, dials, bobKey } = await nextMorning(fx);
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
    const bound =
      Math.ceil(elapsed / CHANGED_DIAL_MS) + 1 + Math.ceil(elapsed / NEXT_MORNING_BACKOFF.slow.initialMs);
    expect(forgedDials()).toBeGreaterThan(0);
    expect(forgedDials()).toBeLessThanOrEqual(bound);
  });
});
