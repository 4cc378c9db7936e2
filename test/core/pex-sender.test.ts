// The sending side of peer exchange batches announcements and never exceeds what the receiver
// accepts (peer-exchange.ts PEX_BURST, PEX_REFILL_MS), so honest peers are never flagged.
import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/connection/peer-link.js';
import { PEX_BURST, PEX_REFILL_MS, PEX_SEND_BURST } from '../../src/core/peer-exchange.js';
import { MAX_PENDING_PER_LINK, PEX_BATCH_MS, PexSender } from '../../src/core/pex-sender.js';
import type { PeerExchangeEntry, WireMessage } from '../../src/protocol/messages.js';
import { FakeClock } from './fake-clock.js';

function fakeLink(): PeerLink & { sent: WireMessage[]; isClosed: boolean } {
  const sent: WireMessage[] = [];
  return {
    sent,
    isClosed: false,
    send(m: WireMessage) {
      sent.push(m);
      return true;
    },
  } as unknown as PeerLink & { sent: WireMessage[]; isClosed: boolean };
}

const entry = (i: number): PeerExchangeEntry => ({ key: `k${i}`, port: 7475, addrs: [`10.0.0.${i % 250}`] });

/** The receiver's token bucket, as peer-exchange.ts runs it. */
function receiverAccepts(times: number[]): boolean {
  let tokens = PEX_BURST;
  let at = times[0] ?? 0;
  for (const t of times) {
    tokens = Math.min(PEX_BURST, tokens + (t - at) / PEX_REFILL_MS);
    at = t;
    if (tokens < 1) return false;
    tokens -= 1;
  }
  return true;
}

describe('peer exchange sender', () => {
  it('stays within the receiver budget when a busy receiver reads its backlog all at once', () => {
    const clock = new FakeClock();
    const sender = new PexSender(clock, { burst: PEX_SEND_BURST, refillMs: PEX_REFILL_MS * 1.25 });
    const link = fakeLink();
    const sentAt: number[] = [];
    const original = link.send.bind(link);
    link.send = (m: WireMessage) => {
      sentAt.push(clock.now());
      return original(m);
    };
    // News trickles in for half a minute: the sender uses its burst, then its refill.
    for (let i = 0; i < 30; i++) {
      sender.queue(link, [entry(i)]);
      clock.advance(1_000);
    }
    expect(sentAt.length).toBeGreaterThan(PEX_SEND_BURST);
    // The receiver was stalled for the first 20 s: it reads everything sent by then at 20 s.
    const readAt = sentAt.map((t) => Math.max(t, 20_000));
    expect(receiverAccepts(readAt)).toBe(true);
    // The budget still holds against a flood: one message more than the burst at once is refused.
    expect(receiverAccepts(Array.from({ length: PEX_BURST + 1 }, () => 25_000))).toBe(false);
  });

  it('batches a storm of single announcements into few messages within the receiver budget', () => {
    const clock = new FakeClock();
    const sender = new PexSender(clock, { burst: PEX_SEND_BURST, refillMs: PEX_REFILL_MS * 1.25 });
    const link = fakeLink();
    const times: number[] = [];
    const original = link.send.bind(link);
    link.send = (m: WireMessage) => {
      times.push(clock.now());
      return original(m);
    };
    // 49 newcomers announced one by one within a second, then a second wave a minute later.
    for (let i = 0; i < 49; i++) {
      sender.queue(link, [entry(i)]);
      clock.advance(20);
    }
    clock.advance(60_000);
    for (let i = 49; i < 60; i++) sender.queue(link, [entry(i)]);
    clock.advance(60_000);
    const keys = link.sent.flatMap((m) => (m.t === 'peers' ? m.peers.map((e) => e.key) : []));
    expect(new Set(keys).size).toBe(60);
    expect(link.sent.length).toBeLessThanOrEqual(6);
    expect(receiverAccepts(times)).toBe(true);
    expect(sender.pendingFor(link)).toBe(0);
  });

  it('waits a batch window, keeps the newest entry per key, and bounds what waits', () => {
    const clock = new FakeClock();
    const sender = new PexSender(clock, { burst: 1, refillMs: 10_000 });
    const link = fakeLink();
    sender.queue(link, [entry(1)]);
    expect(link.sent).toEqual([]);
    clock.advance(PEX_BATCH_MS);
    expect(link.sent).toHaveLength(1);
    // The budget is spent: the next batches wait, and only the newest MAX_PENDING_PER_LINK stay.
    for (let i = 0; i < MAX_PENDING_PER_LINK + 10; i++) sender.queue(link, [entry(i)]);
    sender.queue(link, [{ ...entry(70), port: 9999 }]);
    clock.advance(PEX_BATCH_MS);
    expect(link.sent).toHaveLength(1);
    expect(sender.pendingFor(link)).toBe(MAX_PENDING_PER_LINK);
    clock.advance(10_000 * 10);
    const later = link.sent.slice(1).flatMap((m) => (m.t === 'peers' ? m.peers : []));
    expect(later).toHaveLength(MAX_PENDING_PER_LINK);
    expect(later.find((e) => e.key === 'k70')?.port).toBe(9999);
    expect(later.some((e) => e.key === 'k0')).toBe(false);
  });

  it('drops what waits for a closed link', () => {
    const clock = new FakeClock();
    const sender = new PexSender(clock, { burst: 1, refillMs: 10_000 });
    const link = fakeLink();
    sender.queue(link, [entry(1)]);
    link.isClosed = true;
    clock.advance(PEX_BATCH_MS);
    expect(link.sent).toEqual([]);
    expect(sender.pendingFor(link)).toBe(0);
  });
});
