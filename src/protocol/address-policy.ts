// Which addresses lanchat dials on its own, from an invite code, a remembered peer or a peer's
// exchange. The policy is "private unicast only": RFC 1918 and 100.64/10 (carrier-grade NAT, used
// by office VPNs) for IPv4, unique local fc00::/7 for IPv6, and link-local (169.254/16, fe80::/10)
// where the caller allows it. Never loopback, unspecified, multicast, broadcast or reserved space,
// and never public addresses: a hint from the network must not turn this node into a scanner of
// the Internet or of this host's own services. A public address can still be given by hand with
// --peer KEY@HOST, which the user typed and so is not a hint.
import { formatIp, parseIp } from './ip-literal.js';

export type AddressClass =
  | 'private'
  | 'link-local'
  | 'loopback'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'public'
  | 'invalid';

export function classifyAddress(text: string): AddressClass {
  const ip = parseIp(text);
  if (!ip) return 'invalid';
  return ip.family === 4 ? classifyV4(ip.bytes) : classifyV6(ip.bytes);
}

function classifyV4(b: Uint8Array): AddressClass {
  const [a = 0, c = 0] = b;
  if (b.every((x) => x === 255)) return 'broadcast';
  if (a === 0) return 'unspecified'; // 0/8: "this network"
  if (a === 127) return 'loopback';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved';
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return 'private';
  if (a === 100 && c >= 64 && c <= 127) return 'private';
  if (a === 169 && c === 254) return 'link-local';
  return 'public';
}

function classifyV6(b: Uint8Array): AddressClass {
  const [a = 0, c = 0] = b;
  if (b.every((x) => x === 0)) return 'unspecified';
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return 'loopback';
  // ::ffff:a.b.c.d is an IPv4 address in IPv6 clothing: judged as the IPv4 address it is.
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff)
    return classifyV4(b.slice(12));
  if (a === 0xff) return 'multicast';
  if (a === 0xfe && (c & 0xc0) === 0x80) return 'link-local';
  if ((a & 0xfe) === 0xfc) return 'private';
  if ((a & 0xe0) === 0x20) return 'public'; // 2000::/3, global unicast
  return 'reserved';
}

export interface PolicyOptions {
  /** Link-local addresses are only meaningful on the link they came from. */
  allowLinkLocal: boolean;
  /** Loopback: only for nodes that all run on one host (in-process tests). Default false. */
  allowLoopback?: boolean;
}

/** Undefined when lanchat may dial `address` on its own; otherwise why not, for the user. */
export function policyProblem(address: string, options: PolicyOptions): string | undefined {
  const kind = classifyAddress(address);
  switch (kind) {
    case 'private':
      return undefined;
    case 'loopback':
      return options.allowLoopback ? undefined : 'a loopback address';
    case 'link-local':
      return options.allowLinkLocal ? undefined : 'a link-local address is only valid on its own link';
    case 'invalid':
      return 'not an IP address';
    case 'public':
      return 'a public address (lanchat dials only private addresses on its own; use --peer KEY@HOST)';
    default:
      return `a ${kind} address`;
  }
}

/** The canonical spelling of an IP address (so one address is one entry), or undefined. */
/** The host an address names, for comparing two addresses: canonical, and an IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) as the IPv4 address it is (a dual-stack socket reaches the same host). */
export function hostAddress(address: string): string | undefined {
  const ip = parseIp(address);
  if (!ip) return undefined;
  const b = ip.bytes;
  const mapped =
    b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? formatIp(b.subarray(12)) : canonicalAddress(address);
}

export function canonicalAddress(address: string): string | undefined {
  const ip = parseIp(address);
  if (!ip) return undefined;
  const text = formatIp(ip.bytes);
  return ip.scope === undefined ? text : `${text}%${ip.scope}`;
}
