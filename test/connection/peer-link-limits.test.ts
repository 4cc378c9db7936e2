// PeerLink's limits with a fake clock and a fake secure session whose reader the test controls:
// the hello deadline that no trickle extends, and the bounded send queue (room for producers,
// refusal beyond the hard cap, disconnection of a peer that does not drain).
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  HELLO_TIMEOUT_MS,
  type LinkCloseReason,
  PeerLink,
  type SendLimits,
} from '../../src/connection/peer-link.js';
import { encodeFrame, FRAME_TYPE_MESSAGE } from '../../src/protocol/frame-codec.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';
import { FakeClock } from '../core/fake-clock.js';

/** A session whose peer reads only when told to: writes stay queued until `drainAll()`. */
class FakeSession extends Duplex {
  readonly remotePublicKey = new Uint8Array(32);
  readonly closeReason = undefined;
  private held: (() => void)[] = [];
  constructor() {
    super({ highWaterMark: 16 * 1024 });
  }
  override _read(): void {}
  override _write(_chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.held.push(callback);
  }
  /** The peer reads everything queued (after the link's cork of this turn is lifted). */
  async drainAll(): Promise<void> {
    await tick();
    while (this.held.length > 0 || this.writableLength > 0) {
      const callbacks = this.held;
      this.held = [];
      for (const callback of callbacks) callback();
      await tick();
    }
  }
  /** Bytes from the peer (the plaintext the secure stream would deliver). */
  deliver(bytes: Uint8Array): void {
    this.push(Buffer.from(bytes));
  }
}

const LIMITS: SendLimits = { pauseBytes: 64 * 1024, maxBytes: 256 * 1024, stallMs: 30_000 };
// The heartbeat is not under test here: it must not fire within the minutes these tests span.
const HEARTBEAT = { intervalMs: 4_000, timeoutMs: 3_600_000, idleMs: 3_600_000 };

function setup(opts: { helloDeadline?: number } = {}) {
  const clock = new FakeClock();
  const session = new FakeSession();
  const link = new PeerLink(session, {
    initiator: false,
    remoteAddress: '127.0.0.1',
    clock,
    heartbeat: HEARTBEAT,
    sendLimits: LIMITS,
    ...(opts.helloDeadline !== undefined ? { helloDeadline: opts.helloDeadline } : {}),
  });
  const closed: { reason: LinkCloseReason; error: Error | undefined }[] = [];
  link.on('close', (reason, error) => closed.push({ reason, error }));
  return { clock, session, link, closed };
}

const helloBytes = encodeFrame(
  FRAME_TYPE_MESSAGE,
  Buffer.from(
    JSON.stringify({
      t: 'hello',
      v: PROTOCOL_VERSION,
      nick: 'dripper',
      presence: 'online',
      status: '',
      caps: [],
      rooms: [],
    }),
  ),
);

const tick = () => new Promise((resolve) => setImmediate(resolve));
/** Fills the queue the way a producer does: until there is no room (at most `max` messages). */
function fill(link: PeerLink, max = 1_000): void {
  for (let i = 0; i < max && link.hasRoom; i++) link.send(bulk(8 * 1024));
}

/** A message of about `bytes` bytes on the wire (a typing-sized message would need thousands). */
function bulk(bytes: number) {
  return { t: 'nick', nick: 'n'.repeat(bytes) } as unknown as Parameters<PeerLink['send']>[0];
}

describe('the hello deadline', () => {
  it('closes a peer that drips its hello at the deadline, however recently its last byte came', async () => {
    const { clock, session, closed } = setup();
    // One byte every second: before the fix every byte restarted the 5 s timer, forever.
    for (let i = 0; i < helloBytes.length - 1 && closed.length === 0; i++) {
      session.deliver(helloBytes.subarray(i, i + 1));
      await tick();
      clock.advance(1_000);
    }
    expect(closed.map((c) => c.reason)).toEqual(['timeout']);
    expect(clock.now() - 1_700_000_000_000).toBeLessThanOrEqual(HELLO_TIMEOUT_MS + 1_000);
    expect(closed[0]?.error?.message).toMatch(/no complete hello/);
  });

  it('counts from the deadline it is given (the accept, before the handshake)', () => {
    const clock = new FakeClock();
    const { clock: c2, closed } = setup({ helloDeadline: clock.now() + 1_500 });
    c2.advance(1_000);
    expect(closed).toEqual([]);
    c2.advance(1_000);
    expect(closed.map((c) => c.reason)).toEqual(['timeout']);
  });

  it('lets a prompt hello through', async () => {
    const { clock, session, link, closed } = setup();
    session.deliver(helloBytes);
    await tick();
    expect(link.remoteHello?.nick).toBe('dripper');
    clock.advance(HELLO_TIMEOUT_MS * 3);
    expect(closed).toEqual([]);
  });
});

describe('the send queue', () => {
  it('reports no room at the pause mark and emits room once the peer has read it', async () => {
    const { session, link } = setup();
    let rooms = 0;
    link.on('room', () => rooms++);
    fill(link);
    expect(link.queuedBytes).toBeGreaterThanOrEqual(LIMITS.pauseBytes);
    expect(link.queuedBytes).toBeLessThan(LIMITS.pauseBytes + 9 * 1024);
    // Small control messages still go out (an ack, a pong) while producers wait.
    expect(link.send({ t: 'ack', id: 'x' })).toBe(true);
    await session.drainAll();
    await tick();
    expect(rooms).toBe(1);
    expect(link.hasRoom).toBe(true);
    expect(link.isClosed).toBe(false);
  });

  it('refuses a message beyond the hard cap and closes the link, saying why', () => {
    const { link, closed } = setup();
    let sent = 0;
    // Bounded: without the cap this would queue forever.
    while (sent < 1_000 && link.send(bulk(8 * 1024))) sent++;
    expect(sent * 8 * 1024).toBeLessThanOrEqual(LIMITS.maxBytes);
    expect(link.isClosed).toBe(true);
    expect(closed.map((c) => c.reason)).toEqual(['stalled']);
    expect(closed[0]?.error?.message).toMatch(/does not read/);
  });

  it('disconnects a peer whose full queue does not drain within the stall deadline', async () => {
    const { clock, session, link, closed } = setup();
    session.deliver(helloBytes);
    await tick();
    fill(link);
    clock.advance(LIMITS.stallMs - 1_000);
    expect(closed).toEqual([]);
    clock.advance(2_000);
    expect(closed.map((c) => c.reason)).toEqual(['stalled']);
    expect(closed[0]?.error?.message).toMatch(/did not drain within 30 s/);
  });

  it('keeps a peer that drains its queue in time', async () => {
    const { clock, session, link, closed } = setup();
    session.deliver(helloBytes);
    await tick();
    for (let round = 0; round < 5; round++) {
      fill(link);
      clock.advance(LIMITS.stallMs / 2);
      await session.drainAll();
      await tick();
    }
    clock.advance(LIMITS.stallMs * 2);
    expect(closed).toEqual([]);
  });
});
