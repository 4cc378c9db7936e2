// The hand-written address scanner (ip-address.ts) must accept exactly what node:net accepts and
// produce the same bytes as the straightforward split-and-expand it replaced: a disagreement would
// change which packets pass the §11 on-link check and which A/AAAA records the guard keeps.
import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ipv4Bytes, ipv6Bytes, isLinkLocalV6, stripScope } from '../../src/discovery/ip-address.js';

/** The previous implementation, kept as the oracle: node:net validates, split/map converts. */
function referenceV4(text: string): number[] | undefined {
  return isIPv4(text) ? text.split('.').map(Number) : undefined;
}

function referenceV6(text: string): number[] | undefined {
  const bare = stripScope(text);
  if (!isIPv6(bare)) return undefined;
  let head = bare;
  let tail4: number[] = [];
  const lastColon = bare.lastIndexOf(':');
  const maybeV4 = bare.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = referenceV4(maybeV4);
    if (!v4) return undefined;
    tail4 = v4;
    head = `${bare.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups =
    right === undefined ? leftGroups : [...leftGroups, ...Array(missing).fill('0'), ...rightGroups];
  if (groups.length !== 8) return undefined;
  const out: number[] = [];
  for (const g of groups) {
    const v = Number.parseInt(g, 16);
    out.push(v >> 8, v & 0xff);
  }
  if (tail4.length === 4) out.splice(12, 4, ...tail4);
  return out;
}

function agree(text: string): void {
  const v4 = ipv4Bytes(text);
  expect(v4 === undefined ? undefined : [...v4], `ipv4Bytes(${JSON.stringify(text)})`).toEqual(
    referenceV4(text),
  );
  const v6 = ipv6Bytes(text);
  expect(v6 === undefined ? undefined : [...v6], `ipv6Bytes(${JSON.stringify(text)})`).toEqual(
    referenceV6(text),
  );
}

/** Deterministic PRNG (mulberry32), so a failure names an input that reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HAND_PICKED = [
  // IPv4
  '0.0.0.0',
  '255.255.255.255',
  '192.168.1.20',
  '256.1.1.1',
  '01.2.3.4',
  '1.2.3.04',
  '1.2.3',
  '1.2.3.4.5',
  '1..2.3',
  '1.2.3.4 ',
  ' 1.2.3.4',
  '0x1.2.3.4',
  '1.2.3.-4',
  '',
  '.',
  // IPv6
  '::',
  '::1',
  '1::',
  ':::',
  ':1::',
  '1::2:',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7',
  '1:2:3:4:5:6:7::',
  '::1:2:3:4:5:6:7',
  '1::2:3:4:5:6:7:8',
  '1::2::3',
  'fe80::1',
  'FE80::ABCD:ef01',
  'fe80::1%eth0',
  'fe80::1%',
  'fe80::1%a b',
  'fe80::1%eth0%x',
  '%eth0',
  'fe80::g',
  '12345::',
  '0000:0000:0000:0000:0000:0000:0000:0001',
  '00000::1',
  '2001:db8::',
  // Embedded IPv4
  '::ffff:1.2.3.4',
  '::ffff:01.2.3.4',
  '::1.2.3.4',
  '1::1.2.3.4',
  '1:2:3:4:5:6:1.2.3.4',
  '1:2:3:4:5::1.2.3.4',
  '1:2:3:4:5:6::1.2.3.4',
  '1:2:3:4:5:6:7:1.2.3.4',
  '1.2.3.4::',
  '::1.2.3.4:1',
  '::1.2.3',
  '::256.1.1.1',
  '::a.b.c.d',
  '::ffff:1.2.3.4%eth0',
  'not an address',
];

describe('address scanner agrees with node:net', () => {
  it('on hand-picked valid and invalid inputs (::, zones, embedded IPv4, bad or too many groups)', () => {
    for (const text of HAND_PICKED) agree(text);
    // The oracle must see both outcomes, or agreement would prove little.
    expect(HAND_PICKED.filter((t) => referenceV6(t)).length).toBeGreaterThan(15);
    expect(HAND_PICKED.filter((t) => !referenceV6(t) && !referenceV4(t)).length).toBeGreaterThan(15);
  });

  it('on generated addresses: every group count, :: position, IPv4 tail and a random defect', () => {
    const random = prng(6762);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const hexGroup = () => {
      const digits = 1 + Math.floor(random() * 5); // 5 digits: one too many
      let g = '';
      for (let i = 0; i < digits; i++) g += pick([...'0123456789abcdefABCDEF']);
      return g;
    };
    const decimal = () => pick(['0', '7', '10', '99', '100', '255', '256', '00', '010', '1000']);
    let valid = 0;
    for (let n = 0; n < 20_000; n++) {
      const count = Math.floor(random() * 10);
      const groups = Array.from({ length: count }, hexGroup);
      if (random() < 0.3) groups.push([decimal(), decimal(), decimal(), decimal()].join('.'));
      let text = groups.join(':');
      if (random() < 0.6) {
        const at = Math.floor(random() * (groups.length + 1));
        text = [...groups.slice(0, at), '', ...groups.slice(at)].join(':');
        if (at === 0) text = `:${text}`;
        if (at === groups.length) text = `${text}:`;
      }
      if (random() < 0.1) text += pick(['%eth0', '%', '%2', '%a b']);
      if (random() < 0.1) {
        const i = Math.floor(random() * (text.length + 1));
        text = text.slice(0, i) + pick([':', '.', 'g', ' ', '::', '1']) + text.slice(i);
      }
      agree(text);
      if (referenceV6(text)) valid++;
    }
    expect(valid).toBeGreaterThan(1000);
  });

  it('on random strings of address characters', () => {
    const random = prng(13);
    const alphabet = '0123456789abcdefABCDEF::::....%';
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = Math.floor(random() * 24);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      agree(text);
    }
  });

  it('tells link-local IPv6 (fe80::/10) from the rest', () => {
    expect(isLinkLocalV6('fe80::1%eth0')).toBe(true);
    expect(isLinkLocalV6('febf::1')).toBe(true);
    expect(isLinkLocalV6('fec0::1')).toBe(false);
    expect(isLinkLocalV6('2001:db8::1')).toBe(false);
    expect(isLinkLocalV6('fe80::zz')).toBe(false);
  });
});
