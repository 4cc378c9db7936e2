// RFC 6762 §9: once announced, a response from another host carrying a record with one of our
// unique names (instance or host) but different rdata means the name is no longer ours alone.
// Goodbyes (TTL 0) and identical records (our own, or a cache-flushing copy) are not conflicts.

import { sameName } from './mdns-names.js';
import type { MdnsPacket, MdnsRecord } from './mdns-packet.js';
import type { ConflictKind } from './prober.js';
import { recordKey } from './record-order.js';

export function findConflict(
  packet: MdnsPacket,
  ownRecords: readonly MdnsRecord[],
  names: { instance: string; host: string },
): ConflictKind | undefined {
  const ours = new Set(ownRecords.map(recordKey));
  for (const r of [...packet.answers, ...packet.additionals]) {
    if (r.type === 'OTHER' || r.ttl === 0 || ours.has(recordKey(r))) continue;
    if (sameName(r.name, names.instance)) return 'instance';
    if (sameName(r.name, names.host)) return 'host';
  }
  return undefined;
}
