// Heartbeats of a PeerLink, driven by a fake clock over a fake secure session: who pings when, when
// a silent peer is declared gone, and that our own stalled event loop does not make a live peer
// look gone (a presence flap on a loaded host).
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HEARTBEAT,
  type LinkClock,
  PeerLink,
  type SecureSession,
} from '../../src/connection/peer-link.js';
import { encodeFrame, FRAME_TYPE_MESSAGE } from '../../src/protocol/frame-codec.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { decodeMessage, encodeMessage, type WireMessage } from '../../src/protocol/messages.js';

class FakeLinkClock implements LinkClock {
  time = 0;
  private readonly ticks = new Map<number, { fn: () => void; ms: number; next: number }>();
  private id = 0;
  setInterval(fn: () => void, ms: number) {
    this.ticks.set(++this.id, { fn, ms, next: this.time + ms });
    return { id: this.id, unref() {} };
  }
  clearInterval(handle: unknown): void {
    this.ticks.delete((handle as { id: number }).id);
  }
  now(): number {
    return this.time;
  }
  /** Time passes with the event loop running: every interval fires on schedule. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.ticks.values()].filter((t) => t.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.time = due.next;
      due.next += due.ms;
      due.fn();
    }
    this.time = end;
  }
  /** Time passes with the event loop blocked: the intervals fire once, late, at the end. */
  stall(ms: number): void {
    this.time += ms;
    for (const t of [...this.ticks.values()]) {
      t.next = this.time + t.ms;
      t.fn();
    }
  }
}

/** A secure session whose peer is the test: `deliver` plays the peer, `sent` is what we wrote. */
class FakeSession extends Duplex implements SecureSession {
  readonly remotePublicKey = new Uint8Array(32).fill(7);
  readonly closeReason = undefined;
  private readonly decoder = new FrameDecoder();
  readonly sent: WireMessage[] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _e: BufferEncoding, done: (error?: Error | null) => void): void {
    for (const frame of this.decoder.push(chunk)) {
      if (frame.type === FRAME_TYPE_MESSAGE) {
        const message = decodeMessage(frame.payload);
        if (message) this.sent.push(message);
      }
    }
    done();
  }
  deliver(message: WireMessage): void {
    this.emit('data', Buffer.from(encodeFrame(FRAME_TYPE_MESSAGE, encodeMessage(message))));
  }
}

const HELLO: WireMessage = {
  t: 'hello',
  v: 1,
  nick: 'bob',
  presence: 'online',
  status: '',
  caps: [],
  rooms: [],
};

function linked() {
  const clock = new FakeLinkClock();
  const session = new FakeSession();
  const link = new PeerLink(session, { initiator: true, remoteAddress: '10.0.0.2', clock });
  const closes: string[] = [];
  link.on('close', (reason) => closes.push(reason));
  session.deliver(HELLO);
  return { clock, session, link, closes };
}

/** Writes are corked until the next tick (peer-link.ts): let them reach the session. */
const flush = () => new Promise((r) => setImmediate(r));
const pings = (s: FakeSession) => s.sent.filter((m) => m.t === 'ping').length;

describe('PeerLink heartbeats', () => {
  it('leaves a quiet link to TCP keepalive: one ping per idle period, and pongs to pings', async () => {
    const { clock, session } = linked();
    clock.advance(DEFAULT_HEARTBEAT.idleMs - 1_000);
    await new Promise((r) => setImmediate(r));
    expect(pings(session)).toBe(0);
    clock.advance(1_000);
    await new Promise((r) => setImmediate(r));
    expect(pings(session)).toBe(1);
    session.deliver({ t: 'pong', n: 1 });
    // Answered: the next ping is a whole idle period away.
    clock.advance(DEFAULT_HEARTBEAT.idleMs - 1_000);
    expect(pings(session)).toBe(1);
    session.deliver({ t: 'ping', n: 1 });
    await new Promise((r) => setImmediate(r));
    expect(session.sent.filter((m) => m.t === 'pong')).toHaveLength(1);
  });

  it('pings soon after something we sent goes unanswered, and gives up after the timeout', async () => {
    const { clock, session, link, closes } = linked();
    clock.advance(2_000);
    link.send({ t: 'typing', active: true });
    clock.advance(DEFAULT_HEARTBEAT.intervalMs - 1_000);
    await flush();
    expect(pings(session)).toBe(0);
    clock.advance(1_000);
    await flush();
    expect(pings(session)).toBe(1);
    // Only one ping per interval while the answer is outstanding.
    clock.advance(DEFAULT_HEARTBEAT.intervalMs - 1_000);
    await flush();
    expect(pings(session)).toBe(1);
    clock.advance(DEFAULT_HEARTBEAT.timeoutMs - 2 * DEFAULT_HEARTBEAT.intervalMs - 1);
    expect(closes).toEqual([]);
    clock.advance(1_001);
    expect(closes).toEqual(['timeout']);
  });

  it('does not ping to prove its own hello read: a new link is left to keepalive until something that matters is sent', async () => {
    const { clock, session, link } = linked();
    link.send(HELLO); // as the link factory does when the link opens
    await flush();
    clock.advance(DEFAULT_HEARTBEAT.intervalMs + 1_000);
    await flush();
    expect(pings(session)).toBe(0);
    link.send({ t: 'typing', active: true });
    clock.advance(DEFAULT_HEARTBEAT.intervalMs);
    await flush();
    expect(pings(session)).toBe(1);
  });

  it('does not wait for an answer to a pong (two quiet peers would ping each other forever)', async () => {
    const { clock, session, closes } = linked();
    session.deliver({ t: 'ping', n: 1 });
    await flush();
    expect(session.sent.filter((m) => m.t === 'pong')).toHaveLength(1);
    clock.advance(DEFAULT_HEARTBEAT.idleMs - 1_000);
    await flush();
    expect(pings(session)).toBe(0);
    expect(closes).toEqual([]);
  });

  it('takes only a pong to a later ping as proof that what we sent was read', async () => {
    const { clock, session, link, closes } = linked();
    link.send({ t: 'ack', id: 'AQEBAQEBAQEBAQEBAQEBAQ' });
    // A message from the peer that crossed ours proves nothing, nor does a pong to another ping.
    // (They only restart the clock of silence: the peer was alive when it sent them.)
    session.deliver({ t: 'typing', active: true });
    session.deliver({ t: 'pong', n: 7 });
    clock.advance(DEFAULT_HEARTBEAT.intervalMs);
    await flush();
    expect(pings(session)).toBe(1);
    const ping = session.sent.find((m) => m.t === 'ping');
    // Sent after the ping: its pong will not cover this one.
    clock.advance(500);
    link.send({ t: 'typing', active: false });
    session.deliver({ t: 'pong', n: ping?.t === 'ping' ? ping.n : -1 });
    clock.advance(DEFAULT_HEARTBEAT.intervalMs - 500);
    await flush();
    expect(pings(session)).toBe(1);
    clock.advance(1_000);
    await flush();
    expect(pings(session)).toBe(2);
    // Unanswered: gone 14 s after the second message, on the tick at 21 s.
    clock.advance(DEFAULT_HEARTBEAT.timeoutMs - DEFAULT_HEARTBEAT.intervalMs - 1_000);
    expect(closes).toEqual([]);
    clock.advance(1_000);
    expect(closes).toEqual(['timeout']);
  });

  it('keeps a link whose peer keeps talking while our pong waits behind a long queue', async () => {
    const { clock, session, link, closes } = linked();
    // A file on a slow link: our chunks (and so our ping) wait in the queue; the peer's progress
    // messages show that it is alive and reading.
    for (let s = 0; s < 40; s++) {
      link.send({ t: 'typing', active: s % 2 === 0 });
      session.deliver({ t: 'typing', active: true });
      clock.advance(1_000);
    }
    expect(closes).toEqual([]);
    // Then it falls silent (its last word came 1 s ago): pinged after 6 s, gone after 14 s.
    clock.advance(DEFAULT_HEARTBEAT.timeoutMs - 2_000);
    expect(closes).toEqual([]);
    clock.advance(1_000);
    expect(closes).toEqual(['timeout']);
  });

  it('is content once the pong to the last ping is back', async () => {
    const { clock, session, link, closes } = linked();
    link.send({ t: 'typing', active: true });
    clock.advance(DEFAULT_HEARTBEAT.intervalMs);
    await flush();
    session.deliver({ t: 'pong', n: 1 });
    clock.advance(DEFAULT_HEARTBEAT.idleMs - 1_000);
    await flush();
    expect(pings(session)).toBe(1);
    expect(closes).toEqual([]);
  });

  it('declares a silent peer gone one timeout after the idle ping, not before', () => {
    const { clock, closes } = linked();
    clock.advance(DEFAULT_HEARTBEAT.idleMs + DEFAULT_HEARTBEAT.timeoutMs - 1_000);
    expect(closes).toEqual([]);
    clock.advance(1_000);
    expect(closes).toEqual(['timeout']);
  });

  it('keeps a live peer when our own event loop was stalled past the timeout', () => {
    const { clock, session, link, closes } = linked();
    clock.advance(1_000);
    link.send({ t: 'typing', active: true }); // now an answer is awaited
    // Our process got no CPU for 20 s (a floor of 100 starting on two cores); the peer's pings
    // sat unread in the socket, and the interval fires once, late.
    clock.stall(20_000);
    expect(closes).toEqual([]);
    session.deliver({ t: 'ping', n: 1 });
    clock.advance(1_000);
    expect(closes).toEqual([]);
    // A peer that is really silent is still called gone, one tick later than usual at most.
    clock.advance(DEFAULT_HEARTBEAT.idleMs + DEFAULT_HEARTBEAT.timeoutMs + 1_000);
    expect(closes).toEqual(['timeout']);
  });

  it('calls a write into a connection the peer closed (EPIPE) lost, not a protocol error', () => {
    const { session, closes } = linked();
    session.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(closes).toEqual(['connection-lost']);
  });
});
