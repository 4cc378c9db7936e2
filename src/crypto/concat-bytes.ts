// Joins byte strings into a fresh, unpooled array. Buffer.concat would do, but small Buffers come
// from a shared pool, and these hold handshake secrets that should not share memory with other data.
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
