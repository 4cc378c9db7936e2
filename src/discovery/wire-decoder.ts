// Bytes from the wire to MdnsPacket, the boundary between untrusted input and the responder and
// querier (RFC 6762 §11: "survive any malformed packet"). Anything odd is dropped, a record or the
// whole packet, never thrown.
//
// Why our own decoder: on a floor of 100 every host receives every multicast packet, and a browse
// lists up to 100 known answers. dns-packet built a loosely typed object per record (decoding each
// compressed name again from the start, a string per label) and a second pass checked and
// converted it: ≈ 75 µs per 100-answer browse, 4–5 % of all the CPU of 100 nodes starting at once.
// Here one pass reads each field straight into its final shape, and a name that compression
// points at is decoded once per packet.
//
// What is kept from dns-packet's rules: a compression pointer must point before the start of the
// name (or name part) it appears in, so there are no loops; a name is at most 254 bytes of labels;
// label bytes decode as UTF-8 and join with '.', the root is '.'. Where dns-packet misread a record
// whose rdata length disagrees with its contents (it ignored the length for A, AAAA and PTR, and
// read on into the next record), the record is dropped here and the next one read where it starts.
import { formatIp } from '../protocol/ip-literal.js';
import type { MdnsPacket, MdnsQuestion, MdnsRecord } from './mdns-packet.js';
import { typeNameOf } from './record-order.js';
import {
  CLASS_ANY,
  CLASS_IN,
  FLAG_QR,
  FLAG_TC,
  HEADER_BYTES,
  MAX_PACKET_BYTES,
  TOP_BIT,
} from './wire-format.js';

/** A 9000-byte packet can hold at most ~700 minimal records; anything more is an attack. */
export const MAX_RECORDS = 600;
export const MAX_QUESTIONS = 128;
/** One TXT rrset beyond this is not a DNS-SD record we want to parse (RFC 6763 §6.2 ≤ 1300). */
export const MAX_TXT_RDATA = 1300;
/** TTLs beyond 75 minutes (the longest DNS-SD uses) would pin junk in the cache. */
export const MAX_TTL = 4500;
/** Label bytes (each plus its length byte) in one name: RFC 1035's 255 less the root's zero. */
const MAX_NAME_WIRE = 254;
const MAX_NAME_CHARS = 255;

export type DecodeResult = { ok: true; packet: MdnsPacket; dropped: number } | { ok: false; reason: string };

const TYPE_OPT = 41;

/** A structural fault: the whole packet is dropped. */
class Malformed extends Error {}

interface DecodedName {
  /** The name as text, '.' for the root. */
  text: string;
  /** Bytes of its labels on the wire, each with its length byte (MAX_NAME_WIRE). */
  wire: number;
}

/** One datagram being read. `names` keeps the name that starts at each offset: a browse's 100
 * known answers all point at the same service name, which is then decoded once. */
class Reader {
  private readonly names = new Map<number, DecodedName>();
  offset = HEADER_BYTES;

  constructor(readonly buf: Buffer) {}

  u16(at: number): number {
    if (at + 2 > this.buf.length) throw new Malformed('truncated');
    return (this.buf[at]! << 8) | this.buf[at + 1]!;
  }

  u32(at: number): number {
    if (at + 4 > this.buf.length) throw new Malformed('truncated');
    return this.buf.readUInt32BE(at);
  }

  /** The name at `start`, and the offset just past it where it sits (not where a pointer led). */
  name(start: number): { text: string; end: number } {
    // Most names in a floor's packets are a bare pointer to a name decoded before (every known
    // answer's owner is the service name): answered from the memo without building the parts.
    const first = this.buf[start];
    if (first !== undefined && (first & 0xc0) === 0xc0 && start + 1 < this.buf.length) {
      const target = ((first & 0x3f) << 8) | this.buf[start + 1]!;
      const known = target < start ? this.names.get(target) : undefined;
      if (known) return { text: known.text, end: start + 2 };
    }
    const labels: string[] = [];
    const labelWire: number[] = [];
    /** Where each part of the name starts (the name itself, then each pointer's target), and how
     * many labels came before it: every part is a name of its own, kept for later pointers. */
    const parts: { at: number; first: number }[] = [{ at: start, first: 0 }];
    let suffix: DecodedName | undefined;
    let wire = 0;
    let offset = start;
    let partStart = start;
    let end = -1;
    for (;;) {
      if (offset >= this.buf.length) throw new Malformed('name runs past the end');
      const len = this.buf[offset++]!;
      if (len === 0) {
        if (end < 0) end = offset;
        break;
      }
      if ((len & 0xc0) === 0) {
        if (offset + len > this.buf.length) throw new Malformed('name runs past the end');
        wire += len + 1;
        if (wire > MAX_NAME_WIRE) throw new Malformed('name too long');
        labels.push(labelText(this.buf, offset, offset + len));
        labelWire.push(len + 1);
        offset += len;
        continue;
      }
      if ((len & 0xc0) !== 0xc0) throw new Malformed('bad label type');
      if (offset >= this.buf.length) throw new Malformed('name runs past the end');
      const target = ((len & 0x3f) << 8) | this.buf[offset++]!;
      if (end < 0) end = offset;
      // Only backwards, and before this part began: no loops (RFC 1035 §4.1.4, as dns-packet).
      if (target >= partStart) throw new Malformed('bad compression pointer');
      suffix = this.names.get(target);
      if (suffix) {
        wire += suffix.wire;
        if (wire > MAX_NAME_WIRE) throw new Malformed('name too long');
        break;
      }
      parts.push({ at: target, first: labels.length });
      partStart = target;
      offset = target;
    }
    // Each part that started at some offset is the name found at that offset: keep them all.
    const tail = suffix !== undefined && suffix.wire > 0 ? suffix : undefined;
    let text = '.';
    for (let p = parts.length - 1; p >= 0; p--) {
      const part = parts[p]!;
      const own = part.first === labels.length ? '' : labels.slice(part.first).join('.');
      text = own === '' ? (tail?.text ?? '.') : tail ? `${own}.${tail.text}` : own;
      if (this.names.has(part.at)) continue;
      let partWire = tail?.wire ?? 0;
      for (let i = part.first; i < labelWire.length; i++) partWire += labelWire[i]!;
      this.names.set(part.at, { text, wire: partWire });
    }
    return { text, end };
  }
}

/**
 * One label's bytes as text (UTF-8). The labels of a floor's names are short and ASCII, and
 * Buffer.toString's way into C++ and back costs more than reading them here (a browse of 100
 * known answers decodes 100 of them at every host).
 */
function labelText(buf: Buffer, from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) {
    const byte = buf[i]!;
    if (byte > 0x7f) return buf.toString('utf8', from, to);
    text += String.fromCharCode(byte);
  }
  return text;
}

function validName(text: string): boolean {
  return text.length > 0 && text.length <= MAX_NAME_CHARS;
}

function readQuestion(r: Reader): MdnsQuestion | undefined {
  const { text, end } = r.name(r.offset);
  const type = r.u16(end);
  const cls = r.u16(end + 2);
  r.offset = end + 4;
  // Class IN (QU or not) or ANY; other classes are not Multicast DNS questions for us.
  if (!validName(text) || (cls !== CLASS_IN && cls !== (CLASS_IN | TOP_BIT) && cls !== CLASS_ANY)) {
    return undefined;
  }
  return { name: text, type: typeNameOf(type), unicastResponse: cls === (CLASS_IN | TOP_BIT) };
}

function readRecord(r: Reader): MdnsRecord | undefined {
  const { text: name, end } = r.name(r.offset);
  const type = r.u16(end);
  const cls = r.u16(end + 2);
  const ttl = r.u32(end + 4);
  const length = r.u16(end + 8);
  const at = end + 10;
  if (at + length > r.buf.length) throw new Malformed('record runs past the end');
  r.offset = at + length;
  if (!validName(name)) return undefined;
  if (type === TYPE_OPT) {
    // EDNS(0) (RFC 6891): its class and TTL fields mean other things; only "there is one" counts.
    return { name, ttl: 0, flush: false, type: 'OTHER', data: { rrtype: typeNameOf(type) } };
  }
  if ((cls & ~TOP_BIT) !== CLASS_IN) return undefined;
  // Each record built in one literal (not spread from a common base): one shape per type.
  const kept = Math.min(ttl, MAX_TTL);
  const flush = (cls & TOP_BIT) !== 0;
  switch (type) {
    case 1:
      return length === 4
        ? { name, ttl: kept, flush, type: 'A', data: formatIp(r.buf.subarray(at, at + 4)) }
        : undefined;
    case 28:
      return length === 16
        ? { name, ttl: kept, flush, type: 'AAAA', data: formatIp(r.buf.subarray(at, at + 16)) }
        : undefined;
    case 12: {
      const target = r.name(at);
      return target.end === at + length && validName(target.text)
        ? { name, ttl: kept, flush, type: 'PTR', data: target.text }
        : undefined;
    }
    case 33: {
      if (length < 7) return undefined;
      const target = r.name(at + 6);
      if (target.end !== at + length || !validName(target.text)) return undefined;
      const data = { target: target.text, port: r.u16(at + 4), priority: r.u16(at), weight: r.u16(at + 2) };
      return { name, ttl: kept, flush, type: 'SRV', data };
    }
    case 16: {
      if (length > MAX_TXT_RDATA) return undefined;
      const entries: Uint8Array[] = [];
      for (let i = at; i < at + length; ) {
        const len = r.buf[i]!;
        if (i + 1 + len > at + length) return undefined;
        entries.push(r.buf.subarray(i + 1, i + 1 + len));
        i += 1 + len;
      }
      return { name, ttl: kept, flush, type: 'TXT', data: entries };
    }
    default:
      return { name, ttl: kept, flush, type: 'OTHER', data: { rrtype: typeNameOf(type) } };
  }
}

function readList<T>(
  r: Reader,
  count: number,
  read: (r: Reader) => T | undefined,
  counter: { dropped: number },
): T[] {
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const item = read(r);
    if (item === undefined) counter.dropped++;
    else out.push(item);
  }
  return out;
}

/** Decodes one datagram; `dropped` counts the records and questions left out as malformed. */
export function decodePacket(bytes: Uint8Array): DecodeResult {
  if (bytes.length > MAX_PACKET_BYTES)
    return { ok: false, reason: `oversized packet (${bytes.length} bytes)` };
  if (bytes.length < HEADER_BYTES) return { ok: false, reason: 'not a DNS message' };
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new Reader(buf);
  const flags = r.u16(2);
  // RFC 6762 §18.3: only standard queries; other opcodes must be silently ignored.
  if (((flags >> 11) & 0xf) !== 0) return { ok: false, reason: 'non-zero opcode' };
  const [nq, na, nau, nad] = [r.u16(4), r.u16(6), r.u16(8), r.u16(10)];
  if (nq > MAX_QUESTIONS) return { ok: false, reason: `too many questions (${nq})` };
  if (na + nau + nad > MAX_RECORDS) return { ok: false, reason: `too many records (${na + nau + nad})` };
  const counter = { dropped: 0 };
  try {
    const packet: MdnsPacket = {
      kind: flags & FLAG_QR ? 'response' : 'query',
      id: r.u16(0),
      truncated: (flags & FLAG_TC) !== 0,
      questions: readList(r, nq, readQuestion, counter),
      answers: readList(r, na, readRecord, counter),
      authorities: readList(r, nau, readRecord, counter),
      additionals: readList(r, nad, readRecord, counter),
    };
    return { ok: true, packet, dropped: counter.dropped };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, reason: `malformed packet: ${error.message}` };
    throw error;
  }
}
