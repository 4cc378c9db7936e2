// The Ed25519 fast path must agree with tweetnacl exactly, and the strict checks must reject what
// tweetnacl lets through (non-canonical S, small-order keys and R).
import ed2curve from 'ed2curve';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { curvePublicKey } from '../../src/crypto/curve-dh.js';
import { checkEd25519Point, isCanonicalSignature, verifyStrict } from '../../src/crypto/ed25519-checks.js';
import { signDetached, verifyDetached } from '../../src/crypto/ed25519-fast.js';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));
const le = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).reverse().toString('hex') || '0'}`);
const toLe = (n: bigint) => Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse());

// The small-order encodings libsodium blocks (the 8-torsion subgroup), including p-1, p, p+1 forms.
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
];

describe('Ed25519 fast path', () => {
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

  it('converts public keys to Curve25519 exactly like ed2curve', () => {
    for (let i = 0; i < 50; i++) {
      const { publicKey } = nacl.sign.keyPair();
      expect(Buffer.from(curvePublicKey(publicKey, 'test'))).toEqual(
        Buffer.from(ed2curve.convertPublicKey(publicKey)!),
      );
    }
    // y = 2 is not on the curve: ed2curve says null, we throw a typed error.
    const offCurve = new Uint8Array(32);
    offCurve[0] = 2;
    expect(ed2curve.convertPublicKey(offCurve)).toBeNull();
    expect(() => curvePublicKey(offCurve, 'test')).toThrow(
      expect.objectContaining({ code: 'low-order-key' }),
    );
  });
});

describe('Ed25519 strictness', () => {
  it('classifies every small-order encoding as small-order, and real keys as ok', () => {
    for (const encoding of SMALL_ORDER) expect(checkEd25519Point(hex(encoding))).toBe('small-order');
    for (let i = 0; i < 20; i++) expect(checkEd25519Point(nacl.sign.keyPair().publicKey)).toBe('ok');
    expect(checkEd25519Point(hex('edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))).toBe(
      'non-canonical',
    );
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
    const identity = hex(SMALL_ORDER[1]!); // A = R = neutral element, S = 0
    const signature = new Uint8Array(64);
    signature.set(identity, 0);
    const message = Buffer.from('anything at all');
    expect(nacl.sign.detached.verify(message, signature, identity)).toBe(true); // the trap
    expect(verifyStrict(signature, message, identity)).toBe(false);
  });
});
