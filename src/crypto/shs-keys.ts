// Key shapes used by the handshake, in tweetnacl's layout so a `nacl.sign.keyPair()` can be
// passed as is. Sizes are checked at the API edge: a wrong size is a programming error, so it is a
// RangeError, not a HandshakeError.
import { generateKeyPairSync } from 'node:crypto';

/** Long-term identity: Ed25519, publicKey 32 bytes, secretKey 64 bytes (seed ‖ public key). */
export interface Ed25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** Per-handshake ephemeral key: Curve25519, 32 + 32 bytes. */
export interface CurveKeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export function assertIdentity(identity: Ed25519KeyPair): void {
  if (identity.publicKey.length !== 32 || identity.secretKey.length !== 64) {
    throw new RangeError('an identity is an Ed25519 key pair: 32-byte public key, 64-byte secret key');
  }
}

export function assertKeyBytes(key: Uint8Array, what: string): void {
  if (key.length !== 32) throw new RangeError(`${what} must be 32 bytes, got ${key.length}`);
}

/** A fresh ephemeral key for one handshake, from OpenSSL (≈ 35 µs; nacl.box.keyPair() costs a
 * scalar multiplication in JavaScript, ≈ 600 µs). */
export function newEphemeralKeyPair(): CurveKeyPair {
  const jwk = generateKeyPairSync('x25519').privateKey.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string' || typeof jwk.x !== 'string')
    throw new Error('OpenSSL gave no raw X25519 key');
  return {
    secretKey: new Uint8Array(Buffer.from(jwk.d, 'base64url')),
    publicKey: new Uint8Array(Buffer.from(jwk.x, 'base64url')),
  };
}
