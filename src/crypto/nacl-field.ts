// tweetnacl's GF(2^255-19) and Edwards-point primitives (nacl.lowlevel: public API, documented in
// its README, missing from nacl.d.ts), plus the few helpers it keeps private. Building on these
// keeps all field arithmetic in tweetnacl's audited, branch-free code.
import nacl from 'tweetnacl';

export type Fe = Float64Array; // 16 limbs of 16 bits
export type Point = Fe[]; // extended coordinates [X, Y, Z, T]

interface NaclField {
  gf(init?: number[]): Fe;
  D: Fe;
  pack25519(out: Uint8Array, a: Fe): void;
  unpack25519(out: Fe, bytes: Uint8Array): void;
  M(out: Fe, a: Fe, b: Fe): void;
  A(out: Fe, a: Fe, b: Fe): void;
  Z(out: Fe, a: Fe, b: Fe): void;
  S(out: Fe, a: Fe): void;
  pow2523(out: Fe, a: Fe): void;
  set25519(out: Fe, a: Fe): void;
  /** p += q (unified formula: also doubles when p === q). */
  add(p: Point, q: Point): void;
  /** out = x mod L, x being 64 limbs (consumed). */
  modL(out: Uint8Array, x: Float64Array): void;
  scalarbase(p: Point, scalar: Uint8Array): void;
}

export const field = (nacl as unknown as { lowlevel: NaclField }).lowlevel;
export const gf0 = field.gf();
export const gf1 = field.gf([1]);

export function newPoint(): Point {
  return [field.gf(), field.gf([1]), field.gf([1]), field.gf()];
}

export function copyPoint(out: Point, p: Point): void {
  for (let i = 0; i < 4; i++) field.set25519(out[i]!, p[i]!);
}

export function invert(out: Fe, a: Fe): void {
  // a^(p-2) by the same addition chain as tweetnacl's private inv25519.
  const c = field.gf();
  field.set25519(c, a);
  for (let i = 253; i >= 0; i--) {
    field.S(c, c);
    if (i !== 2 && i !== 4) field.M(c, c, a);
  }
  field.set25519(out, c);
}

export function parity(a: Fe): number {
  const bytes = new Uint8Array(32);
  field.pack25519(bytes, a);
  return bytes[0]! & 1;
}

export function equalFe(a: Fe, b: Fe): boolean {
  const x = new Uint8Array(32);
  const y = new Uint8Array(32);
  field.pack25519(x, a);
  field.pack25519(y, b);
  return Buffer.from(x).equals(y);
}

export function encodePoint(out: Uint8Array, p: Point): void {
  const zi = field.gf();
  const x = field.gf();
  const y = field.gf();
  invert(zi, p[2]!);
  field.M(x, p[0]!, zi);
  field.M(y, p[1]!, zi);
  field.pack25519(out, y);
  out[31]! ^= parity(x) << 7;
}

// sqrt(-1) = 2^((p-1)/4) mod p, derived rather than typed in.
const SQRT_M1 = (() => {
  const p = 2n ** 255n - 19n;
  let result = 1n;
  let base = 2n;
  let e = (p - 1n) / 4n;
  while (e > 0n) {
    if (e & 1n) result = (result * base) % p;
    base = (base * base) % p;
    e >>= 1n;
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number((result >> BigInt(8 * i)) & 0xffn);
  const fe = field.gf();
  field.unpack25519(fe, bytes);
  return fe;
})();

/** Decodes a point and negates it (what verification needs: R = [S]B + [h](-A)). False when the
 * encoding is not a curve point. RFC 8032 section 5.1.3, on tweetnacl's field operations. */
export function decodeNegated(out: Point, encoded: Uint8Array): boolean {
  const [x, y, z, t] = out as [Fe, Fe, Fe, Fe];
  const num = field.gf();
  const den = field.gf();
  const den2 = field.gf();
  const den4 = field.gf();
  const den6 = field.gf();
  const r = field.gf();
  const chk = field.gf();
  field.set25519(z, gf1);
  field.unpack25519(y, encoded);
  field.S(num, y);
  field.M(den, num, field.D);
  field.Z(num, num, z); // y^2 - 1
  field.A(den, z, den); // d y^2 + 1
  field.S(den2, den);
  field.S(den4, den2);
  field.M(den6, den4, den2);
  field.M(r, den6, num);
  field.M(r, r, den);
  field.pow2523(r, r);
  field.M(r, r, num);
  field.M(r, r, den);
  field.M(r, r, den);
  field.M(x, r, den);
  field.S(chk, x);
  field.M(chk, chk, den);
  if (!equalFe(chk, num)) field.M(x, x, SQRT_M1);
  field.S(chk, x);
  field.M(chk, chk, den);
  if (!equalFe(chk, num)) return false;
  if (parity(x) === encoded[31]! >> 7) field.Z(x, gf0, x);
  field.M(t, x, y);
  return true;
}
