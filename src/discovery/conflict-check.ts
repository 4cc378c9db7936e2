// RFC 6762 §9: once announced, a response from another host carrying a record with one of our
// unique names (instance or host) but different rdata means the name is no longer ours alone.
// Goodbyes (TTL 0) and identical records (our own, or a cache-flushing copy) are not conflicts.

import type { MdnsPacket, MdnsRecord } from './mdns-packet.js';
import type { ConflictKind } from './prober.js';
import { recordKey } from './record-order.js';

/** `ours`: the `recordKey`s of our records, one set per link (own-records-memo.ts). */
export function findConflict(
  packet: MdnsPacket,
  ours: readonly ReadonlySet<string>[],
  names: { instance: string; host: string },
): ConflictKind | undefined {
  // Names compare case-insensitively (RFC 6762 §16); ours are lowered once, not per record.
  const instance = names.instance.toLowerCase();
  const host = names.host.toLowerCase();
  const check = (r: MdnsRecord): ConflictKind | undefined => {
    if (r.type === 'OTHER' || r.ttl === 0) return undefined;
    const name = r.name.toLowerCase();
    const kind = name === instance ? 'instance' : name === host ? 'host' : undefined;
    // Only a record on one of our names can conflict; its key is computed only then.
    if (kind === undefined) return undefined;
    const key = recordKey(r);
    return ours.some((set) => set.has(key)) ? undefined : kind;
  };
  for (const r of packet.answers) {
    const kind = check(r);
    if (kind) return kind;
  }
  for (const r of packet.additionals) {
    const kind = check(r);
    if (kind) return kind;
  }
  return undefined;
}
