import { SocketAddress } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv6Bytes } from '../../src/discovery/ip-address.js';
import {
  canonicalAddress,
  classifyAddress,
  hostAddress,
  policyProblem,
} from '../../src/protocol/address-policy.js';
import { formatIp, parseIp } from '../../src/protocol/ip-literal.js';

describe('ip literals', () => {
  it('round-trips IPv4 and IPv6 to their canonical form', () => {
    expect(canonicalAddress('10.1.2.3')).toBe('10.1.2.3');
    expect(canonicalAddress('FD13:00BF:0001:0000:0000:0000:0000:0001')).toBe('fd13:bf:1::1');
    expect(canonicalAddress('fe80::1%eth0')).toBe('fe80::1%eth0');
    expect(canonicalAddress('::ffff:10.0.0.1')).toBe('::ffff:a00:1');
    expect(formatIp(parseIp('1:0:0:1:0:0:0:1')!.bytes)).toBe('1:0:0:1::1');
    expect(formatIp(parseIp('1:0:1:1:1:1:1:1')!.bytes)).toBe('1:0:1:1:1:1:1:1');
  });

  it('refuses what is not an address', () => {
    for (const bad of [
      '',
      '10.1.2',
      '010.1.2.3',
      '256.1.1.1',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      'host.example',
      'g::1',
      'fe80::1%a b',
      '1.2.3.4 ',
      `${'1'.repeat(70)}`,
    ]) {
      expect(parseIp(bad), bad).toBeUndefined();
    }
  });
});

describe('address policy', () => {
  it.each([
    ['10.213.5.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.20', 'private'],
    ['100.64.0.7', 'private'],
    ['169.254.3.4', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['fd13:1::5', 'private'],
    ['fe80::1', 'link-local'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['ff02::fb', 'multicast'],
    ['2001:db8::1', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:192.168.0.1', 'private'],
    ['nonsense', 'invalid'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('allows private unicast only, and link-local only when asked', () => {
    expect(policyProblem('10.0.0.1', { allowLinkLocal: false })).toBeUndefined();
    expect(policyProblem('fd00::1', { allowLinkLocal: false })).toBeUndefined();
    expect(policyProblem('fe80::1', { allowLinkLocal: false })).toMatch(/link-local/);
    expect(policyProblem('fe80::1', { allowLinkLocal: true })).toBeUndefined();
    expect(policyProblem('8.8.8.8', { allowLinkLocal: true })).toMatch(/public/);
    expect(policyProblem('224.0.0.251', { allowLinkLocal: true })).toMatch(/multicast/);
    expect(policyProblem('127.0.0.1', { allowLinkLocal: true })).toMatch(/loopback/);
  });
});

describe('hostAddress', () => {
  it('names an IPv4-mapped IPv6 address as its IPv4 host, and anything else canonically', () => {
    expect(hostAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(hostAddress('::FFFF:a00:1')).toBe('10.0.0.1');
    expect(hostAddress('10.0.0.1')).toBe('10.0.0.1');
    expect(hostAddress('FD00:0::1')).toBe('fd00::1');
    expect(hostAddress('::1:ffff:a00:1')).toBe('::1:ffff:a00:1');
    expect(hostAddress('nonsense')).toBeUndefined();
  });
});

describe('formatIp (IPv6 text of mDNS AAAA records)', () => {
  it('prints what Node prints (RFC 5952) and reads back to the same bytes (property)', () => {
    const groups = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 8,
      maxLength: 8,
    });
    fc.assert(
      fc.property(groups, (g) => {
        const bytes = new Uint8Array(g.flatMap((w) => [w >> 8, w & 0xff]));
        const text = formatIp(bytes);
        expect([...(ipv6Bytes(text) ?? [])]).toEqual([...bytes]);
        const full = g.map((w) => w.toString(16)).join(':');
        // The WHATWG URL serializer follows RFC 5952 without dotted tails: every address.
        expect(text).toBe(new URL(`http://[${full}]/`).hostname.slice(1, -1));
        // inet_ntop writes IPv4-compatible and -mapped addresses with a dotted tail; we do not.
        if (g.slice(0, 5).every((w) => w === 0) && (g[5] === 0 || g[5] === 0xffff)) return;
        expect(text).toBe(new SocketAddress({ address: full, family: 'ipv6' }).address);
      }),
      { numRuns: 2000 },
    );
  });

  it('prints IPv4 as a dotted quad, and nothing but 4 or 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        expect(formatIp(b)).toBe([...b].join('.'));
      }),
    );
    expect(() => formatIp(new Uint8Array(5))).toThrow(RangeError);
  });
});
