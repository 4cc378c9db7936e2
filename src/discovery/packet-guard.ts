// The boundary between untrusted bytes and the responder/querier (RFC 6762 §11, and "survive any
// malformed packet"). dns-packet has already parsed the datagram (it rejects compression loops:
// only backward pointers are allowed); here we re-check every field's type, apply size caps, and
// convert to MdnsPacket. Anything odd is dropped — a record, or the whole packet — never thrown.

import { ipv4Bytes, ipv6Bytes } from './ip-address.js';
import type { MdnsPacket, MdnsQuestion, MdnsRecord } from './mdns-packet.js';

/** RFC 6762 §17: a packet may be up to 9000 bytes on jumbo-frame links; bigger ones are junk. */
export const MAX_PACKET_BYTES = 9000;
/** A 9000-byte packet can hold at most ~700 minimal records; anything more is an attack. */
export const MAX_RECORDS = 600;
export const MAX_QUESTIONS = 128;
/** One TXT rrset beyond this is not a DNS-SD record we want to parse (RFC 6763 §6.2 ≤ 1300). */
export const MAX_TXT_RDATA = 1300;
/** TTLs beyond 75 minutes (the longest DNS-SD uses) would pin junk in the cache. */
export const MAX_TTL = 4500;
const MAX_NAME_CHARS = 255;

export type GuardResult = { ok: true; packet: MdnsPacket; dropped: number } | { ok: false; reason: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function validName(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME_CHARS;
}

function toBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return new Uint8Array(Buffer.from(v, 'utf8'));
  return undefined;
}

function convertTxt(data: unknown): Uint8Array[] | undefined {
  const list = Array.isArray(data) ? data : [data];
  const out: Uint8Array[] = [];
  let total = 0;
  for (const item of list) {
    const b = toBytes(item);
    if (!b) return undefined;
    total += b.length + 1;
    if (total > MAX_TXT_RDATA) return undefined;
    out.push(b);
  }
  return out;
}

function convertRecord(raw: unknown): MdnsRecord | undefined {
  if (!isRecord(raw) || !validName(raw.name) || typeof raw.type !== 'string') return undefined;
  // Class IN only; dns-packet has already separated the cache-flush bit (§10.2) from the class.
  if (raw.class !== undefined && raw.class !== 'IN') return undefined;
  const ttlRaw = raw.ttl;
  if (ttlRaw !== undefined && (typeof ttlRaw !== 'number' || !Number.isFinite(ttlRaw) || ttlRaw < 0)) {
    return undefined;
  }
  const base = { name: raw.name, ttl: Math.min(Math.floor(ttlRaw ?? 0), MAX_TTL), flush: raw.flush === true };
  const data = raw.data;
  switch (raw.type) {
    case 'A':
      return typeof data === 'string' && ipv4Bytes(data) ? { ...base, type: 'A', data } : undefined;
    case 'AAAA':
      return typeof data === 'string' && ipv6Bytes(data) && !data.includes('%')
        ? { ...base, type: 'AAAA', data }
        : undefined;
    case 'PTR':
      return validName(data) ? { ...base, type: 'PTR', data } : undefined;
    case 'SRV': {
      if (!isRecord(data) || !validName(data.target)) return undefined;
      const nums = [data.port, data.priority ?? 0, data.weight ?? 0];
      if (!nums.every((n) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffff))
        return undefined;
      const [port, priority, weight] = nums as [number, number, number];
      return { ...base, type: 'SRV', data: { target: data.target, port, priority, weight } };
    }
    case 'TXT': {
      const entries = convertTxt(data);
      return entries ? { ...base, type: 'TXT', data: entries } : undefined;
    }
    default:
      return { ...base, type: 'OTHER', data: { rrtype: raw.type.slice(0, 32) } };
  }
}

function convertQuestion(raw: unknown): MdnsQuestion | undefined {
  if (!isRecord(raw) || !validName(raw.name) || typeof raw.type !== 'string') return undefined;
  // dns-packet cannot strip the QU bit (§5.4): class IN with it set arrives as UNKNOWN_32769.
  const cls = raw.class ?? 'IN';
  if (cls !== 'IN' && cls !== 'ANY' && cls !== 'UNKNOWN_32769') return undefined;
  return { name: raw.name, type: raw.type.slice(0, 32), unicastResponse: cls === 'UNKNOWN_32769' };
}

function convertList<T>(
  raw: unknown,
  convert: (r: unknown) => T | undefined,
  counter: { dropped: number },
): T[] {
  if (!Array.isArray(raw)) return [];
  const out: T[] = [];
  for (const item of raw) {
    const converted = convert(item);
    if (converted === undefined) counter.dropped++;
    else out.push(converted);
  }
  return out;
}

/** Validates a packet decoded by dns-packet from `size` bytes of network input. */
export function guardPacket(decoded: unknown, size: number): GuardResult {
  if (size > MAX_PACKET_BYTES) return { ok: false, reason: `oversized packet (${size} bytes)` };
  if (!isRecord(decoded)) return { ok: false, reason: 'not a DNS message' };
  if (decoded.type !== 'query' && decoded.type !== 'response')
    return { ok: false, reason: 'not a DNS message' };
  // RFC 6762 §18.3: only standard queries; other opcodes must be silently ignored.
  if (decoded.opcode !== undefined && decoded.opcode !== 'QUERY')
    return { ok: false, reason: 'non-zero opcode' };
  const lists = [decoded.questions, decoded.answers, decoded.authorities, decoded.additionals];
  const lengths = lists.map((l) => (Array.isArray(l) ? l.length : 0));
  const [nq = 0, na = 0, nau = 0, nad = 0] = lengths;
  if (nq > MAX_QUESTIONS) return { ok: false, reason: `too many questions (${nq})` };
  if (na + nau + nad > MAX_RECORDS) return { ok: false, reason: `too many records (${na + nau + nad})` };
  const counter = { dropped: 0 };
  const packet: MdnsPacket = {
    kind: decoded.type,
    id: typeof decoded.id === 'number' ? decoded.id & 0xffff : 0,
    truncated: decoded.flag_tc === true,
    questions: convertList(decoded.questions, convertQuestion, counter),
    answers: convertList(decoded.answers, convertRecord, counter),
    authorities: convertList(decoded.authorities, convertRecord, counter),
    additionals: convertList(decoded.additionals, convertRecord, counter),
  };
  return { ok: true, packet, dropped: counter.dropped };
}
