// Deterministic keys for tests: Ed25519 from a one-byte seed pattern, ephemerals converted the way
// secret-handshake derives its own (Ed25519 seed → ed2curve), so transcripts can be compared.
import ed2curve from 'ed2curve';
import nacl from 'tweetnacl';
import type { CurveKeyPair, Ed25519KeyPair } from '../../src/crypto/shs-keys.js';

export function seed(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

export function identityFromSeed(byte: number): Ed25519KeyPair {
  return nacl.sign.keyPair.fromSeed(seed(byte));
}

export function ephemeralFromSeed(byte: number): CurveKeyPair {
  const ed = nacl.sign.keyPair.fromSeed(seed(byte));
  return {
    publicKey: ed2curve.convertPublicKey(ed.publicKey)!,
    secretKey: ed2curve.convertSecretKey(ed.secretKey),
  };
}

export function refKeys(keys: Ed25519KeyPair): { publicKey: Buffer; secretKey: Buffer } {
  return { publicKey: Buffer.from(keys.publicKey), secretKey: Buffer.from(keys.secretKey) };
}
