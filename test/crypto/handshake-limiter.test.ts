import { describe, expect, it } from 'vitest';
import {
  HandshakeLimiter,
  MAX_HANDSHAKES_IN_PROGRESS,
  MAX_HANDSHAKES_PER_ADDRESS,
} from '../../src/crypto/handshake-limiter.js';

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
});
