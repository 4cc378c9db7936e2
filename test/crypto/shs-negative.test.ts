// Malicious handshake messages crafted with the pure steps: an attacker who knows the network key
// and its own ephemeral secrets can box whatever it likes; these are the attacks that leaves.
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto/digests.js';
import { HandshakeError } from '../../src/crypto/handshake-error.js';
import {
  clientAuth,
  clientHello,
  clientVerifyServerAccept,
  clientVerifyServerHello,
  createClient,
} from '../../src/crypto/shs-client.js';
import { makeHello } from '../../src/crypto/shs-hello.js';
import {
  createServer,
  serverAccept,
  serverHello,
  serverVerifyClientAuth,
  serverVerifyClientHello,
} from '../../src/crypto/shs-server.js';
import { afterHellos, alice, bob, K } from './handshake-fixture.js';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
// Curve25519 points of small order (u = 0, u = 1, and an order-8 point).
const LOW_ORDER_U = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
const SMALL_ORDER_ED = Uint8Array.from(Buffer.from(`01${'00'.repeat(31)}`, 'hex'));
const OFF_CURVE_ED = Uint8Array.from(Buffer.from(`02${'00'.repeat(31)}`, 'hex')); // y = 2

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HandshakeError);
    return (error as HandshakeError).code;
  }
  return 'no error';
}

function toCanonicalPlusL(signature: Uint8Array): Uint8Array {
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).reverse().toString('hex')}`) + L;
  const out = Uint8Array.from(signature);
  out.set(Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse(), 32);
  return out;
}

describe('SHS pure steps reject', () => {
  it('low-order ephemeral keys in message 1 and message 2 (all-zero DH)', () => {
    for (const u of LOW_ORDER_U) {
      const hello = makeHello(u, K).message;
      expect(code(() => serverVerifyClientHello(createServer({ identity: bob, networkKey: K }), hello))).toBe(
        'low-order-key',
      );
      const c0 = createClient({ identity: alice, networkKey: K, serverPublicKey: bob.publicKey });
      expect(code(() => clientVerifyServerHello(c0, hello))).toBe('low-order-key');
    }
  });

  it('a small-order server key before dialling', () => {
    expect(
      code(() => createClient({ identity: alice, networkKey: K, serverPublicKey: SMALL_ORDER_ED })),
    ).toBe('low-order-key');
  });

  it('a small-order client key in message 3 ("Prime, Order Please!")', () => {
    const { c1, s1 } = afterHellos();
    // The attacker holds a: it can box any plaintext under sha256(K ‖ ab ‖ aB).
    const plain = new Uint8Array(96);
    plain.set(SMALL_ORDER_ED, 0); // R = identity, S = 0: "valid" for any message under tweetnacl
    plain.set(SMALL_ORDER_ED, 64);
    const forged = nacl.secretbox(plain, new Uint8Array(24), sha256(c1.secretPrefix));
    expect(code(() => serverVerifyClientAuth(s1, forged))).toBe('low-order-key');
  });

  it('a client key off the curve in message 3: no signature can verify under it', () => {
    const { c1, s1 } = afterHellos();
    const plain = Uint8Array.from(c1.authPlain);
    plain.set(OFF_CURVE_ED, 64);
    const forged = nacl.secretbox(plain, new Uint8Array(24), sha256(c1.secretPrefix));
    expect(code(() => serverVerifyClientAuth(s1, forged))).toBe('bad-auth');
  });

  it('a server key off the curve before dialling', () => {
    expect(code(() => createClient({ identity: alice, networkKey: K, serverPublicKey: OFF_CURVE_ED }))).toBe(
      'low-order-key',
    );
  });

  it('a non-canonical (S + L) client signature in message 3', () => {
    const { c1, s1 } = afterHellos();
    const plain = Uint8Array.from(c1.authPlain);
    plain.set(toCanonicalPlusL(plain.subarray(0, 64)), 0);
    const malleated = nacl.secretbox(plain, new Uint8Array(24), sha256(c1.secretPrefix));
    expect(code(() => serverVerifyClientAuth(s1, malleated))).toBe('bad-auth');
    expect(code(() => serverVerifyClientAuth(s1, clientAuth(c1)))).toBe('no error');
  });

  it('a non-canonical (S + L) server signature in message 4', () => {
    const { c1, s1 } = afterHellos();
    const s2 = serverVerifyClientAuth(s1, clientAuth(c1));
    const signature = nacl.secretbox.open(serverAccept(s2), new Uint8Array(24), s2.secret3)!;
    const malleated = nacl.secretbox(toCanonicalPlusL(signature), new Uint8Array(24), s2.secret3);
    expect(code(() => clientVerifyServerAccept(c1, malleated))).toBe('bad-accept');
    expect(code(() => clientVerifyServerAccept(c1, serverAccept(s2)))).toBe('no error');
  });

  it('every single-bit flip of each message, with the phase-specific code', () => {
    const { c0, s0, s1, c1 } = afterHellos();
    const m1 = clientHello(c0);
    const m2 = serverHello(s1);
    const m3 = clientAuth(c1);
    const m4 = serverAccept(serverVerifyClientAuth(s1, m3));
    const flips = (m: Uint8Array) =>
      Array.from({ length: m.length * 8 }, (_, bit) => {
        const copy = Uint8Array.from(m);
        copy[bit >> 3]! ^= 1 << (bit & 7);
        return copy;
      });
    const codes = (m: Uint8Array, step: (x: Uint8Array) => unknown) =>
      new Set(flips(m).map((x) => code(() => step(x))));
    expect(codes(m1, (x) => serverVerifyClientHello(s0, x))).toEqual(new Set(['wrong-network']));
    expect(codes(m2, (x) => clientVerifyServerHello(c0, x))).toEqual(new Set(['wrong-network']));
    expect(codes(m3, (x) => serverVerifyClientAuth(s1, x))).toEqual(new Set(['bad-auth']));
    expect(codes(m4, (x) => clientVerifyServerAccept(c1, x))).toEqual(new Set(['bad-accept']));
  });

  it('messages of the wrong size', () => {
    const { c0, s0, s1, c1 } = afterHellos();
    expect(code(() => serverVerifyClientHello(s0, new Uint8Array(63)))).toBe('bad-hello');
    expect(code(() => clientVerifyServerHello(c0, new Uint8Array(65)))).toBe('bad-hello');
    expect(code(() => serverVerifyClientAuth(s1, new Uint8Array(111)))).toBe('bad-auth');
    expect(code(() => clientVerifyServerAccept(c1, new Uint8Array(81)))).toBe('bad-accept');
  });
});
