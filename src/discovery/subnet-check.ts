// RFC 6762 §11: a responder must ignore packets whose source is not on the local link, so that a
// query forwarded from another network (a misconfigured router, a spoofer far away) gets nothing.
// We accept a source if it lies in a subnet of the interface the packet arrived on; IPv6
// link-local sources are on-link by definition (but must carry this interface's scope if any).
// With one socket per interface all bound to port 5353, Linux delivers every group packet to every
// socket, so this check is also what keeps eth1's packets out of eth0's link.
import { ipv4Bytes, ipv6Bytes, isLinkLocalV6, samePrefix, scopeOf } from './ip-address.js';
import type { NetInterface } from './net-interfaces.js';

export function isOnLink(source: string, iface: NetInterface): boolean {
  const v4 = ipv4Bytes(source.startsWith('::ffff:') && source.includes('.') ? source.slice(7) : source);
  if (v4) {
    return iface.addresses.some((a) => {
      const base = a.family === 4 ? ipv4Bytes(a.address) : undefined;
      return base !== undefined && samePrefix(v4, base, a.prefixLength);
    });
  }
  const v6 = ipv6Bytes(source);
  if (!v6) return false;
  if (isLinkLocalV6(source)) {
    const scope = scopeOf(source);
    if (scope === undefined || scope === iface.name) return true;
    // Some platforms print the scope as the interface index.
    return iface.addresses.some((a) => a.scopeId !== undefined && String(a.scopeId) === scope);
  }
  return iface.addresses.some((a) => {
    const base = a.family === 6 ? ipv6Bytes(a.address) : undefined;
    return base !== undefined && samePrefix(v6, base, a.prefixLength);
  });
}
