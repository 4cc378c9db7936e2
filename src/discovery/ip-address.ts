// IP address text → bytes, for subnet checks (RFC 6762 §11) and for the byte-wise record
// comparison of simultaneous probes (§8.2). Pure; node:net only validates.
import { isIPv4, isIPv6 } from 'node:net';

export function ipv4Bytes(text: string): Uint8Array | undefined {
  if (!isIPv4(text)) return undefined;
  return new Uint8Array(text.split('.').map(Number));
}

/** Parses IPv6 text (with an optional `%scope`, ignored) into 16 bytes. */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  const bare = stripScope(text);
  if (!isIPv6(bare)) return undefined;
  let head = bare;
  let tail4: number[] = [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) stands for the last two groups.
  const lastColon = bare.lastIndexOf(':');
  const maybeV4 = bare.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = ipv4Bytes(maybeV4);
    if (!v4) return undefined;
    tail4 = [...v4];
    head = `${bare.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups =
    right === undefined ? leftGroups : [...leftGroups, ...Array(missing).fill('0'), ...rightGroups];
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g: string, i: number) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  if (tail4.length === 4) out.set(tail4, 12);
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
  return b !== undefined && b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80;
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
