// Raw X25519 keys in and out of OpenSSL: the bytes must survive exactly, since the public key goes
// on the wire and the scalar decides every DH.
import { createPublicKey } from 'node:crypto';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  x25519PrivateKey,
  x25519PublicKey,
  x25519RawPublicKey,
} from '../../src/crypto/x25519-key-objects.js';

describe('X25519 key objects', () => {
  it('import a public key and export the same 32 bytes, whatever they are', () => {
    for (let i = 0; i < 20; i++) {
      const raw = nacl.randomBytes(32);
      expect(x25519RawPublicKey(x25519PublicKey(raw))).toEqual(raw);
    }
  });

  it('import a secret scalar whose public key is the NaCl one', () => {
    for (let i = 0; i < 20; i++) {
      const pair = nacl.box.keyPair();
      const key = x25519PrivateKey(pair.secretKey);
      expect(key.type).toBe('private');
      expect(x25519RawPublicKey(createPublicKey(key))).toEqual(pair.publicKey);
      expect(() => x25519RawPublicKey(key)).toThrow(TypeError); // a secret never goes out as JWK
    }
  });

  it('refuse keys of the wrong size as programming errors', () => {
    expect(() => x25519PublicKey(new Uint8Array(31))).toThrow(RangeError);
    expect(() => x25519PrivateKey(new Uint8Array(33))).toThrow(RangeError);
  });
});
