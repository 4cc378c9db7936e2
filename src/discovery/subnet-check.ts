// RFC 6762 §11: a responder must ignore packets whose source is not on the local link, so that a
// query forwarded from another network (a misconfigured router, a spoofer far away) gets nothing.
// We accept a source if it lies in a subnet of the interface the packet arrived on; IPv6
// link-local sources are on-link by definition (but must carry this interface's scope if any).
// With one socket per interface all bound to port 5353, Linux delivers every group packet to every
// socket, so this check is also what keeps eth1's packets out of eth0's link.
import { ipv4Bytes, ipv6Bytes, isLinkLocalV6Bytes, samePrefix, scopeOf } from './ip-address.js';
import type { NetInterface } from './net-interfaces.js';

interface Subnet {
  base: Uint8Array;
  prefixLength: number;
}

/** The interface's own subnets, parsed once: the check runs on every packet, the interface's
 * addresses change rarely. Keyed by the address list object (a changed interface comes with a new
 * list, see interface-watcher.ts; the length guards against a list edited in place); a WeakMap,
 * so it holds no more than the interfaces still in use. */
const subnetsOf = new WeakMap<NetInterface['addresses'], { length: number; v4: Subnet[]; v6: Subnet[] }>();

function subnets(iface: NetInterface): { v4: Subnet[]; v6: Subnet[] } {
  const memo = subnetsOf.get(iface.addresses);
  if (memo && memo.length === iface.addresses.length) return memo;
  const v4: Subnet[] = [];
  const v6: Subnet[] = [];
  for (const a of iface.addresses) {
    const base = a.family === 4 ? ipv4Bytes(a.address) : ipv6Bytes(a.address);
    if (base) (a.family === 4 ? v4 : v6).push({ base, prefixLength: a.prefixLength });
  }
  const fresh = { length: iface.addresses.length, v4, v6 };
  subnetsOf.set(iface.addresses, fresh);
  return fresh;
}

export function isOnLink(source: string, iface: NetInterface): boolean {
  const v4 = ipv4Bytes(source.startsWith('::ffff:') && source.includes('.') ? source.slice(7) : source);
  if (v4) return subnets(iface).v4.some((s) => samePrefix(v4, s.base, s.prefixLength));
  const v6 = ipv6Bytes(source);
  if (!v6) return false;
  // Every IPv6 datagram asks this: the address is parsed once (isLinkLocalV6 would parse it again).
  if (isLinkLocalV6Bytes(v6)) {
    const scope = scopeOf(source);
    if (scope === undefined || scope === iface.name) return true;
    // Some platforms print the scope as the interface index.
    return iface.addresses.some((a) => a.scopeId !== undefined && String(a.scopeId) === scope);
  }
  return subnets(iface).v6.some((s) => samePrefix(v6, s.base, s.prefixLength));
}
