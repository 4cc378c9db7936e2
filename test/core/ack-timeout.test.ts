// The ack safety net: a DM whose ack never comes is sent again on the same link after the ack
// timeout (the receiver stores each id once and acks the copy), instead of waiting until the link
// drops, however long that takes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HostilePeer, startVictim } from '../hostile/hostile-peer.js';
import { eventsOf, NodeFixture, onlineIds, waitFor } from './node-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe('acks that never come', () => {
  it('a DM with no ack is sent again on the same link, and delivered once when the copy is acked', async () => {
    const alice = await startVictim(fx, 'alice', { init: { ackTimeoutMs: 300 } });
    // bob is scripted: he receives but does not ack the first copy (as if his ack went out on a
    // duplicate link in the instant it was replaced).
    const bob = await HostilePeer.connect(fx, alice, { nick: 'bob' });
    await waitFor('alice sees bob', () => onlineIds(alice).includes(bob.id));
    const id = alice.node.sendDirect('bob', 'are you there?');
    await bob.waitFor('the first copy', (m) => m.t === 'msg' && m.id === id);
    const again = await waitFor('the copy sent again', () =>
      bob.received.filter((m) => m.t === 'msg' && m.id === id).length >= 2 ? true : undefined,
    );
    expect(again).toBe(true);
    expect(eventsOf(alice, 'delivered')).toEqual([]);
    bob.send({ t: 'ack', id });
    await waitFor('delivered', () => eventsOf(alice, 'delivered').find((e) => e.id === id));
    // Acked: no more copies, and delivered once.
    const copies = bob.received.filter((m) => m.t === 'msg' && m.id === id).length;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(bob.received.filter((m) => m.t === 'msg' && m.id === id).length).toBe(copies);
    expect(eventsOf(alice, 'delivered').filter((e) => e.id === id)).toHaveLength(1);
  });
});
