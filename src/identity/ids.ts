// How a public key is written for people and for the command line.
// The id is the key itself in unpadded base64url (43 characters): stable, copy-pasteable, and free
// of '@' and ':' so that `--peer ID@HOST:PORT` parses without ambiguity.
import { createHash } from 'node:crypto';

export const PUBLIC_KEY_BYTES = 32;

export function idOf(publicKey: Uint8Array): string {
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new RangeError('a public key has 32 bytes');
  return Buffer.from(publicKey).toString('base64url');
}

/** Parses an id (base64url) or a standard base64 public key; returns undefined when invalid. */
export function parseId(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, ''), 'base64url');
  if (bytes.length !== PUBLIC_KEY_BYTES) return undefined;
  // Reject non-canonical encodings (stray low bits in the last character) so one key has one id.
  if (bytes.toString('base64url') !== trimmed.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, '')) {
    return undefined;
  }
  return new Uint8Array(bytes);
}

/** Standard base64 of the key, as published in mDNS TXT and printed by `lanchat id`. */
export function base64Of(publicKey: Uint8Array): string {
  return Buffer.from(publicKey).toString('base64');
}

/** A short fingerprint for display: the first 10 bytes of SHA-256 of the key, in 5 hex groups. */
export function fingerprint(publicKey: Uint8Array): string {
  const hex = createHash('sha256').update(publicKey).digest('hex').slice(0, 20);
  return hex.match(/.{4}/g)!.join(':');
}

/** Hex digits of the key suffix: 32 bits. Making a key whose suffix matches a given one takes
 * ~2^31 key generations and hashes on average (hours of a CPU per victim, per attempt), where the
 * 16 bits used before took well under a second. It is also the first two groups of the
 * fingerprint, so what /whois prints and what the suffix says can be compared by eye. */
export const KEY_SUFFIX_HEX = 8;

/** The suffix that tells apart two identities claiming one nick (`alice#3f2a9c01`). Nicks cannot
 * contain `#`, so a peer cannot put a suffix into its own name. */
export function keySuffix(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, KEY_SUFFIX_HEX);
}

/** A typed name that may carry the key suffix: `alice#3f2a9c01` → { nick: 'alice', suffix: '3f2a9c01' }. */
export function splitNickSuffix(name: string): { nick: string; suffix?: string } {
  const match = /^(.+)#([0-9a-f]{8})$/i.exec(name);
  return match ? { nick: match[1]!, suffix: match[2]!.toLowerCase() } : { nick: name };
}
