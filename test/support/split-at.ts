// Stream decoders must give the same result however their input is cut into reads: fuzz tests
// feed them the same bytes split at random points.

/** Splits bytes at the given cut points (any order, any count, taken modulo length + 1). */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out;
}
