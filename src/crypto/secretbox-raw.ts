// Box-stream's one door to XSalsa20-Poly1305 (crypto_secretbox). nacl.secretbox() allocates and
// copies twice per call; these take caller-owned buffers so a 4 KiB body costs one copy in.
// Layout (classic NaCl): plaintext buffers start with 32 zero bytes; a box starts with 16 zero
// bytes, then the 16-byte Poly1305 MAC, then the ciphertext.
//
// Two engines sit behind it: tweetnacl (pure JS, always there) and libsodium (WASM, ≈ 3.5× faster,
// loaded later by secretbox-libsodium.ts). crypto_secretbox is one deterministic function of
// (key, nonce, message), so both give the same bytes and the engine may change between any two
// calls, even in the middle of a stream: an encoder and a decoder never need to agree on one.
import nacl from 'tweetnacl';

export const ZERO_BYTES = 32;
export const BOX_ZERO_BYTES = 16;
export const MAC_BYTES = 16;

export type SecretboxEngineName = 'tweetnacl' | 'libsodium';

/** crypto_secretbox over caller-owned buffers in the NaCl layout above. */
export interface SecretboxEngine {
  readonly name: SecretboxEngineName;
  /** `padded[0..32)` must be zero (tweetnacl derives the MAC key through them; libsodium ignores
   * them), `length` ≥ 32. */
  box(out: Uint8Array, padded: Uint8Array, length: number, nonce: Uint8Array, key: Uint8Array): void;
  /** Leaves `out` untouched and returns false when the MAC does not verify. */
  open(out: Uint8Array, box: Uint8Array, length: number, nonce: Uint8Array, key: Uint8Array): boolean;
}

interface NaclLowLevel {
  crypto_secretbox(c: Uint8Array, m: Uint8Array, d: number, n: Uint8Array, k: Uint8Array): number;
  crypto_secretbox_open(m: Uint8Array, c: Uint8Array, d: number, n: Uint8Array, k: Uint8Array): number;
}

// lowlevel is public tweetnacl API (documented in its README) but missing from nacl.d.ts.
const lowlevel = (nacl as unknown as { lowlevel: NaclLowLevel }).lowlevel;

export const tweetnaclSecretbox: SecretboxEngine = {
  name: 'tweetnacl',
  box: (out, padded, length, nonce, key) => void lowlevel.crypto_secretbox(out, padded, length, nonce, key),
  open: (out, box, length, nonce, key) => lowlevel.crypto_secretbox_open(out, box, length, nonce, key) === 0,
};

let engine: SecretboxEngine = tweetnaclSecretbox;

/** Which engine the next box-stream call uses (diagnostics, benchmarks). */
export function secretboxEngine(): SecretboxEngineName {
  return engine.name;
}

/** Switches the engine for every stream in this process (see loadFastSecretbox; tests pin one). */
export function useSecretboxEngine(next: SecretboxEngine): void {
  engine = next;
}

/** Boxes `padded[0..length)` (first 32 bytes zero) into `out[0..length)`. */
export function secretboxRaw(
  out: Uint8Array,
  padded: Uint8Array,
  length: number,
  nonce: Uint8Array,
  key: Uint8Array,
): void {
  // tweetnacl would return -1 and write nothing; never let a short call pass silently.
  if (length < ZERO_BYTES) throw new RangeError(`secretboxRaw: length ${length} < ${ZERO_BYTES}`);
  engine.box(out, padded, length, nonce, key);
}

/** Opens `box[0..length)` into `out[0..length)`; false when the MAC does not verify. */
export function secretboxOpenRaw(
  out: Uint8Array,
  box: Uint8Array,
  length: number,
  nonce: Uint8Array,
  key: Uint8Array,
): boolean {
  if (length < ZERO_BYTES) return false;
  return engine.open(out, box, length, nonce, key);
}
