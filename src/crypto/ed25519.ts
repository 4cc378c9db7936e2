// Ed25519 sign and verify on node:crypto, i.e. OpenSSL's audited Ed25519 (constant-time signing).
// Keys stay in tweetnacl's layout (secret key = 32-byte seed ‖ 32-byte public key) and are wrapped
// into KeyObjects through their fixed DER encodings (RFC 8410): PKCS#8 for the seed, SPKI for a
// public key. Ed25519 is deterministic, so the signatures equal nacl.sign.detached's (tested).
// No extra strictness here: verifyStrict in ed25519-checks.ts adds canonical S and small-order checks.
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { BoundedCache } from './bounded-cache.js';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

interface CachedPrivateKey {
  /** The secret key bytes the KeyObject was built from: an in-place change rebuilds it. */
  readonly secretKey: Uint8Array;
  readonly key: KeyObject;
}

/** One KeyObject per identity secret key (the array object), built on first use. */
const privateKeys = new WeakMap<Uint8Array, CachedPrivateKey>();

/** Public KeyObjects of the keys we verify: the same few peers sign every handshake, room message
 * and receipt. Public data only; bounded, the oldest dropped first. A key OpenSSL refuses is not
 * kept (it fails again, at the same cost, each time). */
const MAX_PUBLIC_KEYS = 4096;
const publicKeys = new BoundedCache<string, KeyObject>(MAX_PUBLIC_KEYS);

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.length).toString('base64');
  let key = publicKeys.get(id);
  if (!key) {
    const der = Buffer.alloc(SPKI_PREFIX.length + 32);
    SPKI_PREFIX.copy(der);
    der.set(publicKey, SPKI_PREFIX.length);
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    publicKeys.set(id, key);
  }
  return key;
}

function privateKeyObject(secretKey: Uint8Array): KeyObject {
  const cached = privateKeys.get(secretKey);
  if (cached && timingSafeEqual(cached.secretKey, secretKey)) return cached.key;
  const der = Buffer.alloc(PKCS8_PREFIX.length + 32); // Buffer.alloc: not from the shared pool
  PKCS8_PREFIX.copy(der);
  der.set(secretKey.subarray(0, 32), PKCS8_PREFIX.length);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
  // tweetnacl hashes the stored second half as the public key; OpenSSL derives it from the seed.
  // They agree only for a well-formed key pair, so a mismatch is refused rather than signed with.
  const derived = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  if (derived.length !== 32 || !timingSafeEqual(derived, secretKey.subarray(32, 64))) {
    throw new RangeError("an Ed25519 secret key's second half must be the public key of its seed");
  }
  privateKeys.set(secretKey, { secretKey: Uint8Array.from(secretKey), key });
  return key;
}

/** Same output as nacl.sign.detached(message, secretKey). */
export function signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 64) throw new RangeError('an Ed25519 secret key has 64 bytes');
  return new Uint8Array(sign(null, message, privateKeyObject(secretKey)));
}

/** Plain Ed25519 verification (OpenSSL: S < L, key must decode to a curve point). */
export function verifyDetached(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return verify(null, message, publicKeyObject(publicKey), signature);
  } catch {
    return false; // a key OpenSSL cannot import (or a point it cannot decode) signed nothing
  }
}
