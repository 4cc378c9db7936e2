// The presence grace (link-keeper.ts) keeps a peer "online" while we get back to it. What can a
// peer that holds a valid key make us show and spend with it? It says "replaced" (it keeps another
// link) and leaves, having announced an address that takes connections and never answers: the
// grace must still end, by LOST_GRACE_MAX_MS, and cost one dial at a time, not a storm.
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { base64Of } from '../../src/identity/ids.js';
import { eventsOf, NodeFixture, onlineIds, peersOf, type TestNode, waitFor } from '../core/node-fixture.js';
import { HostilePeer, startVictim } from './hostile-peer.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

/** A host that takes every connection at `address`:`port` and never says a byte. */
async function blackHole(address: string, port: number) {
  const held: Duplex[] = [];
  const listener = await fx.network.transport(address).listen({ port });
  listener.onConnection((stream) => {
    stream.on('error', () => {});
    held.push(stream);
  });
  return { held, close: () => listener.close() };
}

/** The peer says "replaced" (it keeps another link, it claims) and leaves; resolves with the
 * victim's report of it going offline, which must come within the (shortened) bound. */
function replacedAndGone(victim: TestNode, evil: HostilePeer, graceMaxMs: number) {
  evil.send({ t: 'close', reason: 'replaced' });
  evil.close();
  return waitFor(
    'reported offline',
    () => eventsOf(victim, 'peer_offline').find((e) => e.peer.id === evil.id),
    graceMaxMs + 8_000,
  );
}

describe('hostile peer: the presence grace', () => {
  it('a peer that says "replaced", leaves, and points us at a black hole is shown online no longer than the bound', async () => {
    const graceMaxMs = 6_000; // LOST_GRACE_MAX_MS, shortened; REPLACED_GRACE_MS (3 s) comes first
    const victim = await startVictim(fx, 'victim', { init: { lostGraceMaxMs: graceMaxMs } });
    const hole = await blackHole('10.66.9.9', 7475);
    // It dials from the black hole's host: the address its link worked through leads there too.
    const evil = await HostilePeer.connect(fx, victim, { host: '10.66.9.9' });
    await waitFor('evil online', () => onlineIds(victim).includes(evil.id));
    victim.mdns.announce({
      publicKey: base64Of(evil.identity.publicKey),
      nick: 'mallory',
      addresses: ['10.66.9.9'],
      port: 7475,
    });
    await waitFor('the hint is in', () => victim.node.peerList().find((p) => p.id === evil.id));
    expect(hole.held).toHaveLength(0); // linked: nothing dialled
    // The dial's own handshake deadline (30 s) is far off: only the bound can end it in time.
    const offline = await replacedAndGone(victim, evil, graceMaxMs);
    expect(offline.reason).toBe('connection-lost');
    // It was dialled again once the other link did not come, and that one dial hung: no more.
    expect(hole.held).toHaveLength(1);
    expect(onlineIds(victim)).not.toContain(evil.id);
    hole.close();
  });

  it('a peer never announced to us is dialled back only at its own address, the port its hello named, once, within the bound', async () => {
    // A lost peer that only ever dialled us is dialled back where its link came from (link-keeper
    // learnFromLink). The hello's port is the peer's word; the address is not: it is where its
    // authenticated connection came from. So a liar can point us at a port of its own host only.
    const graceMaxMs = 6_000; // LOST_GRACE_MAX_MS, shortened
    const victim = await startVictim(fx, 'victim', { init: { lostGraceMaxMs: graceMaxMs } });
    const hole = await blackHole('10.66.9.7', 7999);
    const evil = await HostilePeer.connect(fx, victim, { host: '10.66.9.7', hello: { port: 7999 } });
    await waitFor('evil online', () => onlineIds(victim).includes(evil.id));
    const peers = peersOf(victim);
    expect(peers.get(evil.id)?.hint).toBeUndefined(); // never announced: nowhere to dial yet
    const offline = await replacedAndGone(victim, evil, graceMaxMs);
    expect(offline.reason).toBe('connection-lost');
    expect(hole.held).toHaveLength(1); // one dial, to its own host at the port it named, hung there
    hole.close();
  });
});
