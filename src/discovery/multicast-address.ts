// Where an mDNS socket sends on one interface: the multicast interface to pin (IPv4: the
// interface's address; IPv6: its scope) and the group with the scope IPv6 needs.
import { MDNS_IPV4_GROUP, MDNS_IPV6_GROUP } from './mdns-packet.js';
import type { NetInterface } from './net-interfaces.js';

/** undefined when the interface has no IPv4 address (an IPv6-only link). */
export function multicastInterfaceOf(iface: NetInterface, family: 4 | 6): string | undefined {
  if (family === 6) return `::%${iface.name}`;
  return iface.addresses.find((a) => a.family === 4)?.address;
}

export function groupAddressOf(iface: NetInterface, family: 4 | 6): string {
  return family === 4 ? MDNS_IPV4_GROUP : `${MDNS_IPV6_GROUP}%${iface.name}`;
}
