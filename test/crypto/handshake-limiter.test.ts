import { describe, expect, it } from 'vitest';
import {
  HandshakeLimiter,
  MAX_HANDSHAKES_IN_PROGRESS,
  MAX_HANDSHAKES_PER_ADDRESS,
  SlotRefused,
} from '../../src/crypto/handshake-limiter.js';
import { FakeTimers } from './fake-timers.js';

/** Resolves to 'granted' or the refusal reason, without throwing. */
async function outcome(slot: Promise<() => void>): Promise<string> {
  try {
    await slot;
    return 'granted';
  } catch (error) {
    return error instanceof SlotRefused ? error.reason : String(error);
  }
}

describe('HandshakeLimiter', () => {
  it('allows 8 half-open handshakes per address', () => {
    expect(MAX_HANDSHAKES_PER_ADDRESS).toBe(8);
    const limiter = new HandshakeLimiter();
    const slots = Array.from({ length: 8 }, () => limiter.tryAcquire('192.0.2.1'));
    expect(slots.every((s) => s !== undefined)).toBe(true);
    expect(limiter.tryAcquire('192.0.2.1')).toBeUndefined();
    expect(limiter.tryAcquire('192.0.2.2')).toBeDefined();
    slots[0]!();
    expect(limiter.tryAcquire('192.0.2.1')).toBeDefined();
  });

  it('allows 64 in total across addresses', () => {
    expect(MAX_HANDSHAKES_IN_PROGRESS).toBe(64);
    const limiter = new HandshakeLimiter();
    const slots = Array.from({ length: 64 }, (_, i) => limiter.tryAcquire(`192.0.2.${i % 10}`));
    expect(slots.every((s) => s !== undefined)).toBe(true);
    expect(limiter.inProgress).toBe(64);
    expect(limiter.tryAcquire('198.51.100.1')).toBeUndefined();
    slots[5]!();
    expect(limiter.tryAcquire('198.51.100.1')).toBeDefined();
    expect(limiter.tryAcquire('198.51.100.1')).toBeUndefined();
  });

  it('ignores a double release and forgets idle addresses', () => {
    const limiter = new HandshakeLimiter({ maxTotal: 2, maxPerAddress: 1 });
    const release = limiter.tryAcquire('a')!;
    release();
    release();
    expect(limiter.inProgress).toBe(0);
    expect(limiter.inProgressFrom('a')).toBe(0);
    expect(limiter.tryAcquire('a')).toBeDefined();
    expect(limiter.tryAcquire('b')).toBeDefined();
    expect(limiter.tryAcquire('c')).toBeUndefined();
  });

  it('queues beyond the caps and serves the line in arrival order as slots free', async () => {
    const limiter = new HandshakeLimiter({ maxTotal: 2, maxPerAddress: 2 }, new FakeTimers());
    const held = [limiter.tryAcquire('a')!, limiter.tryAcquire('b')!];
    const granted: string[] = [];
    const waits = ['c', 'd', 'e'].map((address) => {
      const { slot } = limiter.acquire(address);
      return slot.then((release) => {
        granted.push(address);
        return release;
      });
    });
    expect(limiter.waiting).toBe(3);
    held[0]!();
    const c = await waits[0]!;
    expect(granted).toEqual(['c']);
    held[1]!();
    c();
    await Promise.all(waits.slice(1));
    expect(granted).toEqual(['c', 'd', 'e']);
    expect(limiter.waiting).toBe(0);
  });

  it('serves addresses in turn: a flood from one address waits behind itself, not in front of others', async () => {
    const limiter = new HandshakeLimiter(
      { maxTotal: 1, maxPerAddress: 1, maxWaitingPerAddress: 100 },
      new FakeTimers(),
    );
    let release = limiter.tryAcquire('honest-0')!;
    const order: string[] = [];
    const slots: Promise<unknown>[] = [];
    const line = (address: string) =>
      slots.push(
        limiter.acquire(address).slot.then((r) => {
          order.push(address);
          release = r;
        }),
      );
    for (let i = 0; i < 50; i++) line('flood');
    line('honest-1');
    line('honest-2');
    for (let served = 0; served < 6; served++) {
      release();
      await Promise.resolve();
      await Promise.resolve();
    }
    // The honest addresses came after 50 flood connections and were still served among the first.
    expect(order.slice(0, 4)).toEqual(['flood', 'honest-1', 'honest-2', 'flood']);
  });

  it('refuses at once when the line is full, per address and in total', async () => {
    const limiter = new HandshakeLimiter(
      { maxTotal: 1, maxPerAddress: 1, maxWaitingPerAddress: 2, maxWaiting: 3 },
      new FakeTimers(),
    );
    limiter.tryAcquire('x');
    const a1 = limiter.acquire('a').slot;
    const a2 = limiter.acquire('a').slot;
    expect(await outcome(limiter.acquire('a').slot)).toBe('full');
    const b1 = limiter.acquire('b').slot;
    expect(await outcome(limiter.acquire('c').slot)).toBe('full');
    expect(limiter.waiting).toBe(3);
    void [a1, a2, b1].map((p) => p.catch(() => {}));
  });

  it('a waiting connection leaves the line when it waited too long or its socket closed', async () => {
    const timers = new FakeTimers();
    const limiter = new HandshakeLimiter({ maxTotal: 1, maxPerAddress: 1, maxWaitMs: 10_000 }, timers);
    const held = limiter.tryAcquire('x')!;
    const slow = limiter.acquire('a');
    const gone = limiter.acquire('b');
    gone.cancel();
    expect(await outcome(gone.slot)).toBe('cancelled');
    expect(timers.armed).toEqual([10_000]);
    timers.elapse();
    expect(await outcome(slow.slot)).toBe('waited-too-long');
    expect(limiter.waiting).toBe(0);
    held();
    expect(limiter.inProgress).toBe(0);
    // A slot granted after all is not taken back by a late cancel.
    const late = limiter.acquire('c');
    expect(await outcome(late.slot)).toBe('granted');
    late.cancel();
    expect(limiter.inProgress).toBe(1);
  });
});
