// tweetnacl's NaCl-layout secretbox, for box-stream's hot path. nacl.secretbox() allocates and
// copies twice per call; these take caller-owned buffers so a 4 KiB body costs one copy in.
// Layout (classic NaCl): plaintext buffers start with 32 zero bytes; a box starts with 16 zero
// bytes, then the 16-byte Poly1305 MAC, then the ciphertext.
import nacl from 'tweetnacl';

export const ZERO_BYTES = 32;
export const BOX_ZERO_BYTES = 16;
export const MAC_BYTES = 16;

interface NaclLowLevel {
  crypto_secretbox(c: Uint8Array, m: Uint8Array, d: number, n: Uint8Array, k: Uint8Array): number;
  crypto_secretbox_open(m: Uint8Array, c: Uint8Array, d: number, n: Uint8Array, k: Uint8Array): number;
}

// lowlevel is public tweetnacl API (documented in its README) but missing from nacl.d.ts.
const lowlevel = (nacl as unknown as { lowlevel: NaclLowLevel }).lowlevel;

/** Boxes `padded[0..length)` (first 32 bytes zero) into `out[0..length)`. */
export function secretboxRaw(
  out: Uint8Array,
  padded: Uint8Array,
  length: number,
  nonce: Uint8Array,
  key: Uint8Array,
): void {
  lowlevel.crypto_secretbox(out, padded, length, nonce, key);
}

/** Opens `box[0..length)` into `out[0..length)`; false when the MAC does not verify. */
export function secretboxOpenRaw(
  out: Uint8Array,
  box: Uint8Array,
  length: number,
  nonce: Uint8Array,
  key: Uint8Array,
): boolean {
  return lowlevel.crypto_secretbox_open(out, box, length, nonce, key) === 0;
}
