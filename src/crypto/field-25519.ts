// Arithmetic modulo p = 2^255 − 19 on BigInt, for the Ed25519 → X25519 conversion of *public*
// keys (BigInt is variable-time: never put a secret through here). A product is reduced by folding
// its high bits down (2^255 ≡ 19 mod p) rather than with `%`, a long division that made the
// conversion ≈ 4× slower.
export const P = 2n ** 255n - 19n;
const LOW_BITS = (1n << 255n) - 1n;

/** a mod p, for 0 ≤ a < 2^512 (a product of two values below 2^256). Two folds bring a below
 * 2^255 + 19·2^7, so at most one subtraction of p is left. */
export function reduce(a: bigint): bigint {
  let r = (a & LOW_BITS) + 19n * (a >> 255n);
  r = (r & LOW_BITS) + 19n * (r >> 255n);
  return r >= P ? r - P : r;
}

export function mul(a: bigint, b: bigint): bigint {
  return reduce(a * b);
}

/** a − b mod p, for a, b in [0, p). */
export function sub(a: bigint, b: bigint): bigint {
  return a >= b ? a - b : a - b + P;
}

/** a^(2^n). */
function squareTimes(a: bigint, n: number): bigint {
  let r = a;
  for (let i = 0; i < n; i++) r = reduce(r * r);
  return r;
}

/** z^((p − 5)/8) = z^(2^252 − 3), the exponent of square roots for p ≡ 5 (mod 8), by ref10's
 * addition chain (fe_pow22523): 252 squarings and 11 multiplications, where square-and-multiply
 * would take ≈ 250 multiplications more. Each name says the exponent it holds. */
export function pow22523(z: bigint): bigint {
  const z2 = squareTimes(z, 1);
  const z9 = mul(z, squareTimes(z2, 2));
  const z11 = mul(z2, z9);
  const z5_0 = mul(z9, squareTimes(z11, 1)); // z^(2^5 − 1) = z^31
  const z10_0 = mul(squareTimes(z5_0, 5), z5_0); // z^(2^10 − 1)
  const z20_0 = mul(squareTimes(z10_0, 10), z10_0);
  const z40_0 = mul(squareTimes(z20_0, 20), z20_0);
  const z50_0 = mul(squareTimes(z40_0, 10), z10_0);
  const z100_0 = mul(squareTimes(z50_0, 50), z50_0);
  const z200_0 = mul(squareTimes(z100_0, 100), z100_0);
  const z250_0 = mul(squareTimes(z200_0, 50), z50_0); // z^(2^250 − 1)
  return mul(squareTimes(z250_0, 2), z); // z^(2^252 − 4) · z
}
