// A colleague who reinstalled keeps their nick under a new key: trust.ts refuses the new key until
// the user says otherwise (/forget). Both ends must then keep quiet (refusals.ts) instead of
// dialling each other in a loop, the refused side must be told why, and the link must come up as
// soon as either user acts: /forget on the refusing side, /nick on the refused one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDiscovery } from '../../src/discovery/memory-discovery.js';
import { eventsOf, logDials, NodeFixture, onlineIds, type TestNode, waitFor } from './node-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

interface Reinstall {
  alice: TestNode;
  bob: TestNode;
  /** Addresses each of them dialled. */
  aliceDials: string[];
  bobDials: string[];
  /** What each announces: update() makes the other hear it again (as mDNS refreshes do). */
  aliceDiscovery: MemoryDiscovery;
  bobDiscovery: MemoryDiscovery;
}

/** alice has met bob and pinned him; bob's machine comes back with a new key and the same nick,
 * and alice has turned it away once (and said so). */
async function reinstalledBob(): Promise<Reinstall> {
  const aliceDials: string[] = [];
  const bobDials: string[] = [];
  const aliceDiscovery = new MemoryDiscovery(fx.bus, { address: '10.0.1.1' });
  const alice = await fx.start('alice', {
    host: '10.0.1.1',
    discovery: aliceDiscovery,
    transport: logDials(aliceDials),
  });
  const oldBob = await fx.start('bob');
  await waitFor('alice meets the old bob', () => onlineIds(alice).includes(oldBob.node.id));
  await fx.stop(oldBob);
  await waitFor('the old bob gone', () => !onlineIds(alice).includes(oldBob.node.id));
  const bobDiscovery = new MemoryDiscovery(fx.bus, { address: '10.0.1.2' });
  const bob = await fx.start('bob', {
    host: '10.0.1.2',
    discovery: bobDiscovery,
    transport: logDials(bobDials),
  });
  await waitFor('alice refuses the new key', () =>
    eventsOf(alice, 'warning').find((w) => w.code === 'impersonation'),
  );
  await waitFor('bob is told', () => eventsOf(bob, 'warning').find((w) => w.code === 'refused-by-peer'));
  return { alice, bob, aliceDials, bobDials, aliceDiscovery, bobDiscovery };
}

/** Both see each other online within 5 s ("at once": nobody waits for REFUSED_RETRY_MS). */
async function linkedAgain({ alice, bob }: { alice: TestNode; bob: TestNode }): Promise<void> {
  await waitFor('alice has bob', () => onlineIds(alice).includes(bob.node.id), 5_000);
  await waitFor('bob has alice', () => onlineIds(bob).includes(alice.node.id), 5_000);
}

/** Lets the nodes run: with the tests' fast backoff (50–400 ms) a redial loop makes many rounds. */
const run = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a new key under a pinned nick', () => {
  it('is refused once: neither side dials the other again, and the refused side is told why', async () => {
    const { alice, bob, aliceDials, bobDials, aliceDiscovery, bobDiscovery } = await reinstalledBob();
    const before = { alice: aliceDials.length, bob: bobDials.length };
    await run(1_500);
    // Each hears the other again, alice at a new port: news of a peer is no reason to dial it.
    bobDiscovery.update({});
    aliceDiscovery.update({ port: 7476 });
    await run(1_500);
    expect(bobDials.slice(before.bob).filter((a) => a === alice.host)).toEqual([]);
    expect(aliceDials.slice(before.alice).filter((a) => a === bob.host)).toEqual([]);
    // Never shown, not even between the hellos and the refusal: alice's hello promised a verdict
    // (VERDICT_CAPABILITY), and the verdict was the refusal.
    expect(eventsOf(bob, 'peer_online').filter((e) => e.peer.id === alice.node.id)).toEqual([]);
    expect(eventsOf(bob, 'peer_offline').filter((e) => e.peer.id === alice.node.id)).toEqual([]);
    expect(onlineIds(bob)).not.toContain(alice.node.id);
    const told = eventsOf(bob, 'warning').filter((w) => w.code === 'refused-by-peer');
    expect(told).toHaveLength(1);
    expect(told[0]!.message).toContain('"bob"');
    // `lanchat doctor` on bob's side says why alice is missing.
    const diagnosis = bob.node.diagnose().peers.find((p) => p.id === alice.node.id);
    expect(diagnosis?.lastFailure?.reason).toBe('refused');
    // The user may still ask for it: /connect dials at once.
    const asked = bobDials.length;
    bob.node.connectPeer(`${alice.node.id}@${alice.host}:7475`);
    await waitFor('bob dials alice when asked', () => bobDials.length > asked);
    // alice: one warning, never online, nothing pinned for the new key.
    expect(eventsOf(alice, 'warning').filter((w) => w.code === 'impersonation')).toHaveLength(1);
    expect(eventsOf(alice, 'peer_online').filter((e) => e.peer.id === bob.node.id)).toEqual([]);
    expect(alice.store.contacts.get(bob.node.id)).toBeUndefined();
  });

  it('/forget of the old key on the refusing side brings the new one online at once', async () => {
    const { alice, bob } = await reinstalledBob();
    alice.node.forget('bob');
    await linkedAgain({ alice, bob });
    expect(alice.store.contacts.get(bob.node.id)?.nick).toBe('bob');
  });

  it('a new nick on the refused side brings it online at once', async () => {
    const { alice, bob } = await reinstalledBob();
    bob.node.setNick('bobby');
    await linkedAgain({ alice, bob });
    expect(alice.store.contacts.get(bob.node.id)?.nick).toBe('bobby');
  });
});
