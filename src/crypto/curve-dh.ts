// Curve25519 for SHS. The DH itself runs in OpenSSL (X25519, ≈ 70 µs with the key imports, against
// ≈ 670 µs for nacl.scalarMult): a newcomer does 20 handshakes at once when it joins a LAN of 20.
// The results are the same bytes (RFC 7748 clamps the scalar as NaCl does; tests compare them).
// A low-order public key makes the DH all zeros, which would make the shared secret public:
// OpenSSL refuses to derive it, and the output is checked for zeros as well.
import { createHash, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { edwardsToMontgomery } from './ed-to-montgomery.js';
import { HandshakeError } from './handshake-error.js';
import type { CurveKeyPair, Ed25519KeyPair } from './shs-keys.js';

function isAllZero(bytes: Uint8Array): boolean {
  // Accumulate instead of returning early: the DH output is secret.
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!;
  return acc === 0;
}

const base64url = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64url');

function privateKeyObject(own: CurveKeyPair): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'X25519', d: base64url(own.secretKey), x: base64url(own.publicKey) },
    format: 'jwk',
  });
}

/** X25519(own secret, their public), refusing low-order inputs. `what` names the DH for messages. */
export function sharedSecret(own: CurveKeyPair, theirPublicKey: Uint8Array, what: string): Uint8Array {
  const lowOrder = () =>
    new HandshakeError(
      'low-order-key',
      `handshake: the ${what} DH gave all zeros: the peer sent a low-order (malicious) key`,
    );
  let shared: Buffer;
  try {
    shared = diffieHellman({
      privateKey: privateKeyObject(own),
      publicKey: createPublicKey({
        key: { kty: 'OKP', crv: 'X25519', x: base64url(theirPublicKey) },
        format: 'jwk',
      }),
    });
  } catch (error) {
    // OpenSSL's X25519 fails exactly when the result would be all zeros.
    if ((error as { code?: unknown }).code === 'ERR_OSSL_FAILED_DURING_DERIVATION') throw lowOrder();
    throw error;
  }
  if (isAllZero(shared)) throw lowOrder();
  return new Uint8Array(shared.buffer, shared.byteOffset, shared.length);
}

/** Conversions kept: the same peers' keys come back in every handshake (duplicate links, retries
 * on a loaded floor), and each conversion is ≈ 0.3 ms of BigInt arithmetic. Public data only;
 * bounded, the oldest dropped first, so a peer cycling through keys only costs itself time. */
const MAX_CONVERTED_KEYS = 4096;
const converted = new Map<string, Uint8Array>();

/** Ed25519 public key → Curve25519. Small-order keys are refused before this (checkEd25519Point);
 * here a key that is not a point of the curve at all is. */
export function curvePublicKey(edPublicKey: Uint8Array, whose: string): Uint8Array {
  const key = base64url(edPublicKey);
  let curve = converted.get(key);
  if (!curve) {
    curve = edwardsToMontgomery(edPublicKey) ?? undefined;
    if (!curve) {
      throw new HandshakeError('low-order-key', `handshake: the ${whose} key is not a valid Ed25519 point`);
    }
    if (converted.size >= MAX_CONVERTED_KEYS) converted.delete(converted.keys().next().value!);
    converted.set(key, curve);
  }
  // A copy: the caller owns what it gets.
  return curve.slice();
}

/** Our long-term key as a Curve25519 pair, computed once per identity. */
const curvePairs = new WeakMap<Uint8Array, CurveKeyPair>();

/** Ed25519 identity (tweetnacl layout: seed ‖ public key) → Curve25519 key pair. The scalar is
 * SHA-512(seed)[0..32] clamped, the public key the birational map of the Ed25519 public key. */
export function curveKeyPairOf(identity: Ed25519KeyPair): CurveKeyPair {
  const cached = curvePairs.get(identity.secretKey);
  if (cached) return cached;
  const scalar = new Uint8Array(
    createHash('sha512').update(identity.secretKey.subarray(0, 32)).digest().subarray(0, 32),
  );
  scalar[0]! &= 248;
  scalar[31]! &= 127;
  scalar[31]! |= 64;
  const pair = { secretKey: scalar, publicKey: curvePublicKey(identity.publicKey, 'own') };
  curvePairs.set(identity.secretKey, pair);
  return pair;
}
