// A connected (authenticated, same network) peer that lies in peer exchange: thousands of fake
// peers, addresses outside the policy, its own address under other keys, a flood of lists. It must
// not make us dial outside the policy, spend more than a bounded number of dials, or show a fake
// peer online; with peer exchange off it must not make us dial at all.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CANDIDATE_ATTEMPTS,
  MAX_CANDIDATES,
  MAX_NEW_CANDIDATES_PER_MINUTE,
  PEX_BURST,
} from '../../src/core/peer-exchange.js';
import { PEX_BATCH_MS } from '../../src/core/pex-sender.js';
import type { Discovery } from '../../src/discovery/discovery.js';
import { MemoryDiscovery, MemoryDiscoveryBus } from '../../src/discovery/memory-discovery.js';
import { idOf } from '../../src/identity/ids.js';
import { classifyAddress } from '../../src/protocol/address-policy.js';
import { eventsOf, logDials, NodeFixture, onlineIds, type TestNode, waitFor } from '../core/node-fixture.js';
import { HostilePeer, startVictim } from './hostile-peer.js';

let fx: NodeFixture;
afterEach(async () => {
  await fx.destroy();
});

const PEX_HELLO = { caps: ['dm', 'rooms', 'ack', 'presence', 'pex'], port: 7475 };

// Random bytes, not nacl key pairs: thousands of real key generations would block the test for
// seconds. Any 32 bytes is a well-formed id; only a handshake would tell them apart.
const fakeId = () => idOf(new Uint8Array(randomBytes(32)));

/** One round trip on the hostile link: the victim answers a ping only after it handled what came
 * before it, so everything sent earlier has been processed. */
async function sync(evil: HostilePeer, n: number): Promise<void> {
  evil.send({ t: 'ping', n });
  await evil.waitFor(`pong ${n}`, (m) => m.t === 'pong' && m.n === n);
}

describe('peer exchange against a lying peer', () => {
  it('thousands of fake peers: bounded candidates and dials, nobody fake online, policy kept', async () => {
    fx = new NodeFixture();
    const dials: string[] = [];
    const victim = await startVictim(fx, 'victim', { transport: logDials(dials) });
    const evil = await HostilePeer.connect(fx, victim, { hello: PEX_HELLO });
    const outside = [
      '127.0.0.1',
      '224.0.0.251',
      '255.255.255.255',
      '0.0.0.0',
      '8.8.8.8',
      'fe80::1',
      'ff02::fb',
      '::1',
      '2001:db8::1',
    ];
    const announced = new Set<string>();
    for (let m = 0; m < 200; m++) {
      const peers = Array.from({ length: 16 }, (_, i) => {
        const key = fakeId();
        announced.add(key);
        // Black holes inside the policy (nobody listens there), plus everything outside it.
        return { key, port: 7475, addrs: [`10.99.${m % 250}.${i + 1}`, outside[(m + i) % outside.length]!] };
      });
      evil.send({ t: 'peers', peers });
    }
    await sync(evil, 1);
    // Let every admitted candidate use up its dials (they fail fast on the memory network).
    await waitFor(
      'candidates given up',
      () => dials.length >= PEX_BURST * 16 && victimCandidatesSettled(victim),
    );
    const candidateDials = dials.filter((a) => a.startsWith('10.99.'));
    expect(candidateDials.length).toBeGreaterThan(0);
    expect(candidateDials.length).toBeLessThanOrEqual(
      Math.min(MAX_CANDIDATES, MAX_NEW_CANDIDATES_PER_MINUTE) * CANDIDATE_ATTEMPTS,
    );
    for (const address of dials) expect(['private']).toContain(classifyAddress(address));
    for (const p of victim.node.peerList()) if (announced.has(p.id)) expect(p.online).toBe(false);
    // Given-up candidates leave the table: /peers does not fill up with the liar's inventions.
    expect(victim.node.peerList().filter((p) => announced.has(p.id)).length).toBeLessThanOrEqual(
      MAX_CANDIDATES,
    );
    expect(eventsOf(victim, 'warning').some((w) => w.code === 'peer-exchange')).toBe(true);
    expect(evil.closed).toBe(false);
  });

  it('its own address under another key is never dialled; a real peer it describes is reached', async () => {
    fx = new NodeFixture();
    const dials: string[] = [];
    const victim = await startVictim(fx, 'victim', { transport: logDials(dials) });
    const evil = await HostilePeer.connect(fx, victim, { hello: PEX_HELLO });
    // A real node the victim's discovery never hears of.
    const real: TestNode = await fx.start('real', { host: '10.0.42.1', discovery: isolatedDiscovery(fx) });
    evil.send({
      t: 'peers',
      peers: [
        { key: fakeId(), port: 7475, addrs: [evil.host] },
        { key: real.node.id, port: real.node.port, addrs: [evil.host, real.host] },
      ],
    });
    await waitFor('victim reaches the real peer', () => onlineIds(victim).includes(real.node.id));
    expect(dials).not.toContain(evil.host);
  });

  it('with peer exchange off: no pex capability, nothing sent, nothing dialled', async () => {
    fx = new NodeFixture();
    const dials: string[] = [];
    const victim = await startVictim(fx, 'victim', {
      transport: logDials(dials),
      init: { peerExchange: false },
    });
    const friend = await HostilePeer.connect(fx, victim, { hello: PEX_HELLO, nick: 'friend' });
    const evil = await HostilePeer.connect(fx, victim, { hello: PEX_HELLO });
    const hello = evil.received.find((m) => m.t === 'hello');
    expect(hello && 'caps' in hello ? hello.caps : []).not.toContain('pex');
    evil.send({ t: 'peers', peers: [{ key: fakeId(), port: 7475, addrs: ['10.98.0.1'] }] });
    await sync(evil, 7);
    // An absence: wait out a few batch windows of the sender (a node with peer exchange on would
    // have told `friend` about `evil` by then, see the tests below).
    await new Promise((resolve) => setTimeout(resolve, PEX_BATCH_MS * 3));
    await sync(friend, 8);
    expect(dials).toEqual([]);
    expect([...friend.received, ...evil.received].some((m) => m.t === 'peers')).toBe(false);
  });

  it('passes on only the address a link proves, never what another peer claimed', async () => {
    fx = new NodeFixture();
    const victim = await startVictim(fx, 'victim');
    const evil = await HostilePeer.connect(fx, victim, { hello: PEX_HELLO });
    const real = await fx.start('real', { host: '10.0.43.1', discovery: isolatedDiscovery(fx) });
    // The liar names a black hole for the real peer first (the victim dials it, in vain)...
    evil.send({ t: 'peers', peers: [{ key: real.node.id, port: 7475, addrs: ['10.97.0.1'] }] });
    await sync(evil, 5);
    // ...then the real peer connects by itself, and a third peer listens to what the victim says.
    real.node.connectPeer(`${victim.node.id}@${victim.host}:7475`);
    await waitFor('real is online at the victim', () => onlineIds(victim).includes(real.node.id));
    const listener = await HostilePeer.connect(fx, victim, { hello: PEX_HELLO, nick: 'listener' });
    const told = await listener.waitFor(
      'a peer list naming real',
      (m) => m.t === 'peers' && m.peers.some((e) => e.key === real.node.id),
    );
    const entry = told.t === 'peers' ? told.peers.find((e) => e.key === real.node.id) : undefined;
    expect(entry?.addrs).toEqual([real.host]);
  });

  it('tells a pex peer about the others, never about peers that opted out', async () => {
    fx = new NodeFixture();
    const victim = await startVictim(fx, 'victim');
    const quiet = await HostilePeer.connect(fx, victim, { nick: 'quiet' }); // no 'pex' capability
    const open = await HostilePeer.connect(fx, victim, { hello: PEX_HELLO, nick: 'open' });
    const listener = await HostilePeer.connect(fx, victim, { hello: PEX_HELLO, nick: 'listener' });
    // Everything known when the listener's link came up goes out in one batch.
    const first = await listener.waitFor('a peer list', (m) => m.t === 'peers');
    const told = first.t === 'peers' ? first.peers : [];
    expect(told.map((e) => e.key)).toEqual([open.id]);
    expect(told[0]!.addrs).toEqual([open.host]);
    expect(told.some((e) => e.key === quiet.id)).toBe(false);
    // And the already connected pex peer hears of the newcomer.
    await open.waitFor(
      'news of the listener',
      (m) => m.t === 'peers' && m.peers.some((e) => e.key === listener.id),
    );
  });
});

function victimCandidatesSettled(victim: TestNode): boolean {
  // Read through the public peer list: no learned peer is left waiting to be dialled.
  return victim.node.peerList().filter((p) => !p.online && p.address.startsWith('10.99.')).length === 0;
}

/** A discovery that hears nobody: the node is reachable only by unicast (another subnet). */
function isolatedDiscovery(fx: NodeFixture): Discovery {
  return new MemoryDiscovery(new MemoryDiscoveryBus(), { address: `10.0.42.${fx.dir.length % 200}` });
}
