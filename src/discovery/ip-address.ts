// IP address text → bytes, for subnet checks (RFC 6762 §11) and for the byte-wise record
// comparison of simultaneous probes (§8.2). Pure.
// Every received mDNS packet goes through here (its source on the on-link check, every A/AAAA in
// the packet guard), so this is a single-pass scanner rather than node:net's isIPv6 (one large
// regular expression) followed by split/map: it accepts exactly what node:net accepts (checked
// against it in ip-address.test.ts), at a fraction of the cost.

const DOT = 0x2e;
const COLON = 0x3a;

function decimalDigit(c: number): number {
  return c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Dotted quad in text[start, end) into out[at..at+3]: four decimal parts 0–255, no leading
 * zeros (node:net's isIPv4 rule: `01.2.3.4` is not an address). */
function readIpv4(text: string, start: number, end: number, out: Uint8Array, at: number): boolean {
  let i = start;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= end || text.charCodeAt(i) !== DOT) return false;
      i++;
    }
    const first = i;
    let value = 0;
    while (i < end && i - first < 4) {
      const d = decimalDigit(text.charCodeAt(i));
      if (d < 0) break;
      value = value * 10 + d;
      i++;
    }
    const digits = i - first;
    if (digits === 0 || digits > 3 || value > 255) return false;
    if (digits > 1 && text.charCodeAt(first) === 0x30) return false;
    out[at + part] = value;
  }
  return i === end;
}

export function ipv4Bytes(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  return readIpv4(text, 0, text.length, out, 0) ? out : undefined;
}

/** Parses IPv6 text (with an optional `%scope`, ignored) into 16 bytes. */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  const pct = text.indexOf('%');
  const end = pct < 0 ? text.length : pct;
  // Up to 8 groups of 16 bits; an embedded IPv4 tail (::ffff:1.2.3.4) fills the last two.
  const groups = new Uint16Array(8);
  const tail = new Uint8Array(4);
  let count = 0;
  /** Where `::` stands: the number of groups before it, or -1 if there is none. */
  let gap = -1;
  let i = 0;
  if (end < 2) return undefined;
  if (text.charCodeAt(0) === COLON) {
    // A leading colon is only allowed as the start of `::`.
    if (text.charCodeAt(1) !== COLON) return undefined;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    const first = i;
    let value = 0;
    while (i < end && i - first < 5) {
      const h = hexDigit(text.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      i++;
    }
    if (i < end && text.charCodeAt(i) === DOT) {
      if (count > 6 || !readIpv4(text, first, end, tail, 0)) return undefined;
      groups[count++] = ((tail[0] ?? 0) << 8) | (tail[1] ?? 0);
      groups[count++] = ((tail[2] ?? 0) << 8) | (tail[3] ?? 0);
      i = end;
      break;
    }
    const digits = i - first;
    if (digits === 0 || digits > 4 || count === 8) return undefined;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return undefined;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gap >= 0) return undefined;
      gap = count;
      i++;
    } else if (i === end) {
      // A trailing single colon.
      return undefined;
    }
  }
  // Without `::` all eight groups are written out; `::` stands for at least one zero group.
  if (gap < 0 ? count !== 8 : count > 7) return undefined;
  const out = new Uint8Array(16);
  const shift = gap < 0 ? 0 : 8 - count;
  for (let g = 0; g < count; g++) {
    const at = gap >= 0 && g >= gap ? g + shift : g;
    const word = groups[g] ?? 0;
    out[at * 2] = word >> 8;
    out[at * 2 + 1] = word & 0xff;
  }
  return out;
}

export function stripScope(address: string): string {
  const i = address.indexOf('%');
  return i < 0 ? address : address.slice(0, i);
}

export function scopeOf(address: string): string | undefined {
  const i = address.indexOf('%');
  return i < 0 ? undefined : address.slice(i + 1);
}

export function isLinkLocalV6(address: string): boolean {
  const b = ipv6Bytes(address);
  return b !== undefined && isLinkLocalV6Bytes(b);
}

/** fe80::/10, from the 16 bytes (for callers that parsed the address already). */
export function isLinkLocalV6Bytes(b: Uint8Array): boolean {
  return b.length === 16 && b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80;
}

/** True when `address` and `base` share their first `prefixLength` bits. */
export function samePrefix(address: Uint8Array, base: Uint8Array, prefixLength: number): boolean {
  if (address.length !== base.length) return false;
  const full = Math.floor(prefixLength / 8);
  for (let i = 0; i < full; i++) if (address[i] !== base[i]) return false;
  const rest = prefixLength % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((address[full] ?? 0) & mask) === ((base[full] ?? 0) & mask);
}
