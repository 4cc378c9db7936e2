// Crockford base32, lower case and unpadded: the text form of the codes people copy, read out and
// retype (invite codes, network codes). Its alphabet has no i, l, o, u, and on input i/l read as 1
// and o as 0, so the usual misreadings still decode to the same bytes.
export const CROCKFORD_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** 5 bits a character; leftover bits of the last byte fill one more character. */
export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD_ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** The bytes of lower-case `text` (leftover bits dropped); undefined on a foreign character. */
export function fromBase32(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const raw of text) {
    const ch = raw === 'o' ? '0' : raw === 'i' || raw === 'l' ? '1' : raw;
    const value = CROCKFORD_ALPHABET.indexOf(ch);
    if (value < 0) return undefined;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return new Uint8Array(out);
}
