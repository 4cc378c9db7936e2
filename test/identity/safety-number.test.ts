import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { idOf } from '../../src/identity/ids.js';
import {
  formatSafetyNumber,
  numericFingerprint,
  safetyNumber,
  safetyNumbersMatch,
} from '../../src/identity/safety-number.js';

const hex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

describe('numericFingerprint (Signal construction)', () => {
  it("matches libsignal's published vector (rust/protocol/src/fingerprint.rs, 5200 iterations)", () => {
    // Signal serializes its Curve25519 identity keys with a 0x05 type byte; the stable ids are
    // phone numbers. Same construction that lanchat feeds with raw Ed25519 keys and ids.
    const alice = {
      key: hex('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868'),
      stableId: new TextEncoder().encode('+14152222222'),
    };
    const bob = {
      key: hex('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b'),
      stableId: new TextEncoder().encode('+14153333333'),
    };
    const expected = '300354477692869396892869876765458257569162576843440918079131';
    expect(numericFingerprint(alice, bob)).toBe(expected);
    expect(numericFingerprint(bob, alice)).toBe(expected);
  });
});

describe('safetyNumber', () => {
  const a = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(1)).publicKey;
  const b = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(2)).publicKey;

  // Pinned once, and cross-checked with an independent Python (hashlib) computation of the same
  // construction: a change here would break every contact who has already verified.
  it('is pinned for fixed keys', () => {
    expect(idOf(a)).toBe('iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w');
    expect(safetyNumber(a, b)).toBe(
      '10033 89116 44794 77076 04124 72180 90186 80375 87899 95549 01920 05328',
    );
  });

  it('is symmetric', () => {
    expect(safetyNumber(b, a)).toBe(safetyNumber(a, b));
    const c = nacl.sign.keyPair().publicKey;
    expect(safetyNumber(c, a)).toBe(safetyNumber(a, c));
  });

  it('differs when either key differs', () => {
    const c = nacl.sign.keyPair().publicKey;
    const numbers = new Set([safetyNumber(a, b), safetyNumber(a, c), safetyNumber(b, c)]);
    expect(numbers.size).toBe(3);
    const flipped = new Uint8Array(b);
    flipped[31]! ^= 1;
    expect(safetyNumber(a, flipped)).not.toBe(safetyNumber(a, b));
  });

  it('is 12 groups of 5 digits', () => {
    for (let i = 0; i < 5; i++) {
      const n = safetyNumber(nacl.sign.keyPair().publicKey, nacl.sign.keyPair().publicKey);
      expect(n).toMatch(/^[0-9]{5}( [0-9]{5}){11}$/);
    }
    expect(formatSafetyNumber('0'.repeat(60))).toBe(Array(12).fill('00000').join(' '));
  });
});

describe('safetyNumbersMatch', () => {
  const n = '01587 54069 29950 50599 33386 26702 47960 47624 51651 09807 94893 35004';

  it('ignores whitespace and grouping', () => {
    expect(safetyNumbersMatch(n, n.replace(/ /g, ''))).toBe(true);
    expect(safetyNumbersMatch(` ${n.replace(/ /g, '\n')}\t`, n)).toBe(true);
  });

  it('rejects any differing digit', () => {
    expect(safetyNumbersMatch(n, `${n.slice(0, -1)}5`)).toBe(false);
    expect(safetyNumbersMatch(n, `1${n.slice(1)}`)).toBe(false);
  });

  it('rejects malformed input, even when equal', () => {
    expect(safetyNumbersMatch(n, n.slice(0, -2))).toBe(false);
    expect(safetyNumbersMatch('', '')).toBe(false);
    expect(safetyNumbersMatch('abc', 'abc')).toBe(false);
    expect(safetyNumbersMatch(`${n}0`, `${n}0`)).toBe(false);
  });
});
