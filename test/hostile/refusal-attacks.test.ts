// Refusals (refusals.ts) from the attacker's side. A peer with a valid key can make fresh keys at
// will and claim a verified contact's nick with each, or tell us that it refuses us. What can it
// make us show (warnings), store (refused identities) and spend (dials)?
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_REFUSED } from '../../src/core/refusals.js';
import { safetyNumber } from '../../src/identity/safety-number.js';
import { eventsOf, logDials, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import { HostilePeer, startVictim } from './hostile-peer.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('hostile peer: refusals', () => {
  it("a flood of fresh keys claiming the verified bob's nick: one warning, none let in, bounded memory and dials", async () => {
    const dials: string[] = [];
    const victim = await startVictim(fx, 'victim', { transport: logDials(dials) });
    const bob = await fx.start('bob');
    const carol = await fx.start('carol');
    await waitFor('victim meets bob and carol', () => onlineIds(victim).length === 2);
    expect(
      victim.node.verify('bob', safetyNumber(victim.identity.publicKey, bob.identity.publicKey)).matched,
    ).toBe(true);

    const flood = MAX_REFUSED + 44;
    const hosts: string[] = [];
    let toldRefused = 0;
    for (let i = 0; i < flood; i++) {
      const host = `10.66.${10 + Math.floor(i / 200)}.${(i % 200) + 1}`;
      hosts.push(host);
      // Each names a port in its hello: a refused identity that came by itself is dialled back there
      // if the user's trust ever lets it in.
      const evil = await HostilePeer.connect(fx, victim, { nick: 'bob', host, hello: { port: 7475 } });
      await waitFor('refused', () => evil.closed);
      if (evil.received.some((m) => m.t === 'close' && m.reason === 'refused')) toldRefused++;
    }
    expect(toldRefused).toBe(flood);
    // Shown: one warning (a minute's worth of claims of one name), never a claimant online or pinned.
    const warnings = eventsOf(victim, 'warning').filter((w) => w.code === 'impersonation');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('(verified)');
    expect(eventsOf(victim, 'peer_online').map((e) => e.peer.id)).toEqual([bob.node.id, carol.node.id]);
    expect(victim.store.contacts.findByNick('bob').map((c) => c.id)).toEqual([bob.node.id]);

    // Spent: a trust change that lets none of them in dials none of them.
    victim.node.forget('carol');
    await pause(500);
    expect(dials.filter((a) => hosts.includes(a))).toEqual([]);

    // /forget bob lets every claimant of "bob" in: only the newest MAX_REFUSED are remembered and
    // dialled back (nobody listens there: the attacker only ever dialled).
    victim.node.forget('bob');
    const dialled = () => new Set(dials.filter((a) => hosts.includes(a)));
    await waitFor('the dial-backs', () => dialled().size >= MAX_REFUSED, 20_000);
    await pause(500);
    expect(dialled().size).toBe(MAX_REFUSED);
    expect([...dialled()].every((a) => hosts.indexOf(a) >= flood - MAX_REFUSED)).toBe(true);
    // The real bob's link never moved.
    expect(onlineIds(victim)).toContain(bob.node.id);
  }, 120_000);

  it('a peer that says it refuses us loses its own link and nothing else', async () => {
    const victim = await startVictim(fx, 'victim');
    const bob = await fx.start('bob');
    await waitFor('victim meets bob', () => onlineIds(victim).includes(bob.node.id));
    const evil = await HostilePeer.connect(fx, victim, { nick: 'mallory' });
    await waitFor('mallory online', () => onlineIds(victim).includes(evil.id));
    evil.send({ t: 'close', reason: 'refused' });
    evil.close();
    const offline = await waitFor('mallory offline', () =>
      eventsOf(victim, 'peer_offline').find((e) => e.peer.id === evil.id),
    );
    expect(offline.reason).toBe('refused');
    const told = eventsOf(victim, 'warning').filter((w) => w.code === 'refused-by-peer');
    expect(told).toHaveLength(1);
    expect(told[0]!.message).toMatch(/^mallory does not accept us/);
    expect(victim.node.diagnose().peers.find((p) => p.id === evil.id)?.lastFailure?.reason).toBe('refused');
    // bob is untouched: still online, and a DM reaches him.
    expect(onlineIds(victim)).toContain(bob.node.id);
    const id = victim.node.sendDirect('bob', 'still here?');
    await waitFor('bob gets it', () => eventsOf(bob, 'message').find((m) => m.id === id));
  });
});
