// Whether two peers' addresses lie in one IPv4 subnet of one of this host's interfaces: then they
// hear each other's mDNS as we hear theirs, and telling one about the other (peer exchange) only
// costs both of them a message. Read from the interfaces at most once every few seconds: a floor of
// 100 asks it for every pair of its peers while they come up.

import { isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';

const REFRESH_MS = 5_000;

type Subnet = { network: number; mask: number };

function v4(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  return text.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/** A sameSegment(a, b) over this host's interfaces (`interfaces` and `now` injectable for tests). */
export function createSameSegment(
  interfaces: typeof networkInterfaces = networkInterfaces,
  now: () => number = Date.now,
): (a: string, b: string) => boolean {
  let subnets: Subnet[] = [];
  let readAt = Number.NEGATIVE_INFINITY;
  const current = (): Subnet[] => {
    if (now() - readAt < REFRESH_MS) return subnets;
    readAt = now();
    subnets = [];
    for (const list of Object.values(interfaces())) {
      for (const info of list ?? []) {
        if (info.internal || info.family !== 'IPv4') continue;
        const address = v4(info.address);
        const mask = v4(info.netmask);
        // A /32 (point-to-point, some VPNs) says nothing about neighbours.
        if (address === undefined || mask === undefined || mask === 0xffffffff) continue;
        subnets.push({ network: (address & mask) >>> 0, mask });
      }
    }
    return subnets;
  };
  return (a, b) => {
    const x = v4(a);
    const y = v4(b);
    if (x === undefined || y === undefined) return false;
    return current().some((s) => (x & s.mask) >>> 0 === s.network && (y & s.mask) >>> 0 === s.network);
  };
}
