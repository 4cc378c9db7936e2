// Box-stream nonces are 24-byte big-endian counters. They are private to one encoder or decoder
// object (copied in, never shared), which is what guarantees a nonce is never used twice per key.

export const NONCE_BYTES = 24;

/** Adds one, big-endian, in place (wraps at 2^192, which no connection will ever reach). */
export function incrementNonce(nonce: Uint8Array): void {
  for (let i = nonce.length - 1; i >= 0; i--) {
    const next = (nonce[i]! + 1) & 0xff;
    nonce[i] = next;
    if (next !== 0) return;
  }
}

export function copyNonce(nonce: Uint8Array): Uint8Array {
  if (nonce.length !== NONCE_BYTES) throw new RangeError(`a box-stream nonce has ${NONCE_BYTES} bytes`);
  return Uint8Array.from(nonce);
}
