// Ed25519 on node:crypto must agree with tweetnacl exactly (same signatures, same verdicts), and
// the strict checks must reject what tweetnacl lets through (non-canonical S, small-order keys and
// R), including every encoding of every small-order point.
import ed2curve from 'ed2curve';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { curvePublicKey } from '../../src/crypto/curve-dh.js';
import { signDetached, verifyDetached } from '../../src/crypto/ed25519.js';
import { checkEd25519Point, isCanonicalSignature, verifyStrict } from '../../src/crypto/ed25519-checks.js';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const le = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).reverse().toString('hex') || '0'}`);
const toLe = (n: bigint) => Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse());
const withSignBit = (b: Uint8Array) => {
  const copy = Uint8Array.from(b);
  copy[31]! |= 0x80;
  return copy;
};

// Canonical encodings of the small-order points (the 8-torsion subgroup), with both signs of x.
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map(hex);
// x = 0 with the sign bit set (only y = ±1 have x = 0): non-canonical, and of small order.
const SMALL_ORDER_NEGATIVE_ZERO = [
  '0100000000000000000000000000000000000000000000000000000000000080',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
].map(hex);
// y >= p: p and p + 1 encode the small-order y = 0 and y = 1 again; p + 18 and 2^255 - 1 are the
// largest. All are refused as non-canonical.
const NON_CANONICAL_Y = [
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
].map(hex);
// y = 2 is not on the curve.
const OFF_CURVE = hex(`02${'00'.repeat(31)}`);

describe('Ed25519 on node:crypto (OpenSSL)', () => {
  it('signs byte-for-byte like nacl.sign.detached', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        (seed, message) => {
          const keys = nacl.sign.keyPair.fromSeed(seed);
          expect(Buffer.from(signDetached(message, keys.secretKey))).toEqual(
            Buffer.from(nacl.sign.detached(message, keys.secretKey)),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('verifies like nacl.sign.detached.verify, on valid and corrupted signatures', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(64 * 8 - 1), (seed, bit) => {
        const keys = nacl.sign.keyPair.fromSeed(seed);
        const message = seed.subarray(0, 7);
        const signature = nacl.sign.detached(message, keys.secretKey);
        expect(verifyDetached(message, signature, keys.publicKey)).toBe(true);
        const bad = Uint8Array.from(signature);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        expect(verifyDetached(message, bad, keys.publicKey)).toBe(
          nacl.sign.detached.verify(message, bad, keys.publicKey),
        );
        expect(verifyDetached(Uint8Array.of(1), signature, keys.publicKey)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on arbitrary keys and signatures, and refuses them', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (publicKey, signature) => {
          expect(verifyDetached(Uint8Array.of(1, 2, 3), signature, publicKey)).toBe(false);
          expect(verifyStrict(signature, Uint8Array.of(1, 2, 3), publicKey)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
    const keys = nacl.sign.keyPair();
    const signature = signDetached(Uint8Array.of(1), keys.secretKey);
    expect(verifyDetached(Uint8Array.of(1), signature.subarray(0, 63), keys.publicKey)).toBe(false);
    expect(verifyDetached(Uint8Array.of(1), signature, keys.publicKey.subarray(0, 31))).toBe(false);
  });

  it('refuses a secret key whose second half is not the public key of its seed', () => {
    const a = nacl.sign.keyPair();
    const b = nacl.sign.keyPair();
    const mixed = new Uint8Array(64);
    mixed.set(a.secretKey.subarray(0, 32), 0);
    mixed.set(b.publicKey, 32);
    expect(() => signDetached(Uint8Array.of(1), mixed)).toThrow(RangeError);
    expect(() => signDetached(Uint8Array.of(1), new Uint8Array(32))).toThrow(RangeError);
  });

  it('keeps one key per identity, and rebuilds it when the secret key bytes change in place', () => {
    const a = nacl.sign.keyPair();
    const b = nacl.sign.keyPair();
    const message = Buffer.from('hello');
    const secretKey = Uint8Array.from(a.secretKey);
    expect(Buffer.from(signDetached(message, secretKey))).toEqual(
      Buffer.from(nacl.sign.detached(message, a.secretKey)),
    );
    expect(Buffer.from(signDetached(message, secretKey))).toEqual(
      Buffer.from(nacl.sign.detached(message, a.secretKey)),
    );
    secretKey.set(b.secretKey);
    expect(Buffer.from(signDetached(message, secretKey))).toEqual(
      Buffer.from(nacl.sign.detached(message, b.secretKey)),
    );
  });

  it('converts public keys to Curve25519 with ed2curve, and refuses points off the curve', () => {
    for (let i = 0; i < 20; i++) {
      const { publicKey } = nacl.sign.keyPair();
      expect(Buffer.from(curvePublicKey(publicKey, 'test'))).toEqual(
        Buffer.from(ed2curve.convertPublicKey(publicKey)!),
      );
    }
    expect(ed2curve.convertPublicKey(OFF_CURVE)).toBeNull();
    expect(() => curvePublicKey(OFF_CURVE, 'test')).toThrow(
      expect.objectContaining({ code: 'low-order-key' }),
    );
    expect(() => curvePublicKey(new Uint8Array(31), 'test')).toThrow(
      expect.objectContaining({ code: 'low-order-key' }),
    );
  });
});

describe('Ed25519 strictness', () => {
  it('classifies every encoding of a small-order point as unusable, and real keys as ok', () => {
    for (const encoding of SMALL_ORDER) expect(checkEd25519Point(encoding)).toBe('small-order');
    for (const encoding of SMALL_ORDER_NEGATIVE_ZERO) expect(checkEd25519Point(encoding)).toBe('small-order');
    for (const encoding of NON_CANONICAL_Y) expect(checkEd25519Point(encoding)).toBe('non-canonical');
    expect(checkEd25519Point(new Uint8Array(31))).toBe('non-canonical');
    for (let i = 0; i < 50; i++) expect(checkEd25519Point(nacl.sign.keyPair().publicKey)).toBe('ok');
  });

  it('the blocklist is right: each listed point gives an all-zero DH after ed2curve (audited oracle)', () => {
    // A small-order Edwards point maps to a small-order Montgomery u, which the clamped scalar
    // (a multiple of 8) sends to zero. Real keys never do.
    const scalar = nacl.randomBytes(32);
    for (const encoding of [...SMALL_ORDER, ...SMALL_ORDER_NEGATIVE_ZERO]) {
      const u = ed2curve.convertPublicKey(encoding);
      expect(u).not.toBeNull();
      expect(nacl.scalarMult(scalar, u!).every((byte) => byte === 0)).toBe(true);
    }
    for (let i = 0; i < 5; i++) {
      const u = ed2curve.convertPublicKey(nacl.sign.keyPair().publicKey)!;
      expect(nacl.scalarMult(scalar, u).every((byte) => byte === 0)).toBe(false);
    }
  });

  it('leaves a key off the curve to the decoders: OpenSSL verify and ed2curve refuse it', () => {
    expect(checkEd25519Point(OFF_CURVE)).toBe('ok'); // no curve arithmetic in the checks
    const keys = nacl.sign.keyPair();
    const signature = nacl.sign.detached(Uint8Array.of(1), keys.secretKey);
    expect(verifyDetached(Uint8Array.of(1), signature, OFF_CURVE)).toBe(false);
    expect(verifyStrict(signature, Uint8Array.of(1), OFF_CURVE)).toBe(false);
  });

  it('rejects S >= L, which tweetnacl accepts', () => {
    const keys = nacl.sign.keyPair();
    const message = Buffer.from('pay 5 to bob');
    const signature = nacl.sign.detached(message, keys.secretKey);
    const malleated = Uint8Array.from(signature);
    malleated.set(toLe(le(signature.subarray(32)) + L), 32);
    expect(nacl.sign.detached.verify(message, malleated, keys.publicKey)).toBe(true); // the trap
    expect(isCanonicalSignature(malleated)).toBe(false);
    expect(verifyStrict(malleated, message, keys.publicKey)).toBe(false);
    expect(verifyStrict(signature, message, keys.publicKey)).toBe(true);
  });

  it('rejects a small-order key with a signature valid for every message, which tweetnacl accepts', () => {
    const neutral = hex(`01${'00'.repeat(31)}`);
    const signature = new Uint8Array(64); // R = neutral element, S = 0
    signature.set(neutral, 0);
    const message = Buffer.from('anything at all');
    // A = the neutral element, canonically encoded or with the sign bit set on x = 0.
    for (const key of [neutral, withSignBit(neutral)]) {
      expect(nacl.sign.detached.verify(message, signature, key)).toBe(true); // the trap
      expect(verifyStrict(signature, message, key)).toBe(false);
    }
  });

  it('rejects a small-order R even with a real key', () => {
    const keys = nacl.sign.keyPair();
    for (const r of SMALL_ORDER) {
      const signature = new Uint8Array(64);
      signature.set(r, 0);
      expect(verifyStrict(signature, Uint8Array.of(1), keys.publicKey)).toBe(false);
    }
  });
});
