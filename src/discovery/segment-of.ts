// Which link or subnet of this host an address lies on: two peers on one where mDNS works hear
// each other's announcements as we hear theirs, and telling one about the other (peer exchange)
// only costs both of them a message. IPv4: one subnet of one of our interfaces. IPv6: link-local
// addresses of the same interface (scope), or one /64 prefix of one of our addresses. The
// interfaces are read at most once every few seconds: a floor of 100 asks this for every pair of
// its peers while they come up.
import { networkInterfaces } from 'node:os';
import { parseIp } from '../protocol/ip-literal.js';

const REFRESH_MS = 5_000;

interface Subnets {
  v4: { network: number; mask: number }[];
  /** /64 prefixes of our IPv6 addresses other than link-local, as 16 hex digits. */
  v6: Set<string>;
}

function v4Number(bytes: Uint8Array): number {
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

const prefix64 = (bytes: Uint8Array) => Buffer.from(bytes.subarray(0, 8)).toString('hex');
const isLinkLocal6 = (bytes: Uint8Array) => bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80;

/** A segmentOf(address) over this host's interfaces: a name of the subnet or link of ours the
 * address lies on, undefined when it is on none (`interfaces` and `now` injectable for tests). */
export function createSegmentOf(
  interfaces: typeof networkInterfaces = networkInterfaces,
  now: () => number = Date.now,
): (address: string) => string | undefined {
  let subnets: Subnets = { v4: [], v6: new Set() };
  let readAt = Number.NEGATIVE_INFINITY;
  const current = (): Subnets => {
    if (now() - readAt < REFRESH_MS) return subnets;
    readAt = now();
    subnets = { v4: [], v6: new Set() };
    for (const list of Object.values(interfaces())) {
      for (const info of list ?? []) {
        if (info.internal) continue;
        const address = parseIp(info.address);
        if (!address) continue;
        if (address.family === 4) {
          const mask = parseIp(info.netmask);
          if (mask?.family !== 4) continue;
          const m = v4Number(mask.bytes);
          // A /32 (point-to-point, some VPNs) says nothing about neighbours.
          if (m === 0xffffffff) continue;
          subnets.v4.push({ network: (v4Number(address.bytes) & m) >>> 0, mask: m });
        } else if (!isLinkLocal6(address.bytes)) {
          subnets.v6.add(prefix64(address.bytes));
        }
      }
    }
    return subnets;
  };
  return (address) => {
    const x = parseIp(address);
    if (!x) return undefined;
    if (x.family === 4) {
      const p = v4Number(x.bytes);
      const subnet = current().v4.find((s) => (p & s.mask) >>> 0 === s.network);
      return subnet ? `v4 ${subnet.network}/${subnet.mask}` : undefined;
    }
    // Link-local: the link is the interface it was reached through.
    if (isLinkLocal6(x.bytes)) return x.scope === undefined ? undefined : `link ${x.scope}`;
    const px = prefix64(x.bytes);
    return current().v6.has(px) ? `v6 ${px}` : undefined;
  };
}
