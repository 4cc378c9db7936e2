// OpenSSL-generated identities must be exactly what tweetnacl would make from the same seed, or
// signatures (and every contact's pinned key) would break.
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../../src/identity/keygen.js';

describe('generateIdentity', () => {
  it("gives tweetnacl's key pair for its seed, and signs and verifies with tweetnacl", () => {
    for (let i = 0; i < 20; i++) {
      const identity = generateIdentity();
      const expected = nacl.sign.keyPair.fromSeed(identity.secretKey.subarray(0, 32));
      expect(Buffer.from(identity.secretKey).equals(Buffer.from(expected.secretKey))).toBe(true);
      expect(Buffer.from(identity.publicKey).equals(Buffer.from(expected.publicKey))).toBe(true);
      const message = new TextEncoder().encode(`message ${i}`);
      const signature = nacl.sign.detached(message, identity.secretKey);
      expect(nacl.sign.detached.verify(message, signature, identity.publicKey)).toBe(true);
    }
  });

  it('never repeats a key', () => {
    const keys = new Set(
      Array.from({ length: 200 }, () => Buffer.from(generateIdentity().publicKey).toString('hex')),
    );
    expect(keys.size).toBe(200);
  });
});
