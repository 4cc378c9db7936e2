// The reference the tests hold src/discovery/wire-decoder.ts to: dns-packet (an mDNS decoder no
// one here wrote) decodes the datagram, then every field is checked and converted to MdnsPacket
// with the same caps. This was lanchat's receive path until its own decoder replaced it; the tests
// decode each packet both ways and compare. Also a second opinion on what our encoder writes.

import { ipv4Bytes, ipv6Bytes } from '../../src/discovery/ip-address.js';
import type { MdnsPacket, MdnsQuestion, MdnsRecord } from '../../src/discovery/mdns-packet.js';
import {
  type DecodeResult,
  MAX_QUESTIONS,
  MAX_RECORDS,
  MAX_TTL,
  MAX_TXT_RDATA,
} from '../../src/discovery/wire-decoder.js';
import { MAX_PACKET_BYTES } from '../../src/discovery/wire-format.js';

const MAX_NAME_CHARS = 255;

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
export function guardPacket(decoded: unknown, size: number): DecodeResult {
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
