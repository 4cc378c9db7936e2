// Checks that tweetnacl leaves out and SHS v1 needs ("Prime, Order Please!", Fiedler & Kolbeck):
// nacl.sign.detached.verify accepts S >= L (malleable signatures) and small-order keys and R
// points, and ed2curve happily converts a small-order Ed25519 key into a Curve25519 key whose DH
// output is predictable. These run on public data only, so BigInt (variable-time) is fine here.
import { verifyDetached } from './ed25519-fast.js';

const P = 2n ** 255n - 19n;
/** The order of the prime-order subgroup; a canonical signature has S < L. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const D = mod(-121665n * invert(121666n));
const SQRT_M1 = modPow(2n, (P - 1n) / 4n);

export type Ed25519KeyCheck = 'ok' | 'small-order' | 'non-canonical' | 'not-on-curve';

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

function invert(a: bigint): bigint {
  return modPow(a, P - 2n);
}

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** Decodes a compressed Edwards point to affine (x, y), or says why it cannot. */
function decode(encoded: Uint8Array): { x: bigint; y: bigint } | 'non-canonical' | 'not-on-curve' {
  const raw = littleEndian(encoded);
  const y = raw & ((1n << 255n) - 1n);
  const sign = raw >> 255n;
  if (y >= P) return 'non-canonical';
  const y2 = (y * y) % P;
  const u = mod(y2 - 1n);
  const v = mod(D * y2 + 1n);
  // x = sqrt(u/v) via x = u v^3 (u v^7)^((p-5)/8), RFC 8032 section 5.1.3.
  const v3 = (v * v * v) % P;
  let x = (u * v3 * modPow(u * v3 * v3 * v, (P - 5n) / 8n)) % P;
  const vx2 = (v * x * x) % P;
  if (vx2 === mod(-u)) x = (x * SQRT_M1) % P;
  else if (vx2 !== u) return 'not-on-curve';
  if (x === 0n && sign === 1n) return 'non-canonical';
  if ((x & 1n) !== sign) x = P - x;
  return { x, y };
}

/** [8]P == identity, with projective doubling (a = -1 twisted Edwards, dbl-2008-hwcd). */
function isSmallOrderPoint(x: bigint, y: bigint): boolean {
  let X = x;
  let Y = y;
  let Z = 1n;
  for (let i = 0; i < 3; i++) {
    const A = (X * X) % P;
    const B = (Y * Y) % P;
    const C = (2n * Z * Z) % P;
    const E = mod((X + Y) * (X + Y) - A - B);
    const G = mod(B - A);
    const F = mod(G - C);
    const H = mod(-A - B);
    X = (E * F) % P;
    Y = (G * H) % P;
    Z = (F * G) % P;
  }
  return X === 0n && Y === Z;
}

/** Classifies an Ed25519 public key (or signature R) encoding; only 'ok' may be used. */
export function checkEd25519Point(encoded: Uint8Array): Ed25519KeyCheck {
  if (encoded.length !== 32) return 'not-on-curve';
  const point = decode(encoded);
  if (typeof point === 'string') return point;
  return isSmallOrderPoint(point.x, point.y) ? 'small-order' : 'ok';
}

/** S < L: without it, (R, S + L) is a second valid signature on the same message. */
export function isCanonicalSignature(signature: Uint8Array): boolean {
  return signature.length === 64 && littleEndian(signature.subarray(32, 64)) < L;
}

/** Ed25519 verification with libsodium's strictness: canonical S, R and key not of small order,
 * key encoding canonical. The caller checks the key itself once (checkEd25519Point) to report
 * 'low-order-key' distinctly; it is checked again here so this function is safe on its own. */
export function verifyStrict(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (!isCanonicalSignature(signature)) return false;
  if (checkEd25519Point(signature.subarray(0, 32)) === 'small-order') return false;
  if (checkEd25519Point(publicKey) !== 'ok') return false;
  return verifyDetached(message, signature, publicKey);
}
