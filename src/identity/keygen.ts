// A new Ed25519 identity from OpenSSL: ≈ 2 ms of CPU on a cold process, against ≈ 25 ms for
// nacl.sign.keyPair() (its JS scalar multiplication runs before the JIT has warmed up). Every node
// pays it on its first start, and on an office floor they all start at once.
import { generateKeyPairSync } from 'node:crypto';
import type { Identity } from './identity-file.js';

// Fixed DER prefixes (RFC 8410): PKCS#8 for the 32-byte seed, SPKI for the 32-byte public key.
const PKCS8_PREFIX_BYTES = 16;
const SPKI_PREFIX_BYTES = 12;

/** A fresh key pair in tweetnacl's layout: secret key = seed ‖ public key. */
export function generateIdentity(): Identity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  if (pkcs8.length !== PKCS8_PREFIX_BYTES + 32 || spki.length !== SPKI_PREFIX_BYTES + 32) {
    throw new Error('unexpected Ed25519 key encoding from OpenSSL');
  }
  const secretKey = new Uint8Array(64);
  secretKey.set(pkcs8.subarray(PKCS8_PREFIX_BYTES), 0);
  secretKey.set(spki.subarray(SPKI_PREFIX_BYTES), 32);
  pkcs8.fill(0);
  return { publicKey: secretKey.slice(32), secretKey };
}
