// Fuzz: random and mutated bytes at every handshake step that reads peer input. Only a
// HandshakeError may come out (never a crash, never a success on bad input). 41 000 cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HandshakeError } from '../../src/crypto/handshake-error.js';
import {
  clientAuth,
  clientVerifyServerAccept,
  clientVerifyServerHello,
} from '../../src/crypto/shs-client.js';
import {
  serverAccept,
  serverVerifyClientAuth,
  serverVerifyClientHello,
} from '../../src/crypto/shs-server.js';
import { afterHellos } from './handshake-fixture.js';

const { c0, s0, s1, c1 } = afterHellos();
const m3 = clientAuth(c1);
const m4 = serverAccept(serverVerifyClientAuth(s1, m3));

/** Runs a step on hostile input: it must throw a HandshakeError. */
function rejects(step: () => unknown): void {
  try {
    step();
  } catch (error) {
    if (!(error instanceof HandshakeError)) throw error;
    return;
  }
  throw new Error('hostile input was accepted');
}

const mutate = (message: Uint8Array) =>
  fc
    .record({
      at: fc.nat(message.length - 1),
      xor: fc.integer({ min: 1, max: 255 }),
      extra: fc.array(fc.record({ at: fc.nat(message.length - 1), value: fc.nat(255) }), { maxLength: 3 }),
    })
    .map(({ at, xor, extra }) => {
      const copy = Uint8Array.from(message);
      copy[at]! ^= xor;
      for (const e of extra) copy[e.at] = e.value;
      return copy;
    })
    .filter((copy) => !Buffer.from(copy).equals(Buffer.from(message)));

describe('handshake fuzz', () => {
  it('random message 1 / message 2 of any size (20 000 + 10 000 cases)', () => {
    // size 'max': fast-check's default size keeps arrays to about 10 bytes.
    const anyHello = fc.oneof(
      fc.uint8Array({ minLength: 64, maxLength: 64 }),
      fc.uint8Array({ maxLength: 130, size: 'max' }),
    );
    fc.assert(
      fc.property(anyHello, (bytes) => rejects(() => serverVerifyClientHello(s0, bytes))),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(anyHello, (bytes) => rejects(() => clientVerifyServerHello(c0, bytes))),
      { numRuns: 10_000 },
    );
  });

  it('random and mutated message 3 (10 000 cases)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          mutate(m3),
          fc.uint8Array({ minLength: 112, maxLength: 112 }),
          fc.uint8Array({ maxLength: 200, size: 'max' }),
        ),
        (bytes) => rejects(() => serverVerifyClientAuth(s1, bytes)),
      ),
      { numRuns: 10_000 },
    );
  });

  it('random and mutated message 4 (1 000 cases: each costs a DH)', () => {
    fc.assert(
      fc.property(fc.oneof(mutate(m4), fc.uint8Array({ minLength: 80, maxLength: 80 })), (bytes) =>
        rejects(() => clientVerifyServerAccept(c1, bytes)),
      ),
      { numRuns: 1_000 },
    );
    expect(() => clientVerifyServerAccept(c1, m4)).not.toThrow();
  });
});
