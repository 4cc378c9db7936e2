// Ed25519 public key → X25519 (Curve25519 Montgomery u) public key, on BigInt. ed2curve does the
// same with tweetnacl's field arithmetic at ≈ 1.4 ms a key, the largest single cost of a
// handshake; this takes ≈ 0.27 ms. Only public data goes through here, so BigInt's
// variable-time arithmetic leaks nothing.
//   decoding: RFC 8032 §5.1.3 (y canonical, x recoverable; x = 0 with the sign bit set refused)
//   map:      RFC 7748 §4.1, u = (1 + y) / (1 − y)
const P = 2n ** 255n - 19n;
const Y_MASK = (1n << 255n) - 1n;

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** d = −121665/121666, the Edwards curve constant. */
const D = mod(-121665n * pow(121666n, P - 2n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** The X25519 public key of an Ed25519 public key; null when the bytes do not encode a point of
 * the curve (or encode the neutral element, which has no Montgomery image). */
export function edwardsToMontgomery(edPublicKey: Uint8Array): Uint8Array | null {
  if (edPublicKey.length !== 32) return null;
  const encoded = littleEndian(edPublicKey);
  const sign = encoded >> 255n;
  const y = encoded & Y_MASK;
  if (y >= P) return null; // non-canonical encoding
  // x² = (y² − 1) / (d·y² + 1) must have a square root.
  const y2 = (y * y) % P;
  const u = mod(y2 - 1n);
  const v = mod(D * y2 + 1n);
  const v3 = (((v * v) % P) * v) % P;
  const v7 = (((v3 * v3) % P) * v) % P;
  let x = (((u * v3) % P) * pow(u * v7, (P - 5n) / 8n)) % P;
  const vx2 = (((v * x) % P) * x) % P;
  if (vx2 !== u) {
    if (vx2 !== mod(-u)) return null;
    x = (x * SQRT_M1) % P;
  }
  if (x === 0n && sign === 1n) return null;
  const denominator = mod(1n - y);
  if (denominator === 0n) return null; // y = 1: the neutral element
  let montgomery = ((1n + y) * pow(denominator, P - 2n)) % P;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(montgomery & 0xffn);
    montgomery >>= 8n;
  }
  return out;
}
