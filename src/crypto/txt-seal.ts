// Sealing of the mDNS TXT record on a private network: XSalsa20-Poly1305 (secretbox) under a key
// and nonce drawn by HKDF from the discovery key and a random per-record salt. The salt is fresh
// each time the record is built, so two records never share a (key, nonce) pair and records of
// one node cannot be linked by their bytes across restarts or nick changes. HKDF is cheap on
// purpose: the cost of a guess lies in the network key (scrypt per passphrase, or 128 random
// bits for a code), and the salt keeps every record's key its own.
import { hkdfSync } from 'node:crypto';
import nacl from 'tweetnacl';

export const TXT_SALT_BYTES = 16;
export const TXT_SEAL_OVERHEAD = nacl.secretbox.overheadLength;

function keyAndNonce(discoveryKey: Uint8Array, salt: Uint8Array): { key: Uint8Array; nonce: Uint8Array } {
  const okm = new Uint8Array(
    hkdfSync(
      'sha256',
      discoveryKey,
      salt,
      'lanchat/2 txt record',
      nacl.secretbox.keyLength + nacl.secretbox.nonceLength,
    ),
  );
  return { key: okm.subarray(0, nacl.secretbox.keyLength), nonce: okm.subarray(nacl.secretbox.keyLength) };
}

export function sealTxt(discoveryKey: Uint8Array, salt: Uint8Array, plaintext: Uint8Array): Uint8Array {
  if (salt.length !== TXT_SALT_BYTES) throw new RangeError(`the TXT salt is ${TXT_SALT_BYTES} bytes`);
  const { key, nonce } = keyAndNonce(discoveryKey, salt);
  return nacl.secretbox(plaintext, nonce, key);
}

/** The plaintext, or undefined when the record was sealed under another key or was altered. */
export function openTxt(
  discoveryKey: Uint8Array,
  salt: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | undefined {
  if (salt.length !== TXT_SALT_BYTES || sealed.length < TXT_SEAL_OVERHEAD) return undefined;
  const { key, nonce } = keyAndNonce(discoveryKey, salt);
  return nacl.secretbox.open(sealed, nonce, key) ?? undefined;
}
