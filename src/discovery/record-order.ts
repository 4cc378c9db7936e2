// Record identity and ordering. `recordKey` says whether two records are "the same record"
// (name, type, rdata: RFC 6762 §7.1 known answers, §10.2 cache-flush); `compareRecordSets`
// implements the simultaneous-probe tie-break of §8.2, which compares class, type and then the
// raw rdata bytes with names uncompressed.
import { ipv4Bytes, ipv6Bytes } from './ip-address.js';
import type { MdnsRecord } from './mdns-packet.js';

const TYPE_NUMBERS: Record<string, number> = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 };

/** The number of a type as dns-packet names it ('PTR', 'UNKNOWN_65'); undefined for other names. */
export function typeNumberOfName(name: string): number | undefined {
  const known = TYPE_NUMBERS[name];
  if (known !== undefined) return known;
  const m = /^UNKNOWN_(\d+)$/.exec(name);
  return m?.[1] !== undefined ? Number(m[1]) & 0xffff : undefined;
}

const TYPE_NAMES = new Map(Object.entries(TYPE_NUMBERS).map(([name, number]) => [number, name]));

/** A type's name as typeNumberOfName reads it: ours by name, any other as UNKNOWN_<n>. */
export function typeNameOf(type: number): string {
  return TYPE_NAMES.get(type) ?? `UNKNOWN_${type}`;
}

export function typeNumber(record: MdnsRecord): number {
  return typeNumberOfName(record.type === 'OTHER' ? record.data.rrtype : record.type) ?? 0;
}

export function rdataKey(record: MdnsRecord): string {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return record.data.toLowerCase();
    case 'PTR':
      return record.data.toLowerCase();
    case 'SRV':
      return `${record.data.priority} ${record.data.weight} ${record.data.port} ${record.data.target.toLowerCase()}`;
    case 'TXT':
      // A view, not a copy: the key is built from the bytes in place.
      return record.data
        .map((e) => Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('hex'))
        .join(',');
    case 'OTHER':
      return record.data.rrtype;
  }
}

/** name + type: one rrset (§10.2 flushes whole rrsets). */
export function rrsetKey(record: Pick<MdnsRecord, 'name' | 'type'>): string {
  return `${record.name.toLowerCase()}|${record.type}`;
}

/** Keys already computed, per record object. One received record is keyed many times (cache
 * lookup, cache-flush of its rrset, known answers, the own-packet fingerprint) and a TXT key is the
 * hex of every string. Records are never modified once built (wire-decoder.ts and own-records.ts
 * build fresh objects; a changed TTL is a copy), so an object's key never changes. A WeakMap holds
 * a key no longer than its record lives, however many records the network sends. */
const keyOf = new WeakMap<MdnsRecord, string>();

export function recordKey(record: MdnsRecord): string {
  let key = keyOf.get(record);
  if (key === undefined) {
    key = `${rrsetKey(record)}|${rdataKey(record)}`;
    keyOf.set(record, key);
  }
  return key;
}

/** The same record with another TTL or cache-flush bit (known answers, goodbyes, legacy unicast):
 * neither is part of its identity, so the copy shares the original's key instead of computing it
 * again. */
export function retimed(record: MdnsRecord, ttl: number, flush = record.flush): MdnsRecord {
  const copy = { ...record, ttl, flush };
  const key = keyOf.get(record);
  if (key !== undefined) keyOf.set(copy, key);
  return copy;
}

function nameBytes(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.').filter((l) => l !== '')) {
    const b = Buffer.from(label, 'utf8');
    out.push(b.length, ...b);
  }
  out.push(0);
  return out;
}

export function rdataBytes(record: MdnsRecord): Uint8Array {
  switch (record.type) {
    case 'A':
      return ipv4Bytes(record.data) ?? new Uint8Array(0);
    case 'AAAA':
      return ipv6Bytes(record.data) ?? new Uint8Array(0);
    case 'PTR':
      return new Uint8Array(nameBytes(record.data));
    case 'SRV': {
      const { priority, weight, port, target } = record.data;
      const head = [priority >> 8, priority & 0xff, weight >> 8, weight & 0xff, port >> 8, port & 0xff];
      return new Uint8Array([...head, ...nameBytes(target)]);
    }
    case 'TXT':
      return new Uint8Array(record.data.flatMap((e) => [e.length, ...e]));
    case 'OTHER':
      return new Uint8Array(0);
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** §8.2: class (always IN here), then type, then rdata, as unsigned bytes. */
export function compareRecords(a: MdnsRecord, b: MdnsRecord): number {
  const t = typeNumber(a) - typeNumber(b);
  return t !== 0 ? t : compareBytes(rdataBytes(a), rdataBytes(b));
}

/** §8.2: sort both sets, compare pairwise; the first difference decides, and a set that runs out
 * first is the earlier one. Negative: ours is earlier, so we lose and must defer. */
export function compareRecordSets(ours: readonly MdnsRecord[], theirs: readonly MdnsRecord[]): number {
  const a = [...ours].sort(compareRecords);
  const b = [...theirs].sort(compareRecords);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) break;
    const d = compareRecords(x, y);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
