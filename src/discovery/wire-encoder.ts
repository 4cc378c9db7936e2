// Our packets to bytes, with name compression (RFC 6762 §18.14) and a size limit. dns-packet
// compresses nothing: a known answer for one peer took ≈ 60 bytes, so a browse on a floor of 100
// listed ≈ 6 KB in one datagram, sent in IP fragments, against §17 ("a Multicast DNS packet
// larger than the interface MTU, which is sent using fragments, MUST NOT contain more than one
// resource record"). Compressed, that answer is ≈ 20 bytes, and `MessageWriter` says when the next
// record would not fit, so the querier can carry the rest in further packets with TC (§7.2).
// wire-decoder.ts reads such packets back.
// Compression is by exact bytes (a pointer repeats them), so a name differing only in case is
// written again rather than pointed at.
import { ipv4Bytes, ipv6Bytes } from './ip-address.js';
import { emptyPacket, type MdnsPacket, type MdnsQuestion, type MdnsRecord } from './mdns-packet.js';
import { typeNumber, typeNumberOfName } from './record-order.js';
import {
  CLASS_IN,
  FLAG_AA,
  FLAG_QR,
  FLAG_TC,
  HEADER_BYTES,
  MAX_PACKET_BYTES,
  TOP_BIT,
} from './wire-format.js';

/**
 * The largest message we send: the IPv6 minimum MTU (1280) less the IPv6 and UDP headers, the
 * size DNS itself settled on (the 2020 DNS flag day). It fits without fragments on every link
 * either family runs on, Ethernet, Wi-Fi, and the tunnels and VPNs an office adds (1420 and less).
 */
export const MAX_MESSAGE_BYTES = 1232;
const POINTER = 0xc000;
/** A compression pointer holds 14 bits of offset. */
const MAX_POINTER_TARGET = 0x3fff;

/** A question's type: one of ours by name, or UNKNOWN_n (wire-decoder.ts names every other type
 * so, so a question we echo back always has one of the two). */
function questionTypeNumber(type: string): number {
  const number = typeNumberOfName(type);
  if (number !== undefined && number > 0) return number;
  throw new RangeError(`cannot encode question type ${type}`);
}

type Section = 'answers' | 'authorities' | 'additionals';
const SECTION_ORDER: Record<Section, number> = { answers: 0, authorities: 1, additionals: 2 };

/**
 * Writes one message section by section. `add*` return false, and leave the message as it was,
 * when the item would take it over its limit; a message may hold fewer items than asked, never a
 * truncated one.
 */
export class MessageWriter {
  private readonly buf: Buffer;
  private offset = HEADER_BYTES;
  /** Name suffix as written (case kept: a pointer repeats bytes) → where it starts. */
  private readonly names = new Map<string, number>();
  private readonly counts = [0, 0, 0, 0];
  private section = -1;

  constructor(
    private readonly kind: MdnsPacket['kind'],
    private readonly id = 0,
    // Not limited by the caller: the most §17 allows (ours are far smaller).
    private readonly limit = MAX_PACKET_BYTES,
  ) {
    this.buf = Buffer.alloc(Math.min(limit, MAX_PACKET_BYTES));
  }

  get size(): number {
    return this.offset;
  }

  get empty(): boolean {
    return this.counts.every((c) => c === 0);
  }

  addQuestion(q: MdnsQuestion): boolean {
    if (this.section > -1) throw new RangeError('questions come before records');
    return this.attempt(0, () => {
      this.writeName(q.name);
      this.writeU16(questionTypeNumber(q.type));
      this.writeU16(CLASS_IN | (q.unicastResponse ? TOP_BIT : 0));
    });
  }

  addRecord(section: Section, r: MdnsRecord): boolean {
    const order = SECTION_ORDER[section];
    if (order < this.section) throw new RangeError(`${section} after a later section`);
    const ok = this.attempt(order + 1, () => this.writeRecord(r));
    if (ok) this.section = order;
    return ok;
  }

  /** The finished message; `truncated` sets TC (§7.2: more known answers follow). */
  finish(truncated = false): Buffer {
    // §18.4: responses are authoritative; §18.5: TC only on queries, which is all fitQuery makes.
    const flags = (this.kind === 'response' ? FLAG_QR | FLAG_AA : 0) | (truncated ? FLAG_TC : 0);
    this.buf.writeUInt16BE(this.id & 0xffff, 0);
    this.buf.writeUInt16BE(flags, 2);
    this.counts.forEach((c, i) => {
      this.buf.writeUInt16BE(c, 4 + 2 * i);
    });
    return Buffer.from(this.buf.subarray(0, this.offset));
  }

  /** Runs `write`; on overflow restores the offset and forgets the names it registered. */
  private attempt(count: number, write: () => void): boolean {
    const start = this.offset;
    const before = this.names.size;
    try {
      write();
    } catch (err) {
      if (!(err instanceof Overflow)) throw err;
      this.offset = start;
      if (this.names.size > before) {
        for (const [name, at] of this.names) if (at >= start) this.names.delete(name);
      }
      return false;
    }
    this.counts[count]!++;
    return true;
  }

  private room(bytes: number): void {
    if (this.offset + bytes > this.limit || this.offset + bytes > this.buf.length) throw new Overflow();
  }

  private writeU16(v: number): void {
    this.room(2);
    this.buf.writeUInt16BE(v & 0xffff, this.offset);
    this.offset += 2;
  }

  private writeU32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.offset);
    this.offset += 4;
  }

  private writeBytes(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  /** Labels, ending either in a pointer to a suffix written earlier or in the root label. */
  private writeName(name: string): void {
    const labels = name.split('.').filter((l) => l !== '');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.');
      const at = this.names.get(suffix);
      if (at !== undefined) {
        this.writeU16(POINTER | at);
        return;
      }
      const here = this.offset;
      const label = Buffer.from(labels[i]!, 'utf8');
      if (label.length > 63) throw new RangeError(`label longer than 63 bytes in ${name}`);
      this.room(1 + label.length);
      this.buf[this.offset++] = label.length;
      this.writeBytes(label);
      if (here <= MAX_POINTER_TARGET) this.names.set(suffix, here);
    }
    this.room(1);
    this.buf[this.offset++] = 0;
  }

  private writeRecord(r: MdnsRecord): void {
    this.writeName(r.name);
    this.writeU16(typeNumber(r));
    this.writeU16(CLASS_IN | (r.flush ? TOP_BIT : 0));
    this.writeU32(r.ttl);
    const lengthAt = this.offset;
    this.writeU16(0);
    this.writeRdata(r);
    this.buf.writeUInt16BE(this.offset - lengthAt - 2, lengthAt);
  }

  private writeRdata(r: MdnsRecord): void {
    switch (r.type) {
      case 'A':
      case 'AAAA': {
        const bytes = r.type === 'A' ? ipv4Bytes(r.data) : ipv6Bytes(r.data);
        if (!bytes) throw new RangeError(`not an IPv${r.type === 'A' ? 4 : 6} address: ${r.data}`);
        this.writeBytes(bytes);
        return;
      }
      case 'PTR':
        this.writeName(r.data);
        return;
      case 'SRV':
        // §18.14: in mDNS the SRV target may be compressed too.
        this.writeU16(r.data.priority);
        this.writeU16(r.data.weight);
        this.writeU16(r.data.port);
        this.writeName(r.data.target);
        return;
      case 'TXT': {
        // RFC 6763 §6.1: an empty TXT is one empty string, never zero bytes.
        const strings = r.data.length > 0 ? r.data : [new Uint8Array(0)];
        for (const s of strings) {
          if (s.length > 255) throw new RangeError('TXT string longer than 255 bytes');
          this.room(1 + s.length);
          this.buf[this.offset++] = s.length;
          this.writeBytes(s);
        }
        return;
      }
      case 'OTHER':
        throw new RangeError(`lanchat never sends ${r.data.rrtype} records`);
    }
  }
}

class Overflow extends Error {}

/** A whole packet, compressed, with no size limit but §17's 9000 bytes. */
export function encodePacket(packet: MdnsPacket): Buffer {
  const w = new MessageWriter(packet.kind, packet.id);
  const must = (ok: boolean) => {
    if (!ok) throw new RangeError('mDNS packet larger than 9000 bytes');
  };
  for (const q of packet.questions) must(w.addQuestion(q));
  for (const r of packet.answers) must(w.addRecord('answers', r));
  for (const r of packet.authorities) must(w.addRecord('authorities', r));
  for (const r of packet.additionals) must(w.addRecord('additionals', r));
  return w.finish(packet.truncated);
}

/**
 * Questions and known answers (§7.1) as packets of at most MAX_MESSAGE_BYTES each: all questions in
 * the first, each packet but the last with TC set (§7.2: more known answers follow).
 */
export function fitQuery(questions: readonly MdnsQuestion[], known: readonly MdnsRecord[]): MdnsPacket[] {
  const packets: MdnsPacket[] = [];
  let packet = emptyPacket('query');
  let w = new MessageWriter('query', 0, MAX_MESSAGE_BYTES);
  for (const q of questions) {
    if (!w.addQuestion(q)) throw new RangeError('the questions do not fit one packet');
    packet.questions.push(q);
  }
  for (const r of known) {
    if (!w.addRecord('answers', r)) {
      if (w.empty) throw new RangeError(`a record for ${r.name} does not fit a packet`);
      packet.truncated = true;
      packets.push(packet);
      packet = emptyPacket('query');
      w = new MessageWriter('query', 0, MAX_MESSAGE_BYTES);
      if (!w.addRecord('answers', r)) throw new RangeError(`a record for ${r.name} does not fit a packet`);
    }
    packet.answers.push(r);
  }
  packets.push(packet);
  return packets;
}
