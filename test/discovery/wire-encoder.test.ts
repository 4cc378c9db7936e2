// Our encoder against dns-packet's decoder (the one every receiver of ours uses) and against the
// packet guard: every field survives, names are compressed, the header bits are right, and the
// known answers of a big floor's browse fit MTU-sized packets (RFC 6762 §7.2, §17, §18.14).
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameName } from '../../src/discovery/mdns-names.js';
import { emptyPacket, type MdnsPacket, type MdnsRecord } from '../../src/discovery/mdns-packet.js';
import {
  encodePacket,
  fitQuery,
  MAX_MESSAGE_BYTES,
  MessageWriter,
} from '../../src/discovery/wire-encoder.js';
import { guardPacket } from './dns-packet-guard.js';
import { aRecord, ptrRecord, SERVICE, srvRecord, txtRecord } from './wire-arbitraries.js';

/** The rdata dns-packet decoded (its Answer type includes OPT, which has none). */
const dataOf = (a: unknown) => (a as { data?: unknown }).data;

function ptr(label: string, ttl = 4500): MdnsRecord {
  return { name: SERVICE, type: 'PTR', ttl, flush: false, data: `${label}.${SERVICE}` };
}

function decodeGuarded(bytes: Buffer): MdnsPacket {
  const guarded = guardPacket(dnsPacket.decode(bytes), bytes.length);
  if (!guarded.ok) throw new Error(guarded.reason);
  expect(guarded.dropped).toBe(0);
  return guarded.packet;
}

const fullSet: MdnsRecord[] = [
  ptr('Alice Ünïcødé 😀'),
  {
    name: `Alice Ünïcødé 😀.${SERVICE}`,
    type: 'SRV',
    ttl: 120,
    flush: true,
    data: { priority: 1, weight: 2, port: 7475, target: 'lanchat-0a1b2c3d.local' },
  },
  {
    name: `Alice Ünïcødé 😀.${SERVICE}`,
    type: 'TXT',
    ttl: 4500,
    flush: true,
    data: [Buffer.from('v=1'), Buffer.from('pk=abc'), new Uint8Array(0)],
  },
  { name: 'lanchat-0a1b2c3d.local', type: 'A', ttl: 120, flush: true, data: '10.1.2.3' },
  { name: 'lanchat-0a1b2c3d.local', type: 'AAAA', ttl: 120, flush: true, data: 'fe80::1:2' },
];

describe('wire encoder', () => {
  it('round-trips every record type through dns-packet, with QR and AA on responses', () => {
    const packet: MdnsPacket = {
      ...emptyPacket('response'),
      answers: fullSet.slice(0, 2),
      additionals: fullSet.slice(2),
    };
    const bytes = encodePacket(packet);
    const raw = dnsPacket.decode(bytes);
    expect(raw.type).toBe('response');
    expect(raw.flag_aa).toBe(true);
    expect(raw.flag_tc).toBe(false);
    const back = decodeGuarded(bytes);
    expect(back.answers).toEqual(packet.answers);
    // TXT strings come back as Buffers; compare their bytes.
    const txt = back.additionals[0]!;
    expect(txt.type === 'TXT' && txt.data.map((b) => Buffer.from(b).toString())).toEqual([
      'v=1',
      'pk=abc',
      '',
    ]);
    expect(back.additionals.slice(1)).toEqual(packet.additionals.slice(1));
  });

  it('any packet of our record types comes back through dns-packet and the guard unchanged (property)', () => {
    const record = fc.oneof(ptrRecord, aRecord, srvRecord, txtRecord(false));
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 12 }),
        fc.array(record, { maxLength: 6 }),
        (answers, additionals) => {
          const packet: MdnsPacket = { ...emptyPacket('response'), answers, additionals };
          const back = decodeGuarded(encodePacket(packet));
          const plain = (rs: MdnsRecord[]) =>
            rs.map((r) =>
              r.type === 'TXT' ? { ...r, data: r.data.map((b) => Buffer.from(b).toString('hex')) } : r,
            );
          expect(plain(back.answers)).toEqual(plain(answers));
          expect(plain(back.additionals)).toEqual(plain(additionals));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('compresses names: the second record for a name costs a pointer, not the name again', () => {
    const one = encodePacket({ ...emptyPacket('response'), answers: [ptr('alice')] });
    const two = encodePacket({ ...emptyPacket('response'), answers: [ptr('alice'), ptr('bob')] });
    // bob's PTR: owner name 2 (pointer) + 10 + rdata: "bob" label 4 + pointer 2.
    expect(two.length - one.length).toBe(18);
    expect(dnsPacket.decode(two).answers!.map(dataOf)).toEqual([`alice.${SERVICE}`, `bob.${SERVICE}`]);
  });

  it('questions carry the QU bit; queries set TC only when told, never AA or QR', () => {
    const packet: MdnsPacket = {
      ...emptyPacket('query'),
      id: 0x1234,
      truncated: true,
      questions: [
        { name: SERVICE, type: 'PTR', unicastResponse: true },
        { name: 'x.local', type: 'ANY', unicastResponse: false },
        { name: 'x.local', type: 'UNKNOWN_13', unicastResponse: false }, // HINFO, as we decode it
        { name: 'x.local', type: 'UNKNOWN_65', unicastResponse: false },
      ],
      answers: [ptr('alice')],
    };
    const raw = dnsPacket.decode(encodePacket(packet));
    expect(raw.type).toBe('query');
    expect(raw.id).toBe(0x1234);
    expect(raw.flag_tc).toBe(true);
    expect(raw.flag_aa).toBe(false);
    expect(raw.questions!.map((q) => [q.type, q.class])).toEqual([
      ['PTR', 'UNKNOWN_32769'],
      ['ANY', 'IN'],
      ['HINFO', 'IN'],
      ['UNKNOWN_65', 'IN'],
    ]);
    expect(decodeGuarded(encodePacket(packet)).questions[0]!.unicastResponse).toBe(true);
  });

  it('refuses a question type that is neither ours nor UNKNOWN_n, instead of writing type 0', () => {
    const packet: MdnsPacket = {
      ...emptyPacket('query'),
      questions: [{ name: 'x.local', type: 'HINFO', unicastResponse: false }],
    };
    expect(() => encodePacket(packet)).toThrow(/cannot encode question type HINFO/);
  });

  it('any labels survive compression: dns-packet decodes exactly the names we gave (property)', () => {
    // The oracle is the input, not dns-packet's own encoder: that one loses the dot after a label
    // of one space (" ._lanchat…" comes back as " _lanchat…"), which fast-check found.
    const label = fc
      .string({ minLength: 1, maxLength: 20, unit: 'grapheme' })
      .filter((s) => !s.includes('.') && Buffer.byteLength(s) <= 63);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 30 }), fc.boolean(), (labels, flush) => {
        const records = labels.map((l, i) => ({ ...ptr(l, i), flush }));
        const packet: MdnsPacket = { ...emptyPacket('response'), answers: records };
        const back = dnsPacket.decode(encodePacket(packet)).answers!;
        const fields = (a: unknown) => a as { name: string; type: string; ttl?: number; flush?: boolean };
        expect(
          back.map((a) => [fields(a).name, fields(a).type, fields(a).ttl, fields(a).flush, dataOf(a)]),
        ).toEqual(records.map((r) => [r.name, 'PTR', r.ttl, flush, r.data]));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses what it cannot encode instead of writing a corrupt packet', () => {
    const long = 'x'.repeat(64);
    expect(() => encodePacket({ ...emptyPacket('response'), answers: [ptr(long)] })).toThrow(/63 bytes/);
    const bad: MdnsRecord = { name: 'h.local', type: 'A', ttl: 1, flush: false, data: 'not an address' };
    expect(() => encodePacket({ ...emptyPacket('response'), answers: [bad] })).toThrow(/IPv4/);
  });

  it('a record that does not fit leaves the message as it was', () => {
    const other = (label: string): MdnsRecord => ({
      name: SERVICE,
      type: 'PTR',
      ttl: 1,
      flush: false,
      data: `${label}.other.local`,
    });
    const w = new MessageWriter('query', 0, 80);
    expect(w.addRecord('answers', ptr('alice'))).toBe(true);
    const size = w.size;
    expect(w.addRecord('answers', other('y'.repeat(30)))).toBe(false);
    expect(w.size).toBe(size);
    // The failed record registered other.local for compression; a pointer to it now would point
    // past the end of the message. It is forgotten, so x.other.local is written out.
    expect(w.addRecord('answers', other('x'))).toBe(true);
    expect(dnsPacket.decode(w.finish()).answers!.map(dataOf)).toEqual([`alice.${SERVICE}`, 'x.other.local']);
  });
});

describe('known answers of a big floor (§7.2, §17)', () => {
  it('500 known answers with long labels: MTU-sized packets, TC on all but the last, each answer once', () => {
    const known = Array.from({ length: 500 }, (_, i) => ptr(`colleague-number-${i}-${'x'.repeat(i % 40)}`));
    const packets = fitQuery([{ name: SERVICE, type: 'PTR', unicastResponse: false }], known);
    expect(packets.length).toBeGreaterThan(1);
    const listed: string[] = [];
    packets.forEach((p, i) => {
      const bytes = encodePacket(p);
      expect(bytes.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      const raw = dnsPacket.decode(bytes);
      expect(raw.flag_tc).toBe(i < packets.length - 1);
      expect(raw.questions!.length).toBe(i === 0 ? 1 : 0);
      listed.push(...raw.answers!.map((a) => String(dataOf(a))));
    });
    expect(listed).toEqual(known.map((r) => r.data));
  });

  it('a floor of 100 ordinary nicks fits two packets (one fragmented 6 KB datagram before)', () => {
    const known = Array.from({ length: 100 }, (_, i) => ptr(`user${i}`));
    const packets = fitQuery([{ name: SERVICE, type: 'PTR', unicastResponse: false }], known);
    expect(packets).toHaveLength(2);
    const uncompressed = dnsPacket.encode({
      type: 'query',
      questions: [{ name: SERVICE, type: 'PTR' }],
      answers: known.map((r) => ({ name: r.name, type: 'PTR' as const, ttl: r.ttl, data: r.data as string })),
    });
    expect(uncompressed.length).toBeGreaterThan(5000);
  });
});

describe('sameName (§16)', () => {
  it('agrees with comparing lower-cased copies, for any strings', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ maxLength: 12, unit: 'grapheme' }),
      fc.constantFrom('ALICE', 'alice', 'Alice', 'İx', 'ix', 'ΣΑΣ', 'σας', '@', '`', '[', '{'),
    );
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(sameName(a, b)).toBe(a.toLowerCase() === b.toLowerCase());
        expect(sameName(a, a.toUpperCase())).toBe(a.toLowerCase() === a.toUpperCase().toLowerCase());
      }),
      { numRuns: 2000 },
    );
  });
});
