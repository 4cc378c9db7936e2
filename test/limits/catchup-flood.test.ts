// One authenticated peer asks for a big room's history again and again and never reads its socket
// (issue 15, item 1). Before the send-queue limits, every answer was queued at once: 40 requests
// cost the victim hundreds of MB. Now the victim serves one request at a time while the link has
// room, drops requests beyond a small backlog, disconnects the peer when its queue does not drain,
// logs each step, and another peer's DMs keep arriving meanwhile.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  eventsOf,
  FAST_HEARTBEAT,
  NodeFixture,
  onlineIds,
  type TestNode,
  waitFor,
} from '../core/node-fixture.js';
import { FLOOD_MESSAGES, FLOOD_ROOM, seedFloodRoom } from './seed-room.js';
import {
  handshake,
  joinAndStopReading,
  keepAlive,
  messageFrame,
  peakRssMb,
  rssMb,
  startTcpNode,
  targetOf,
} from './tcp-attacker.js';

const ROOM = FLOOD_ROOM;
const REQUESTS = 40;
const STALL_MS = 4_000;

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

async function dm(from: TestNode, to: TestNode, text: string): Promise<void> {
  from.node.sendDirect(to.name, text);
  await waitFor(`${to.name} shows "${text}"`, () => eventsOf(to, 'message').some((m) => m.text === text));
}

describe('a catch-up flood from a peer that does not read', () => {
  it('keeps the victim within 50 MB of its baseline, keeps DMs flowing, and disconnects the peer', async () => {
    const victim = await startTcpNode(fx, 'victim', {
      heartbeat: FAST_HEARTBEAT,
      limits: { send: { pauseBytes: 4 * 1024 * 1024, maxBytes: 8 * 1024 * 1024, stallMs: STALL_MS } },
    });
    seedFloodRoom(victim.store);
    const alice = await startTcpNode(fx, 'alice');
    await waitFor(
      'alice and the victim linked',
      () => onlineIds(alice).length === 1 && onlineIds(victim).length === 1,
    );
    await dm(alice, victim, 'warm-up');
    const baseline = rssMb();

    const attacker = await handshake(targetOf(victim));
    await joinAndStopReading(attacker, [ROOM]);
    keepAlive(attacker, FAST_HEARTBEAT.intervalMs);
    for (let i = 0; i < REQUESTS; i++) {
      attacker.session.write(messageFrame({ t: 'catchup_req', room: ROOM, since: 0, limit: FLOOD_MESSAGES }));
    }
    // Two DMs after the flood: by the second, the victim has read every request (they came first).
    const peak = await peakRssMb(
      (async () => {
        await dm(alice, victim, 'during the flood 1');
        await dm(alice, victim, 'during the flood 2');
      })(),
    );
    expect(peak - baseline).toBeLessThan(50);

    // Requests beyond the backlog were dropped, and said so; the peer is cut off once its queue
    // has stayed full past the deadline, and that is logged too.
    const warnings = () => eventsOf(victim, 'warning').map((w) => `${w.code}: ${w.message}`);
    await waitFor('the flood warning', () => warnings().find((w) => w.startsWith('catchup-flood:')));
    const stalled = await waitFor(
      'the stall warning',
      () => warnings().find((w) => w.startsWith('peer-stalled:')),
      STALL_MS + 10_000,
    );
    expect(stalled).toMatch(/did not drain within 4 s/);
    await waitFor('the attacker socket closed', () => attacker.closedAt !== undefined);
    await dm(alice, victim, 'after the flood');
  });
});
