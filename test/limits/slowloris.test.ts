// 300 authenticated connections that each drip their hello one byte at a time (issue 15, item 2).
// Before the fix the hello timer restarted on every byte, so each connection lived as long as the
// attacker kept dripping. Now the deadline runs from the accept on the wall clock: every one is
// closed soon after the deadline (bench:hostile: within the deadline + 2 s), and an honest node
// still connects and chats meanwhile.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import { type Attacker, dripHellos, handshakes, startTcpNode, targetOf } from './tcp-attacker.js';

const CONNECTIONS = 300;
const DEADLINE_MS = 3_000;

let fx: NodeFixture;
let stopDrip: (() => void) | undefined;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  stopDrip?.();
  await fx.destroy();
});

describe('slowloris before the hello', () => {
  it(`closes ${CONNECTIONS} dripping connections at the deadline, and an honest peer gets through`, async () => {
    const victim = await startTcpNode(fx, 'victim', { limits: { acceptToHelloMs: DEADLINE_MS } });
    const attackers: Attacker[] = [];
    // One byte of the hello per connection every 500 ms: always something new, never a whole hello.
    stopDrip = dripHellos(attackers);
    while (attackers.length < CONNECTIONS) {
      attackers.push(...(await handshakes(targetOf(victim), Math.min(30, CONNECTIONS - attackers.length))));
    }

    // An honest node arrives in the middle of it and can talk to the victim.
    const alice = await startTcpNode(fx, 'alice');
    await waitFor('alice linked', () => onlineIds(alice).length === 1 && onlineIds(victim).length === 1);
    alice.node.sendDirect('victim', 'hello through the slowloris');
    await waitFor('the DM', () =>
      eventsOf(victim, 'message').some((m) => m.text === 'hello through the slowloris'),
    );

    await waitFor(
      'every dripping connection closed',
      () => attackers.every((a) => a.closedAt !== undefined),
      DEADLINE_MS + 15_000,
    );
    const longest = Math.max(
      ...attackers.map((a) => (a.closedAt ?? Number.POSITIVE_INFINITY) - a.connectedAt),
    );
    // The target is the deadline + 2 s (bench:hostile measures it); a test on a shared, loaded
    // machine bounds it loosely: before the fix a dripping connection lived as long as it dripped.
    expect(longest, 'the longest-lived dripping connection (ms)').toBeLessThanOrEqual(DEADLINE_MS + 10_000);
    // Every one of them was logged, and the honest link is still up.
    const noHello = eventsOf(victim, 'warning').filter((w) => /before its hello/.test(w.message));
    expect(noHello.length).toBeGreaterThanOrEqual(CONNECTIONS);
    expect(onlineIds(victim)).toEqual([alice.node.id]);
  });
});
