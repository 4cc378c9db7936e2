// What the wire encoder's and decoder's tests and the decode benchmark build packets from: names
// that share suffixes in every way (so that compression points at every kind of offset), records
// of our types, a floor's browse, and mutations of a valid datagram.
import fc from 'fast-check';
import type { MdnsRecord } from '../../src/discovery/mdns-packet.js';
import { formatIp } from '../../src/protocol/ip-literal.js';

export const SERVICE = '_lanchat._tcp.local';

export const label = fc
  .string({ minLength: 1, maxLength: 12, unit: 'grapheme' })
  .filter((s) => !s.includes('.') && Buffer.byteLength(s) <= 63);

export const name = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('local', SERVICE))
  .map(([labels, tail]) => `${labels.join('.')}.${tail}`);

const ttl = fc.integer({ min: 0, max: 4500 });
const u16 = fc.integer({ min: 0, max: 65535 });

export const ptrRecord: fc.Arbitrary<MdnsRecord> = fc.record({
  name,
  ttl,
  flush: fc.boolean(),
  type: fc.constant('PTR' as const),
  data: name,
});

export const aRecord: fc.Arbitrary<MdnsRecord> = fc.record({
  name,
  ttl,
  flush: fc.boolean(),
  type: fc.constant('A' as const),
  data: fc.ipV4(),
});

/** AAAA in our own text form (RFC 5952, as the decoder writes it). */
export const aaaaRecord: fc.Arbitrary<MdnsRecord> = fc.record({
  name,
  ttl,
  flush: fc.boolean(),
  type: fc.constant('AAAA' as const),
  data: fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIp),
});

export const srvRecord: fc.Arbitrary<MdnsRecord> = fc.record({
  name,
  ttl,
  flush: fc.boolean(),
  type: fc.constant('SRV' as const),
  data: fc.record({ target: name, port: u16, priority: u16, weight: u16 }),
});

/** `empty`: TXT records with no strings and empty strings too. */
export function txtRecord(empty: boolean): fc.Arbitrary<MdnsRecord> {
  const minLength = empty ? 0 : 1;
  return fc.record({
    name,
    ttl,
    flush: fc.boolean(),
    type: fc.constant('TXT' as const),
    data: fc.array(fc.uint8Array({ minLength, maxLength: 40 }), { minLength, maxLength: 5 }),
  });
}

/** The known answers of a floor of `n`: one PTR per peer, all pointing into the service name. */
export function knownPtrs(n: number): MdnsRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    name: SERVICE,
    type: 'PTR' as const,
    ttl: 4500,
    flush: false,
    data: `user${i} on host-${i}.${SERVICE}`,
  }));
}

/** `valid` with up to `maxFlips` bytes overwritten, then cut short (never below a header). */
export function mutated(valid: Buffer, maxFlips: number): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: maxFlips,
      }),
      fc.nat(valid.length),
    )
    .map(([flips, cut]) => {
      const bytes = Buffer.from(valid);
      for (const [at, value] of flips) bytes[at] = value;
      return bytes.subarray(0, Math.max(12, cut));
    });
}
