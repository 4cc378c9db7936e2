// The spellings of ids, keys and signatures on the wire, shared by every message family.

/** An identity (Ed25519 public key): 32 bytes of unpadded base64url. */
export const IDENTITY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** An Ed25519 signature: 64 bytes of padded base64. */
export const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{86}==$/;

/** True when `v` is the one encoding of its bytes: base64 has several spellings of the same bytes
 * (padding bits in the last character), and an id, key or signature must have exactly one, or a
 * relay could present a known message, author or signature under a second name. */
export function canonical(v: string, encoding: 'base64' | 'base64url'): boolean {
  return Buffer.from(v, encoding).toString(encoding) === v;
}
