// lanchat's decoder against the reference it replaced: dns-packet (a decoder no one here wrote)
// plus the old field-by-field guard (dns-packet-guard.ts). Both must read the same MdnsPacket out
// of every well-formed datagram, ours and dns-packet's own encodings, with names compressed every
// way; malformed ones must be refused the same way, and never throw.
import dnsPacket from 'dns-packet';
import dnsTypes from 'dns-packet/types.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv6Bytes } from '../../src/discovery/ip-address.js';
import { emptyPacket, type MdnsPacket, type MdnsRecord } from '../../src/discovery/mdns-packet.js';
import { type DecodeResult, decodePacket, MAX_RECORDS } from '../../src/discovery/wire-decoder.js';
import { encodePacket, fitQuery } from '../../src/discovery/wire-encoder.js';
import { guardPacket } from './dns-packet-guard.js';
import {
  aaaaRecord,
  aRecord,
  knownPtrs,
  mutated,
  name,
  ptrRecord,
  SERVICE,
  srvRecord,
  txtRecord,
} from './wire-arbitraries.js';

function reference(bytes: Uint8Array): DecodeResult {
  try {
    return guardPacket(dnsPacket.decode(Buffer.from(bytes)), bytes.length);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** What may differ and mean the same: AAAA text (dns-packet compresses the first run of zero
 * groups, we the longest, as Node does), TXT buffers, and the name of a type we do not read. */
function comparable(result: DecodeResult): unknown {
  if (!result.ok) return { ok: false };
  const record = (r: MdnsRecord) => {
    switch (r.type) {
      case 'AAAA':
        return { ...r, data: [...(ipv6Bytes(r.data) ?? [])] };
      case 'TXT':
        return { ...r, data: r.data.map((b) => Buffer.from(b).toString('hex')) };
      case 'OTHER': {
        const n = /^UNKNOWN_(\d+)$/.exec(r.data.rrtype);
        return { ...r, data: { rrtype: n ? Number(n[1]) : dnsTypes.toType(r.data.rrtype) } };
      }
      default:
        return r;
    }
  };
  const questions = result.packet.questions.map((q) => {
    const n = /^UNKNOWN_(\d+)$/.exec(q.type);
    return { ...q, type: n ? Number(n[1]) : dnsTypes.toType(q.type) };
  });
  const p = result.packet;
  return {
    ok: true,
    dropped: result.dropped,
    packet: {
      ...p,
      questions,
      answers: p.answers.map(record),
      authorities: p.authorities.map(record),
      additionals: p.additionals.map(record),
    },
  };
}

const record = fc.oneof(ptrRecord, aRecord, aaaaRecord, srvRecord, txtRecord(true));

describe('wire decoder', () => {
  it('reads what dns-packet and the guard read from any packet of ours, names compressed (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'query' | 'response'>('query', 'response'),
        fc.array(fc.tuple(name, fc.constantFrom('PTR', 'SRV', 'ANY', 'TXT'), fc.boolean()), { maxLength: 3 }),
        fc.array(record, { maxLength: 12 }),
        fc.array(record, { maxLength: 4 }),
        fc.array(record, { maxLength: 6 }),
        (kind, questions, answers, authorities, additionals) => {
          const packet: MdnsPacket = {
            ...emptyPacket(kind),
            questions: questions.map(([n, type, qu]) => ({ name: n, type, unicastResponse: qu })),
            answers,
            authorities,
            additionals,
          };
          const bytes = encodePacket(packet);
          const ours = decodePacket(bytes);
          expect(comparable(ours)).toEqual(comparable(reference(bytes)));
          // And it is what was encoded (AAAA in our own text form, exactly; a TXT record with no
          // strings is sent as one empty string, RFC 6763 §6.1).
          const sent = (r: MdnsRecord) =>
            r.type !== 'TXT'
              ? r
              : { ...r, data: r.data.length === 0 ? [Buffer.alloc(0)] : r.data.map((b) => Buffer.from(b)) };
          expect(ours.ok && ours.packet.answers).toEqual(answers.map(sent));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("reads dns-packet's own encodings the same, other record types and EDNS included", () => {
    const cases: object[] = [
      {
        type: 'response',
        id: 7,
        flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.TRUNCATED_RESPONSE,
        answers: [
          { name: 'x.local', type: 'HINFO', ttl: 120, data: { cpu: 'arm', os: 'linux' } },
          {
            name: 'x.local',
            type: 'NSEC',
            ttl: 120,
            data: { nextDomain: 'x.local', rrtypes: ['A', 'AAAA'] },
          },
          { name: 'x.local', type: 'AAAA', ttl: 120, data: '2001:0:0:1:0:0:0:1' },
          { name: 'x.local', type: 'A', ttl: 99999, class: 'IN', flush: true, data: '10.0.0.1' },
          { name: 'x.local', type: 'A', ttl: 120, class: 'CH', data: '10.0.0.2' },
          { name: SERVICE, type: 'PTR', ttl: 4500, data: `bob.${SERVICE}` },
        ],
        additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1440, options: [] }],
      },
      {
        type: 'query',
        questions: [
          { name: SERVICE, type: 'PTR', class: 'IN' },
          { name: SERVICE, type: 'PTR', class: 'UNKNOWN_32769' },
          { name: 'x.local', type: 'ANY', class: 'ANY' },
          { name: 'x.local', type: 'A', class: 'CH' },
          { name: 'x.local', type: 'HINFO' },
        ],
        answers: [{ name: SERVICE, type: 'PTR', ttl: 4500, data: `bob.${SERVICE}` }],
      },
    ];
    for (const c of cases) {
      const bytes = dnsPacket.encode(c as dnsPacket.Packet);
      const ours = decodePacket(bytes);
      expect(ours.ok).toBe(true);
      expect(comparable(ours)).toEqual(comparable(reference(bytes)));
    }
    const answers = (decodePacket(dnsPacket.encode(cases[0] as dnsPacket.Packet)) as { packet: MdnsPacket })
      .packet.answers;
    // The TTL is capped, the CH-class record dropped, the AAAA in Node's form (the longest zero run).
    expect(answers.find((r) => r.type === 'A')?.ttl).toBe(4500);
    expect(answers.filter((r) => r.type === 'A')).toHaveLength(1);
    expect(answers.find((r) => r.type === 'AAAA')?.data).toBe('2001:0:0:1::1');
  });

  it('a big browse: every known answer, each name pointing at one service name', () => {
    const known = knownPtrs(100);
    const packets = fitQuery([{ name: SERVICE, type: 'PTR', unicastResponse: false }], known);
    const back = packets.flatMap((p) => {
      const bytes = encodePacket(p);
      const ours = decodePacket(bytes);
      expect(comparable(ours)).toEqual(comparable(reference(bytes)));
      return ours.ok ? ours.packet.answers : [];
    });
    expect(back).toEqual(known);
  });

  it('refuses malformed packets whole, as dns-packet does: loops, forward pointers, long names, truncation', () => {
    const header = (qd: number, an = 0) => [0, 0, 0, 0, 0, qd, 0, an, 0, 0, 0, 0];
    const q = (nameBytes: number[]) => new Uint8Array([...header(1), ...nameBytes, 0, 12, 0, 1]);
    const refused = [
      q([0xc0, 12]), // points at itself
      q([0xc0, 40]), // points forwards
      q([3, 97, 98, 99, 0xc0, 12]), // a label, then back to its own start: a loop
      q([0x40, 1, 0]), // label type 01 (extended labels)
      q(
        Array.from({ length: 5 }, () => [63, ...new Array(63).fill(97)])
          .flat()
          .concat([0]),
      ), // 320 bytes
      new Uint8Array([...header(1), 3, 97, 98]), // name cut short
      new Uint8Array([...header(1), 0, 0, 12]), // type cut short
      new Uint8Array([0, 0]), // no header
      new Uint8Array([0, 0, 0x28, 0, ...header(0).slice(4)]), // opcode 5 (UPDATE)
    ];
    // Too long only through two levels of pointers, each to a name already read (kept per offset):
    // 100 bytes at 12, then 60 + a pointer to it, then 100 + a pointer to that: 262 bytes.
    const label = (n: number) => [n, ...new Array<number>(n).fill(97)];
    const first = [...label(49), ...label(49), 0];
    const second = [...label(59), 0xc0, 12];
    const secondAt = 12 + first.length + 4;
    const third = [...label(49), ...label(49), 0xc0, secondAt];
    refused.push(
      new Uint8Array([...header(3), ...first, 0, 12, 0, 1, ...second, 0, 12, 0, 1, ...third, 0, 12, 0, 1]),
    );
    for (const bytes of refused) {
      expect(decodePacket(bytes).ok, Buffer.from(bytes).toString('hex')).toBe(false);
      expect(reference(bytes).ok, Buffer.from(bytes).toString('hex')).toBe(false);
    }
    // Rdata cut short: dns-packet read past the end ('10.0.undefined.undefined', which the guard
    // then dropped); here the packet is refused.
    expect(decodePacket(new Uint8Array([...header(0, 1), 0, 0, 1, 0, 1, 0, 0, 0, 120, 0, 4, 10, 0])).ok).toBe(
      false,
    );
    const many = new Uint8Array(12);
    many[7] = (MAX_RECORDS + 1) & 0xff;
    many[6] = (MAX_RECORDS + 1) >> 8;
    expect(decodePacket(many)).toEqual({ ok: false, reason: `too many records (${MAX_RECORDS + 1})` });
    expect(decodePacket(new Uint8Array(9001)).ok).toBe(false);
  });

  it('a record whose rdata length disagrees with its contents is dropped, and the next one still read', () => {
    // An A record claiming 5 bytes of rdata (dns-packet read 4 and went on from the 5th byte, so
    // the following record came out as garbage), then a good PTR.
    const head = [0, 0, 0x84, 0, 0, 0, 0, 2, 0, 0, 0, 0];
    const aName = [1, 120, 5, 108, 111, 99, 97, 108, 0];
    const bad = [...aName, 0, 1, 0, 1, 0, 0, 0, 120, 0, 5, 10, 0, 0, 1, 99];
    const good = [0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 120, 0, 2, 0xc0, 12];
    const result = decodePacket(new Uint8Array([...head, ...bad, ...good]));
    expect(result).toMatchObject({ ok: true, dropped: 1 });
    expect(result.ok && result.packet.answers).toEqual([
      { name: 'x.local', type: 'PTR', ttl: 120, flush: false, data: 'x.local' },
    ]);
  });

  it('never throws, whatever the bytes; what it accepts stays within the caps (property)', () => {
    const valid = encodePacket({
      ...emptyPacket('response'),
      answers: [
        { name: SERVICE, type: 'PTR', ttl: 4500, flush: false, data: `bob.${SERVICE}` },
        {
          name: `bob.${SERVICE}`,
          type: 'SRV',
          ttl: 120,
          flush: true,
          data: { target: 'h.local', port: 1, priority: 0, weight: 0 },
        },
        { name: `bob.${SERVICE}`, type: 'TXT', ttl: 4500, flush: true, data: [Buffer.from('a=b')] },
        { name: 'h.local', type: 'AAAA', ttl: 120, flush: true, data: 'fe80::1' },
      ],
    });
    const check = (bytes: Uint8Array) => {
      const result = decodePacket(bytes);
      if (!result.ok) return;
      const all = [...result.packet.answers, ...result.packet.authorities, ...result.packet.additionals];
      for (const r of all) {
        expect(r.name.length).toBeGreaterThan(0);
        expect(r.name.length).toBeLessThanOrEqual(255);
        expect(r.ttl).toBeLessThanOrEqual(4500);
        if (r.type === 'TXT') expect(r.data.reduce((n, b) => n + b.length + 1, 0)).toBeLessThanOrEqual(1300);
        if (r.type === 'AAAA') expect(ipv6Bytes(r.data)).toBeDefined();
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), check), { numRuns: 3000 });
    fc.assert(fc.property(mutated(valid, 6), check), { numRuns: 3000 });
  });
});
