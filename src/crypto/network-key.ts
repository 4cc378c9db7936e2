// The network key (SHS "app key") isolates one office or group from another: only holders of it
// can complete, or even get an answer to, handshake message 1.
import { createHash, scryptSync } from 'node:crypto';

export const NETWORK_KEY_BYTES = 32;

/** The public default network: everybody running lanchat without `--network`. */
export const DEFAULT_NETWORK_KEY: Uint8Array = new Uint8Array(
  createHash('sha256').update('lanchat/1').digest(),
);

// scrypt parameters from ../shared/notes/secure-channel.md: N=2^15, r=8, p=1 (~32 MiB, ~100 ms).
const SCRYPT_SALT = 'lanchat/1 network';
const SCRYPT_N = 2 ** 15;
const SCRYPT_R = 8;
const SCRYPT_P = 1;

/** Derives the network key from a passphrase (NFKC-normalised, so the same words typed on
 * different keyboards give the same key). */
export function networkKeyFromPassphrase(passphrase: string): Uint8Array {
  const normalised = passphrase.normalize('NFKC');
  const key = scryptSync(normalised, SCRYPT_SALT, NETWORK_KEY_BYTES, {
    N: SCRYPT_N,
    r: SCRYPT_R,
    p: SCRYPT_P,
    maxmem: 64 * 1024 * 1024,
  });
  return new Uint8Array(key);
}

/** A short public tag of the network key, published in mDNS TXT so that peers of other networks
 * are skipped without connecting. It is a one-way hash under its own label, so it reveals nothing
 * that helps to complete a handshake. */
export function networkTag(networkKey: Uint8Array): string {
  return createHash('sha256').update('lanchat/1 network tag').update(networkKey).digest('hex').slice(0, 16);
}

/** Passphrases a colleague could guess offline from one captured handshake message. */
export function isWeakPassphrase(passphrase: string): boolean {
  const p = passphrase.normalize('NFKC');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(p)).length;
  return p.length < 12 || (p.length < 20 && classes < 3);
}
