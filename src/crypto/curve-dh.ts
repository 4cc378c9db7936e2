// Curve25519 for SHS. The DH itself runs in OpenSSL (X25519, ≈ 50 µs, against ≈ 670 µs for
// nacl.scalarMult): a newcomer does 20 handshakes at once when it joins a LAN of 20, and a floor
// of 100 started at once does ≈ 4,950. Keys reach OpenSSL as KeyObjects made once: our long-term
// secret once per identity, an ephemeral secret at generation, a peer's long-term public key once
// per key (cached), only the peer's ephemeral public key per handshake (a cheap SPKI import).
// The results are the same bytes (RFC 7748 clamps the scalar as NaCl does; tests compare them).
// A low-order public key makes the DH all zeros, which would make the shared secret public:
// OpenSSL refuses to derive it, and the output is checked for zeros as well.
import { createHash, diffieHellman, type KeyObject } from 'node:crypto';
import { BoundedCache } from './bounded-cache.js';
import { edwardsToMontgomery } from './ed-to-montgomery.js';
import { HandshakeError } from './handshake-error.js';
import type { DhKeyPair, Ed25519KeyPair } from './shs-keys.js';
import { x25519PrivateKey, x25519PublicKey } from './x25519-key-objects.js';

function isAllZero(bytes: Uint8Array): boolean {
  // Accumulate instead of returning early: the DH output is secret.
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!;
  return acc === 0;
}

/** X25519(own secret, their public), refusing low-order inputs. `theirPublicKey` is raw (a peer's
 * ephemeral key, used once) or a KeyObject from curvePublicKeyObject. `what` names the DH for
 * messages. */
export function sharedSecret(
  own: KeyObject,
  theirPublicKey: Uint8Array | KeyObject,
  what: string,
): Uint8Array {
  const lowOrder = () =>
    new HandshakeError(
      'low-order-key',
      `handshake: the ${what} DH gave all zeros: the peer sent a low-order (malicious) key`,
    );
  const publicKey = theirPublicKey instanceof Uint8Array ? x25519PublicKey(theirPublicKey) : theirPublicKey;
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey: own, publicKey });
  } catch (error) {
    // OpenSSL's X25519 fails exactly when the result would be all zeros.
    if ((error as { code?: unknown }).code === 'ERR_OSSL_FAILED_DURING_DERIVATION') throw lowOrder();
    throw error;
  }
  if (isAllZero(shared)) throw lowOrder();
  return new Uint8Array(shared.buffer, shared.byteOffset, shared.length);
}

interface ConvertedKey {
  readonly curve: Uint8Array;
  readonly key: KeyObject;
}

/** Conversions kept, with their OpenSSL import: the same peers' keys come back in every handshake
 * (duplicate links, retries on a loaded floor). Public data only; bounded, the oldest dropped
 * first, so a peer cycling through keys only costs itself time. */
const MAX_CONVERTED_KEYS = 4096;
const converted = new BoundedCache<string, ConvertedKey>(MAX_CONVERTED_KEYS);

function convert(edPublicKey: Uint8Array, whose: string): ConvertedKey {
  const id = Buffer.from(edPublicKey.buffer, edPublicKey.byteOffset, edPublicKey.length).toString('base64');
  let entry = converted.get(id);
  if (!entry) {
    const curve = edwardsToMontgomery(edPublicKey);
    if (!curve) {
      throw new HandshakeError('low-order-key', `handshake: the ${whose} key is not a valid Ed25519 point`);
    }
    entry = { curve, key: x25519PublicKey(curve) };
    converted.set(id, entry);
  }
  return entry;
}

/** Ed25519 public key → Curve25519 bytes. Small-order keys are refused before this
 * (checkEd25519Point); here a key that is not a point of the curve at all is. */
export function curvePublicKey(edPublicKey: Uint8Array, whose: string): Uint8Array {
  // A copy: the caller owns what it gets.
  return convert(edPublicKey, whose).curve.slice();
}

/** The same conversion as an OpenSSL public key, ready for sharedSecret. */
export function curvePublicKeyObject(edPublicKey: Uint8Array, whose: string): KeyObject {
  return convert(edPublicKey, whose).key;
}

/** Our long-term key as a Curve25519 pair, made once per identity. */
const curvePairs = new WeakMap<Uint8Array, DhKeyPair>();

/** Ed25519 identity (tweetnacl layout: seed ‖ public key) → Curve25519 key pair. The scalar is
 * SHA-512(seed)[0..32] clamped, the public key the birational map of the Ed25519 public key. The
 * scalar lives on only inside the KeyObject: our copy is wiped once imported. */
export function curveKeyPairOf(identity: Ed25519KeyPair): DhKeyPair {
  const cached = curvePairs.get(identity.secretKey);
  if (cached) return cached;
  const digest = createHash('sha512').update(identity.secretKey.subarray(0, 32)).digest();
  const scalar = digest.subarray(0, 32);
  scalar[0]! &= 248;
  scalar[31]! &= 127;
  scalar[31]! |= 64;
  let privateKey: KeyObject;
  try {
    privateKey = x25519PrivateKey(scalar);
  } finally {
    digest.fill(0);
  }
  const pair = { privateKey, publicKey: curvePublicKey(identity.publicKey, 'own') };
  curvePairs.set(identity.secretKey, pair);
  return pair;
}
