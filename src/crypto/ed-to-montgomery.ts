// Ed25519 public key → X25519 (Curve25519 Montgomery u) public key, on BigInt. ed2curve does the
// same with tweetnacl's field arithmetic at ≈ 1.4 ms a key; this takes one exponentiation (≈ 0.1 ms
// warm), which matters on a floor started at once, where every peer's key is new. Only public data
// goes through here, so BigInt's variable-time arithmetic leaks nothing.
//   decoding: RFC 8032 §5.1.3 (y canonical, x recoverable; x = 0 with the sign bit set refused)
//   map:      RFC 7748 §4.1, u = (1 + y) / (1 − y)
// RFC 8032 recovers x with one exponentiation and the map needs an inversion, a second one. Both
// come from a single one here: with w = u·v·(1 − y)² (u = y² − 1, v = d·y² + 1, so x² = u/v),
//   - w is a square exactly when u/v is, i.e. when x exists and the key decodes to a point;
//   - r = w³·(w⁷)^((p−5)/8) satisfies w·r² = ±1 then (RFC 8032's square root of a ratio, with 1/w
//     as the ratio), so 1/w = ±r², and 1/(1 − y) = (1/w)·(1 − y)·u·v.
// x itself is never needed: x = 0 exactly when u = 0, which is handled first.
import { mul, P, pow22523, reduce, sub } from './field-25519.js';

const Y_MASK = (1n << 255n) - 1n;
/** d = −121665/121666 mod p, the Edwards curve constant (RFC 8032 §5.1; checked in the tests). */
export const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function encode(u: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let rest = u;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** The X25519 public key of an Ed25519 public key; null when the bytes do not encode a point of
 * the curve (or encode the neutral element, which has no Montgomery image). */
export function edwardsToMontgomery(edPublicKey: Uint8Array): Uint8Array | null {
  if (edPublicKey.length !== 32) return null;
  const encoded = littleEndian(edPublicKey);
  const sign = encoded >> 255n;
  const y = encoded & Y_MASK;
  if (y >= P) return null; // non-canonical encoding
  if (y === 1n) return null; // the neutral element: 1 − y has no inverse
  const y2 = mul(y, y);
  const u = sub(y2, 1n);
  if (u === 0n) {
    // y = −1: the point (0, −1), whose u-coordinate is 0. x = 0 has no negative twin.
    return sign === 1n ? null : encode(0n);
  }
  const v = reduce(mul(D, y2) + 1n); // never 0: d is not a square
  const oneMinusY = sub(1n, y);
  const uv = mul(u, v);
  const w = mul(uv, mul(oneMinusY, oneMinusY));
  const w3 = mul(mul(w, w), w);
  const r = mul(w3, pow22523(mul(mul(w3, w3), w)));
  const r2 = mul(r, r);
  const wr2 = mul(w, r2);
  let inverseW: bigint;
  if (wr2 === 1n) inverseW = r2;
  else if (wr2 === P - 1n) inverseW = P - r2;
  else return null; // x² = u/v has no root: not a point of the curve
  const inverseOneMinusY = mul(mul(inverseW, oneMinusY), uv);
  return encode(mul(y + 1n, inverseOneMinusY));
}
