// The handshake's Curve25519 steps run in OpenSSL and on BigInt; tweetnacl and ed2curve (what they
// replaced, and what the reference secret-handshake uses) are the oracles here.
import type { KeyObject } from 'node:crypto';
import ed2curve from 'ed2curve';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  curveKeyPairOf,
  curvePublicKey,
  curvePublicKeyObject,
  sharedSecret,
} from '../../src/crypto/curve-dh.js';
import { edwardsToMontgomery } from '../../src/crypto/ed-to-montgomery.js';
import { HandshakeError } from '../../src/crypto/handshake-error.js';
import { newEphemeralKeyPair } from '../../src/crypto/shs-keys.js';
import { x25519PrivateKey, x25519PublicKey } from '../../src/crypto/x25519-key-objects.js';

const P = 2n ** 255n - 19n;
const encode = (n: bigint, signBit = 0) => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  out[31]! |= signBit << 7;
  return out;
};
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** The scalar inside an X25519 KeyObject, out of OpenSSL (tests only). */
const scalarOf = (key: KeyObject) =>
  new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).d!, 'base64url'));

describe('Ed25519 → X25519 public keys', () => {
  it('match ed2curve for real keys', () => {
    fc.assert(
      fc.property(bytes32, (seed) => {
        const { publicKey } = nacl.sign.keyPair.fromSeed(seed);
        expect(edwardsToMontgomery(publicKey)).toEqual(ed2curve.convertPublicKey(publicKey));
      }),
      { numRuns: 200 },
    );
  });

  it('match ed2curve on arbitrary bytes, points or not (about half are not)', () => {
    let refused = 0;
    fc.assert(
      fc.property(bytes32, (raw) => {
        const y = BigInt(`0x${Buffer.from(raw).reverse().toString('hex')}`) & ((1n << 255n) - 1n);
        fc.pre(y < P && y !== 1n && y !== P - 1n); // ed2curve accepts these; see the next test
        const ours = edwardsToMontgomery(raw);
        if (ours === null) refused++;
        expect(ours).toEqual(ed2curve.convertPublicKey(raw));
      }),
      { numRuns: 1000 },
    );
    expect(refused).toBeGreaterThan(300);
  });

  it('refuse non-canonical encodings, the neutral element and x = 0 with the sign bit', () => {
    expect(edwardsToMontgomery(encode(P))).toBeNull();
    expect(edwardsToMontgomery(encode(P + 5n))).toBeNull();
    expect(edwardsToMontgomery(encode(1n))).toBeNull(); // the neutral element (0, 1)
    expect(edwardsToMontgomery(encode(1n, 1))).toBeNull();
    expect(edwardsToMontgomery(encode(P - 1n, 1))).toBeNull(); // (0, −1) with x "negative"
    expect(edwardsToMontgomery(new Uint8Array(31))).toBeNull();
    expect(() => curvePublicKey(encode(P), 'test')).toThrow(HandshakeError);
  });
});

describe('curvePublicKey, remembered per key', () => {
  it('gives the same bytes the second time, as a copy the caller may change', () => {
    const { publicKey } = nacl.sign.keyPair();
    const first = curvePublicKey(publicKey, 'peer');
    first.fill(0);
    const second = curvePublicKey(publicKey, 'peer');
    expect(Buffer.from(second).equals(Buffer.from(ed2curve.convertPublicKey(publicKey)!))).toBe(true);
  });

  it('imports a converted key into OpenSSL once, and that key gives the DH of the converted bytes', () => {
    const { publicKey } = nacl.sign.keyPair();
    const key = curvePublicKeyObject(publicKey, 'peer');
    expect(curvePublicKeyObject(Uint8Array.from(publicKey), 'peer')).toBe(key);
    const own = nacl.box.keyPair();
    expect(sharedSecret(x25519PrivateKey(own.secretKey), key, 'test')).toEqual(
      nacl.scalarMult(own.secretKey, ed2curve.convertPublicKey(publicKey)!),
    );
  });

  it('refuses a non-point every time (nothing is remembered for it)', () => {
    const bad = new Uint8Array(32).fill(0xff);
    for (let i = 0; i < 2; i++) expect(() => curvePublicKey(bad, 'peer')).toThrow(HandshakeError);
  });
});

describe('X25519 through OpenSSL', () => {
  it('gives nacl.scalarMult results', () => {
    fc.assert(
      fc.property(bytes32, bytes32, (a, b) => {
        const own = nacl.box.keyPair.fromSecretKey(a);
        const theirs = nacl.box.keyPair.fromSecretKey(b);
        const expected = nacl.scalarMult(a, theirs.publicKey);
        expect(sharedSecret(x25519PrivateKey(own.secretKey), theirs.publicKey, 'test')).toEqual(expected);
        // The same through a cached peer key object, the form long-term keys take.
        expect(sharedSecret(x25519PrivateKey(a), x25519PublicKey(theirs.publicKey), 'test')).toEqual(
          expected,
        );
      }),
      { numRuns: 200 },
    );
  });

  it('makes ephemeral pairs whose public key belongs to the secret', () => {
    for (let i = 0; i < 20; i++) {
      const pair = newEphemeralKeyPair();
      expect(pair.publicKey).toHaveLength(32);
      expect(nacl.scalarMult.base(scalarOf(pair.privateKey))).toEqual(pair.publicKey);
    }
    expect(scalarOf(newEphemeralKeyPair().privateKey)).not.toEqual(
      scalarOf(newEphemeralKeyPair().privateKey),
    );
  });

  it('converts our identity as ed2curve does', () => {
    const identity = nacl.sign.keyPair();
    const pair = curveKeyPairOf(identity);
    expect(scalarOf(pair.privateKey)).toEqual(ed2curve.convertSecretKey(identity.secretKey));
    expect(pair.publicKey).toEqual(ed2curve.convertPublicKey(identity.publicKey));
    expect(curveKeyPairOf(identity)).toBe(pair); // computed once
  });

  it('refuses every low-order public key with a handshake error', () => {
    // The Curve25519 points of order 1, 2, 4 and 8 (u-coordinates, as libsodium's blocklist).
    const lowOrder = [
      0n,
      1n,
      325606250916557431795983626356110631294008115727848805560023387167927233504n,
      39382357235489614581723060781553021112529911719440698176882885853963445705823n,
      P - 1n,
      P,
      P + 1n,
    ];
    const own = x25519PrivateKey(nacl.box.keyPair().secretKey);
    for (const u of lowOrder) {
      expect(() => sharedSecret(own, encode(u), 'test')).toThrow(
        expect.objectContaining({ code: 'low-order-key' }),
      );
      expect(() => sharedSecret(own, x25519PublicKey(encode(u)), 'test')).toThrow(
        expect.objectContaining({ code: 'low-order-key' }),
      );
    }
  });
});
