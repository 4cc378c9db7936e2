// The network key (SHS "app key") isolates one office or group from another: only holders of it
// can complete, or even get an answer to, handshake message 1.
import { createHash, hkdfSync, scryptSync } from 'node:crypto';

export const NETWORK_KEY_BYTES = 32;

/** The public default network: everybody running lanchat without `--network`. */
export const DEFAULT_NETWORK_KEY: Uint8Array = new Uint8Array(
  createHash('sha256').update('lanchat/1').digest(),
);

// scrypt parameters from ../shared/notes/secure-channel.md: N=2^15, r=8, p=1 (~32 MiB, ~100 ms).
// The salt is fixed, and that is a known limit, kept on purpose: every node of a passphrase
// network must derive the same key from the words alone, with nothing else to agree on, and
// existing private networks must keep working. So one scrypt per guess is the cost of testing a
// passphrase (against a captured TXT record or handshake), but a dictionary hashed once serves
// against every lanchat network. A per-network salt would have to travel with the passphrase, at
// which point it is a random secret and the words add little: that is exactly a network code
// (network-code.ts, 128 random bits, nothing to precompute), which is why codes are the
// recommended form and passphrases the fallback, with a strength warning.
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

/** The key of a network code (network-code.ts): 128 random bits need no stretching, only a
 * domain-separated expansion to the 32 bytes SHS wants. */
export function networkKeyFromCode(codeKey: Uint8Array): Uint8Array {
  return new Uint8Array(
    hkdfSync('sha256', codeKey, 'lanchat/2 network code', 'network key', NETWORK_KEY_BYTES),
  );
}

/** The key that seals our mDNS TXT record on a private network (sealed-txt.ts). Derived apart
 * from the network key so the discovery layer never holds the handshake's app key, and so a
 * sealed record is no oracle for anything but the network key itself (one scrypt per passphrase
 * guess, or 2^128 for a code). */
export function discoveryKeyOf(networkKey: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', networkKey, 'lanchat/2 discovery', 'txt seal key', 32));
}

/** A short tag of the network key. The public network still publishes it in its v=1 mDNS TXT;
 * a private network never does (it would be a free passphrase oracle), and uses it only inside
 * encrypted links (signed room messages) and for local display. */
export function networkTag(networkKey: Uint8Array): string {
  return createHash('sha256').update('lanchat/1 network tag').update(networkKey).digest('hex').slice(0, 16);
}

/** Passphrases a colleague could guess offline from one captured handshake message. */
export function isWeakPassphrase(passphrase: string): boolean {
  const p = passphrase.normalize('NFKC');
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(p)).length;
  return p.length < 12 || (p.length < 20 && classes < 3);
}
