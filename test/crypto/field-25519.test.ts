// The field arithmetic behind the Ed25519 → X25519 conversion, against BigInt's own `%` and a
// plain square-and-multiply: a wrong fold or a wrong step in the addition chain shows here before
// it shows as a key that converts wrongly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { D } from '../../src/crypto/ed-to-montgomery.js';
import { mul, P, pow22523, reduce, sub } from '../../src/crypto/field-25519.js';

const slowPow = (base: bigint, exponent: bigint): bigint => {
  let result = 1n;
  let b = base % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
};
const element = fc.bigInt({ min: 0n, max: P - 1n });
const below2p256 = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });

describe('arithmetic modulo 2^255 − 19', () => {
  it('reduces any product of values below 2^256 as % does, edges included', () => {
    fc.assert(
      fc.property(below2p256, below2p256, (a, b) => {
        expect(reduce(a * b)).toBe((a * b) % P);
      }),
      { numRuns: 2000 },
    );
    for (const a of [0n, 1n, P - 1n, P, P + 1n, 2n ** 255n - 1n, 2n ** 256n - 1n]) {
      for (const b of [1n, P - 1n, 2n ** 256n - 1n]) expect(reduce(a * b)).toBe((a * b) % P);
    }
  });

  it('multiplies and subtracts within the field', () => {
    fc.assert(
      fc.property(element, element, (a, b) => {
        expect(mul(a, b)).toBe((a * b) % P);
        expect(sub(a, b)).toBe((((a - b) % P) + P) % P);
      }),
      { numRuns: 500 },
    );
  });

  it('raises to (p − 5)/8 as square-and-multiply does', () => {
    fc.assert(
      fc.property(element, (z) => {
        expect(pow22523(z)).toBe(slowPow(z, (P - 5n) / 8n));
      }),
      { numRuns: 50 },
    );
  });

  it('holds the right curve constant d = −121665/121666', () => {
    expect((D * 121666n + 121665n) % P).toBe(0n);
  });
});
