// SHA-256 and libsodium's crypto_auth (HMAC-SHA-512 truncated to 32 bytes) for SHS. tweetnacl has
// neither, so they come from node:crypto (OpenSSL).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const AUTH_BYTES = 32;

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** libsodium crypto_auth: HMAC-SHA-512, first 32 bytes. */
export function authMac(message: Uint8Array, key: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha512', key).update(message).digest().subarray(0, AUTH_BYTES));
}

/** Constant-time check of a crypto_auth tag: the tag is the only thing standing between an
 * attacker and the server's DH, so no early exit on the first differing byte. */
export function verifyAuthMac(mac: Uint8Array, message: Uint8Array, key: Uint8Array): boolean {
  if (mac.length !== AUTH_BYTES) return false;
  return timingSafeEqual(mac, authMac(message, key));
}
