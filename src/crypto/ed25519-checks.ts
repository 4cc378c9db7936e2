// Checks that tweetnacl leaves out and SHS v1 needs ("Prime, Order Please!", Fiedler & Kolbeck):
// nacl.sign.detached.verify accepts S >= L (malleable signatures) and small-order keys and R
// points, and the Ed25519 → X25519 conversion happily turns a small-order key into a Curve25519
// key whose DH output is predictable. Same rules as libsodium's crypto_sign_verify_detached, done the same way:
// byte comparisons on the encodings, no curve arithmetic. Whether a key decodes to a curve point
// at all is left to the decoders that use it: OpenSSL's verify and ed-to-montgomery.ts (RFC 8032).
import { verifyDetached } from './ed25519.js';

/** The order of the prime-order subgroup; a canonical signature has S < L. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

export type Ed25519KeyCheck = 'ok' | 'small-order' | 'non-canonical';

/** libsodium's blocklist (ge25519_has_small_order): every encoding, canonical or not, of the 8
 * points of small order, compared with the sign bit (bit 255) cleared. Small order means y is
 * 0, 1, -1 or ±y8 (order 8); only 0 and 1 have a second, non-canonical encoding (p and p + 1). */
const SMALL_ORDER_ENCODINGS = [
  '0000000000000000000000000000000000000000000000000000000000000000', // y = 0: (±sqrt(-1), 0), order 4
  '0100000000000000000000000000000000000000000000000000000000000000', // y = 1: the neutral element
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p - 1 = -1: order 2
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p, i.e. 0 (non-canonical)
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p + 1, i.e. 1 (non-canonical)
].map((hex) => Buffer.from(hex, 'hex'));

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/** y < p = 2^255 - 19, as libsodium's ge25519_is_canonical: y >= p means the 31 high bytes are
 * all 0xff (bit 255 ignored) and the low byte is >= 0xed. */
function isCanonicalY(encoded: Uint8Array): boolean {
  if ((encoded[31]! & 0x7f) !== 0x7f) return true;
  for (let i = 30; i > 0; i--) if (encoded[i] !== 0xff) return true;
  return encoded[0]! < 0xed;
}

function hasSmallOrder(encoded: Uint8Array): boolean {
  const masked = Buffer.from(encoded);
  masked[31]! &= 0x7f;
  return SMALL_ORDER_ENCODINGS.some((bad) => bad.equals(masked));
}

/** Classifies an Ed25519 public key (or signature R) encoding; only 'ok' may be used. 'ok' does
 * not promise a curve point: an encoding off the curve fails later, in verify or conversion. */
export function checkEd25519Point(encoded: Uint8Array): Ed25519KeyCheck {
  if (encoded.length !== 32 || !isCanonicalY(encoded)) return 'non-canonical';
  return hasSmallOrder(encoded) ? 'small-order' : 'ok';
}

/** S < L: without it, (R, S + L) is a second valid signature on the same message. */
export function isCanonicalSignature(signature: Uint8Array): boolean {
  return signature.length === 64 && littleEndian(signature.subarray(32, 64)) < L;
}

/** Ed25519 verification with libsodium's strictness: canonical S, R and key not of small order,
 * key encoding canonical; then OpenSSL's verify (which also refuses a key off the curve). The
 * caller checks the key itself once (checkEd25519Point) to report 'low-order-key' distinctly; it
 * is checked again here so this function is safe on its own. */
export function verifyStrict(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (!isCanonicalSignature(signature)) return false;
  if (checkEd25519Point(signature.subarray(0, 32)) === 'small-order') return false;
  if (checkEd25519Point(publicKey) !== 'ok') return false;
  return verifyDetached(message, signature, publicKey);
}
