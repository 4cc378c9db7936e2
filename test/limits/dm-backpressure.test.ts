// DMs to a peer that stops reading: the outbox pump stops at the send queue's pause mark (4 MiB)
// instead of running into the hard cap, the rest waits in the outbox, and once the peer reads
// again every message arrives exactly once, in order. Without the pump's pause, 300 DMs of 16 KiB
// of quotes (32 KiB each once JSON-escaped, 256 in flight = 8 MiB) would overflow the queue and
// cost the link.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, FAST_HEARTBEAT, NodeFixture, waitFor } from '../core/node-fixture.js';
import {
  handshake,
  joinAndStopReading,
  keepAlive,
  readAndAck,
  startTcpNode,
  targetOf,
} from './tcp-attacker.js';

const DMS = 300;
const TEXT = '"'.repeat(16 * 1024);

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe('DMs to a peer that does not read for a while', () => {
  it('wait in the outbox instead of overflowing the send queue, and all arrive once it reads', async () => {
    const sender = await startTcpNode(fx, 'sender', { heartbeat: FAST_HEARTBEAT });
    const slow = await handshake(targetOf(sender));
    await joinAndStopReading(slow, [], 'slowpoke');
    keepAlive(slow, FAST_HEARTBEAT.intervalMs);
    await waitFor('the sender sees slowpoke', () => sender.node.peerList().some((p) => p.online));
    const ids = sender.node.batch(() =>
      Array.from({ length: DMS }, () => sender.node.sendDirect('slowpoke', TEXT)),
    );
    // The batch pumped synchronously: without the pause, the queue would already have overflowed
    // and the link been closed ('stalled').
    expect(sender.node.peerList().find((p) => p.nick === 'slowpoke')?.online).toBe(true);
    expect(eventsOf(sender, 'warning')).toEqual([]);
    const received = readAndAck(slow);
    await waitFor('every DM delivered', () => received.length >= DMS, 20_000);
    expect(received).toEqual(ids);
    await waitFor('every DM acked', () => eventsOf(sender, 'delivered').length === DMS);
    expect(slow.closedAt).toBeUndefined();
  });
});
