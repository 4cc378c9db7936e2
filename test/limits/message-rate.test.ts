// Per-peer inbound message rate (issue 15, item 5): a peer that floods messages is read more
// slowly (TCP backpressure), never dropped from, so it cannot make us store and show messages
// faster than the rate, and an honest burst above the rate arrives in full, in order, acked.
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenBucket } from '../../src/connection/token-bucket.js';
import { eventsOf, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import { handshake, joinAndStopReading, messageFrame, startTcpNode, targetOf } from './tcp-attacker.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe('TokenBucket', () => {
  it('never refuses, and says how long to wait for the debt to be repaid', () => {
    const bucket = new TokenBucket({ perSecond: 100, burst: 10 }, 0);
    expect(bucket.take(10, 0)).toBe(0);
    expect(bucket.take(50, 0)).toBe(500); // 50 in debt at 100/s
    expect(bucket.take(0, 500)).toBe(0); // repaid
    expect(bucket.take(0, 10_000)).toBe(0);
    expect(bucket.take(11, 10_000)).toBe(10); // refilled to the burst, not beyond
  });

  it('tryTake spends only what it holds, and says when the next one is there', () => {
    // Peer exchange: a burst of 3 messages, then one per 250 ms.
    const bucket = new TokenBucket({ perSecond: 4, burst: 3 }, 0);
    expect([1, 2, 3, 4].map(() => bucket.tryTake(1, 0))).toEqual([true, true, true, false]);
    expect(bucket.msUntil(1, 0)).toBe(250);
    expect(bucket.tryTake(1, 249)).toBe(false);
    expect(bucket.tryTake(1, 250)).toBe(true);
    expect(bucket.msUntil(1, 250)).toBe(250);
    expect(bucket.msUntil(1, 60_000)).toBe(0);
    expect([1, 2, 3, 4].map(() => bucket.tryTake(1, 60_000))).toEqual([true, true, true, false]);
  });
});

describe('a peer that floods messages', () => {
  it('is read at its rate: what we store grows no faster, and the flood is slowed, not dropped', async () => {
    const rate = { perSecond: 400, burst: 400 };
    const victim = await startTcpNode(fx, 'victim', { limits: { inboundRate: rate } });
    const attacker = await handshake(targetOf(victim));
    await joinAndStopReading(attacker, [], 'flooder');
    attacker.session.on('data', () => {}); // reads (and ignores) the acks, so the victim's queue drains
    attacker.session.resume();
    await waitFor('linked', () => onlineIds(victim).length === 1);
    const flood = 4_000;
    const startedAt = Date.now();
    for (let i = 0; i < flood; i++) {
      attacker.session.write(
        messageFrame({
          t: 'msg',
          id: randomBytes(16).toString('base64url'),
          ts: Date.now(),
          text: `m${i}`,
          kind: 'text',
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const stored = eventsOf(victim, 'message').length;
    const elapsedS = (Date.now() - startedAt) / 1000;
    // Unlimited, all 4,000 are in after a fraction of a second (the victim does ~17,000/s). At the
    // rate: the burst, the rate times the time, and one socket read's worth of frames of slack
    // (a read is handled whole; ~40 bytes a frame in a 64 KiB read).
    expect(stored).toBeLessThanOrEqual(rate.burst + rate.perSecond * elapsedS + (64 * 1024) / 40);
    expect(stored).toBeLessThan(flood);
    const warned = eventsOf(victim, 'warning').filter((w) => w.code === 'peer-rate-limited');
    expect(warned).toHaveLength(1);
    expect(warned[0]?.message).toMatch(/flooder.*more than 400 messages a second/);
    // Slowed, not cut off: the rest keeps arriving, and the link stays up.
    await waitFor('more of the flood', () => eventsOf(victim, 'message').length > stored);
    expect(attacker.closedAt).toBeUndefined();
    attacker.socket.destroy();
  });
});

describe('an honest burst above the rate', () => {
  it('arrives whole, once each, in order, every message acked', async () => {
    const victim = await startTcpNode(fx, 'victim', {
      limits: { inboundRate: { perSecond: 250, burst: 100 } },
    });
    const alice = await startTcpNode(fx, 'alice');
    await waitFor('linked', () => onlineIds(alice).length === 1 && onlineIds(victim).length === 1);
    const count = 500;
    const ids = alice.node.batch(() =>
      Array.from({ length: count }, (_, i) => alice.node.sendDirect('victim', `burst ${i}`)),
    );
    await waitFor('every DM acked', () => eventsOf(alice, 'delivered').length === count, 30_000);
    expect(eventsOf(victim, 'message').map((m) => m.id)).toEqual(ids);
    // It was slowed on the way (else this test proves nothing about the limit).
    expect(eventsOf(victim, 'warning').some((w) => w.code === 'peer-rate-limited')).toBe(true);
    expect(alice.store.outbox.pendingAfter(victim.node.id, 0, 10)).toEqual([]);
  });

  it('with the default limits a bot burst of 20,000 DMs is not slowed at all', async () => {
    const victim = await fx.start('victim');
    const bot = await fx.start('bot');
    await waitFor('linked', () => onlineIds(bot).length === 1 && onlineIds(victim).length === 1);
    const count = 20_000;
    for (let at = 0; at < count; at += 1_000) {
      bot.node.batch(() => {
        for (let i = at; i < at + 1_000; i++) bot.node.sendDirect('victim', `line ${i}`);
      });
    }
    await waitFor('every DM acked', () => eventsOf(bot, 'delivered').length === count, 60_000);
    expect(eventsOf(victim, 'message')).toHaveLength(count);
    expect(eventsOf(victim, 'warning').filter((w) => w.code === 'peer-rate-limited')).toEqual([]);
    expect(eventsOf(bot, 'warning').filter((w) => w.code === 'peer-rate-limited')).toEqual([]);
  });
});
