// Sybil and half-open floods (issue 15, item 5): one address cannot hold more than its share of
// connections that never say hello, nor link more than its share of identities, and an honest
// peer on another address still connects and chats meanwhile. Attackers come from 127.0.0.2
// (another host, to the victim); the honest nodes from 127.0.0.1.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_HALF_OPEN_PER_ADDRESS } from '../../src/connection/half-open-caps.js';
import { MAX_PEERS_PER_ADDRESS } from '../../src/core/peer-caps.js';
import { ACCEPT_SOCKETS, listenersOn } from '../../src/transport/accept-group.js';
import { eventsOf, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import { reusePortWorks } from '../transport/reuse-port.js';
import {
  type Attacker,
  handshake,
  joinAndStopReading,
  keepAlive,
  startTcpNode,
  targetOf,
  tryHandshakes,
} from './tcp-attacker.js';

let fx: NodeFixture;
const opened: Attacker[] = [];
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  for (const a of opened.splice(0)) a.socket.destroy();
  await fx.destroy();
});

async function honestDm(victim: Awaited<ReturnType<typeof startTcpNode>>, text: string): Promise<void> {
  const alice = await startTcpNode(fx, 'alice');
  await waitFor('alice linked', () => onlineIds(alice).includes(victim.node.id));
  alice.node.sendDirect('victim', text);
  await waitFor('the DM', () => eventsOf(victim, 'message').some((m) => m.text === text));
}

// Where the victim listens on every address it takes connections up to sixteen a loop turn (the
// accept group, src/transport/accept-group.ts); the caps are the node's, whatever the sockets.
describe('connections without a hello, from one address', () => {
  for (const listenOn of ['127.0.0.1', '::'] as const) {
    it.runIf(listenOn !== '::' || reusePortWorks)(
      `are capped at ${MAX_HALF_OPEN_PER_ADDRESS}; the rest are closed at once and logged once (listening on ${listenOn})`,
      async () => {
        // A long deadline, so that none of them is closed for being late while the test runs.
        const victim = await startTcpNode(fx, 'victim', {
          limits: { acceptToHelloMs: 60_000 },
          host: listenOn,
        });
        if (listenOn === '::') {
          const table = readFileSync('/proc/net/tcp6', 'latin1');
          expect(listenersOn(table, victim.node.port)).toBe(ACCEPT_SOCKETS);
        }
        const extra = 20;
        const { attackers, refused } = await tryHandshakes(
          targetOf(victim),
          MAX_HALF_OPEN_PER_ADDRESS + extra,
        );
        opened.push(...attackers);
        // The handshake of a refused connection fails at once; the cap's worth stay connected.
        expect(refused).toBe(extra);
        expect(attackers.filter((a) => a.closedAt === undefined)).toHaveLength(MAX_HALF_OPEN_PER_ADDRESS);
        const logged = eventsOf(victim, 'warning').filter((w) => w.code === 'over-capacity');
        expect(logged).toHaveLength(1);
        expect(logged[0]?.message).toMatch(/127\.0\.0\.2.*have not said hello/);
        // Another address is not affected.
        await honestDm(victim, 'hello past the half-open flood');
      },
    );
  }
});

describe('identities linked from one address', () => {
  it(`are capped at ${MAX_PEERS_PER_ADDRESS}; honest peers elsewhere still link`, async () => {
    const victim = await startTcpNode(fx, 'victim');
    const extra = 4;
    for (let i = 0; i < MAX_PEERS_PER_ADDRESS + extra; i++) {
      const a = await handshake(targetOf(victim));
      opened.push(a);
      await joinAndStopReading(a, [], `sybil${i}`);
      keepAlive(a, 2_000);
    }
    await waitFor(
      'the over-cap identities closed',
      () => opened.filter((a) => a.closedAt !== undefined).length === extra,
    );
    // The linked ones stay, the refused ones never showed up as peers.
    expect(onlineIds(victim)).toHaveLength(MAX_PEERS_PER_ADDRESS);
    expect(victim.node.peerList()).toHaveLength(MAX_PEERS_PER_ADDRESS);
    const logged = eventsOf(victim, 'warning').filter((w) => w.code === 'peer-limit');
    expect(logged).toHaveLength(1);
    expect(logged[0]?.message).toMatch(/127\.0\.0\.2/);
    await honestDm(victim, 'hello past the sybils');
    expect(onlineIds(victim)).toHaveLength(MAX_PEERS_PER_ADDRESS + 1);
  });

  it('the total cap holds across addresses', async () => {
    const victim = await startTcpNode(fx, 'victim', { limits: { peers: { total: 3 } } });
    const first = await handshake(targetOf(victim), '127.0.0.3');
    opened.push(first);
    await joinAndStopReading(first, [], 'one');
    for (const [i, from] of ['127.0.0.4', '127.0.0.5', '127.0.0.6'].entries()) {
      const a = await handshake(targetOf(victim), from);
      opened.push(a);
      await joinAndStopReading(a, [], `other${i}`);
    }
    await waitFor(
      'the fourth identity refused',
      () => opened.filter((a) => a.closedAt !== undefined).length === 1,
    );
    expect(opened[3]?.closedAt).toBeDefined();
    expect(onlineIds(victim)).toHaveLength(3);
    expect(eventsOf(victim, 'warning').find((w) => w.code === 'peer-limit')?.message).toMatch(
      /3 peers are already linked/,
    );
  });

  it('identities that link and leave (Sybil churn) are forgotten beyond the known-peers bound', async () => {
    const maxKnownPeers = 20;
    const victim = await startTcpNode(fx, 'victim', { limits: { maxKnownPeers } });
    const alice = await startTcpNode(fx, 'alice');
    await waitFor('alice linked', () => onlineIds(victim).includes(alice.node.id));
    for (let round = 0; round < 6; round++) {
      const batch: Attacker[] = [];
      for (let i = 0; i < 10; i++) {
        const a = await handshake(targetOf(victim));
        batch.push(a);
        await joinAndStopReading(a, [], `churn${round}x${i}`);
      }
      await waitFor('the batch linked', () => onlineIds(victim).length === 11);
      for (const a of batch) a.socket.destroy();
      await waitFor('the batch gone', () => onlineIds(victim).length === 1);
    }
    // 60 identities came and went; the victim remembers at most the bound, and alice.
    expect(victim.node.peerList().length).toBeLessThanOrEqual(maxKnownPeers);
    expect(victim.node.peerList().map((p) => p.id)).toContain(alice.node.id);
    // A forgotten identity is still a contact: it comes back under its pinned name.
    const forgottenNick = 'churn0x0';
    expect(victim.node.peerList().some((p) => p.nick === forgottenNick)).toBe(false);
    expect(() => victim.node.history(forgottenNick)).not.toThrow();
  });
});
