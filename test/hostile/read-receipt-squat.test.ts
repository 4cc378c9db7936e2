// A message id is unique per author only. A peer that sends a DM under the id of someone else's
// DM must not receive the read receipt for the real one (it would learn when the user read it).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import { HostilePeer, startVictim } from './hostile-peer.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe('read receipts and squatted ids', () => {
  it('the receipt for a DM goes to its author, not to a key that sent a DM with the same id', async () => {
    const bob = await startVictim(fx, 'bob');
    const alice = await fx.start('alice');
    const evil = await HostilePeer.connect(fx, bob, { nick: 'mallory' });
    await waitFor(
      'bob sees both',
      () => onlineIds(bob).includes(evil.id) && onlineIds(bob).includes(alice.node.id),
    );
    // alice's DM waits in her outbox while bob has her blocked; mallory, who learned the id, gets
    // her copy in first, then bob unblocks alice and the real DM arrives second.
    bob.node.block('alice');
    await waitFor('alice cut off', () => !onlineIds(bob).includes(alice.node.id));
    const id = alice.node.sendDirect('bob', 'the real one');
    evil.send({ t: 'msg', id, ts: Date.now(), text: 'a copy under the same id', kind: 'text' });
    await waitFor('bob stored the squat', () =>
      eventsOf(bob, 'message').find((m) => m.id === id && m.from.id === evil.id),
    );
    bob.node.block('alice', false);
    await waitFor('bob has the real one', () =>
      eventsOf(bob, 'message').find((m) => m.id === id && m.from.id === alice.node.id),
    );
    bob.node.markRead([id], alice.node.id);
    await waitFor('alice learns it was read', () => eventsOf(alice, 'read').find((r) => r.id === id));
    // Give a receipt to mallory every chance to arrive (an absence cannot be waited for).
    await new Promise((r) => setTimeout(r, 500));
    expect(evil.received.filter((m) => m.t === 'read')).toEqual([]);
  });
});
