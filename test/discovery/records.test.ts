// Pure naming and record logic: RFC 6763 §4 names, §6 TXT, RFC 6762 §9 renaming, §8.2 ordering.
import { describe, expect, it } from 'vitest';
import {
  hostNameFor,
  instanceLabel,
  labelOfInstance,
  nextInstanceLabel,
  nickOfLabel,
} from '../../src/discovery/mdns-names.js';
import type { MdnsRecord } from '../../src/discovery/mdns-packet.js';
import { ownRecords } from '../../src/discovery/own-records.js';
import { compareRecordSets } from '../../src/discovery/record-order.js';
import { encodeTxt, parseTxt } from '../../src/discovery/txt-record.js';
import { b64, keyOf } from './mdns-kit.js';

describe('names', () => {
  it('cuts the instance label to 63 UTF-8 bytes at a character boundary', () => {
    const label = instanceLabel('é'.repeat(40)); // 2 bytes each
    expect(Buffer.byteLength(label)).toBe(62);
    const emoji = instanceLabel('😀'.repeat(20)); // 4 bytes each, surrogate pairs in JS
    expect(Buffer.byteLength(emoji)).toBe(60);
    expect(emoji).toBe('😀'.repeat(15));
  });

  it('publishes dots as a look-alike (dns-packet cannot escape them) and maps them back', () => {
    const label = instanceLabel('j.r.r. tolkien');
    expect(label).not.toContain('.');
    expect(nickOfLabel(label)).toBe('j.r.r. tolkien');
  });

  it('renames alice → alice (2) → alice (3), staying within 63 bytes', () => {
    expect(nextInstanceLabel('alice')).toBe('alice (2)');
    expect(nextInstanceLabel('alice (2)')).toBe('alice (3)');
    expect(nextInstanceLabel('alice (9)')).toBe('alice (10)');
    const long = nextInstanceLabel('x'.repeat(63));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(long.endsWith(' (2)')).toBe(true);
  });

  it('host name from the key, never the machine name', () => {
    expect(hostNameFor(keyOf(1))).toMatch(/^lanchat-[0-9a-f]{8}\.local$/);
    expect(hostNameFor(keyOf(1), 2)).toMatch(/^lanchat-[0-9a-f]{8}-2\.local$/);
    expect(hostNameFor(keyOf(1))).not.toBe(hostNameFor(keyOf(2)));
  });

  it('instance labels are recognised case-insensitively', () => {
    expect(labelOfInstance('Bob._LANCHAT._tcp.local')).toBe('Bob');
    expect(labelOfInstance('bob._http._tcp.local')).toBeUndefined();
    expect(labelOfInstance('_lanchat._tcp.local')).toBeUndefined();
  });
});

describe('TXT', () => {
  it('round-trips v, pk and net in well under 200 bytes', () => {
    const txt = encodeTxt({ publicKey: b64(3), networkTag: '0123456789abcdef' });
    expect(txt.reduce((n, e) => n + e.length + 1, 0)).toBeLessThanOrEqual(200);
    expect(parseTxt(txt)).toEqual({ publicKey: b64(3), networkTag: '0123456789abcdef' });
  });

  it('rejects other versions, bad keys, missing fields; first occurrence of a key wins', () => {
    const enc = (...s: string[]) => s.map((x) => new Uint8Array(Buffer.from(x)));
    expect(parseTxt(enc('v=2', `pk=${b64(3)}`, 'net=x'))).toBeUndefined();
    expect(parseTxt(enc('v=1', 'pk=AAAA', 'net=x'))).toBeUndefined();
    expect(parseTxt(enc('v=1', `pk=${b64(3)}`))).toBeUndefined();
    expect(parseTxt(enc('V=1', `pk=${b64(3)}`, 'net=a', 'net=b'))).toEqual({
      publicKey: b64(3),
      networkTag: 'a',
    });
  });
});

describe('own records', () => {
  it('PTR shared 4500 s; SRV 120 s, TXT 4500 s, A/AAAA 120 s unique with cache-flush', () => {
    const set = ownRecords({ label: 'alice', host: 'h.local', port: 7475, txt: [] }, [
      '10.0.0.1',
      'fe80::1%eth0',
    ]);
    expect(set.ptr).toMatchObject({ ttl: 4500, flush: false });
    expect(set.srv).toMatchObject({ ttl: 120, flush: true, data: { target: 'h.local', port: 7475 } });
    expect(set.txt).toMatchObject({ ttl: 4500, flush: true });
    expect(set.addresses).toEqual([
      { name: 'h.local', type: 'A', ttl: 120, flush: true, data: '10.0.0.1' },
      { name: 'h.local', type: 'AAAA', ttl: 120, flush: true, data: 'fe80::1' },
    ]);
  });
});

describe('§8.2 record set ordering', () => {
  const srv = (port: number): MdnsRecord => ({
    name: 'a',
    type: 'SRV',
    ttl: 120,
    flush: true,
    data: { target: 'h.local', port, priority: 0, weight: 0 },
  });
  const txt = (s: string): MdnsRecord => ({
    name: 'a',
    type: 'TXT',
    ttl: 1,
    flush: true,
    data: [Buffer.from(s)],
  });

  it('compares type first, then rdata bytes; a prefix set is earlier', () => {
    expect(compareRecordSets([srv(1)], [srv(2)])).toBeLessThan(0);
    expect(compareRecordSets([srv(2)], [srv(1)])).toBeGreaterThan(0);
    expect(compareRecordSets([srv(1), txt('a')], [srv(1), txt('a')])).toBe(0);
    expect(compareRecordSets([txt('z')], [srv(1)])).toBeLessThan(0); // TXT (16) < SRV (33)
    expect(compareRecordSets([srv(1)], [srv(1), txt('a')])).toBeGreaterThan(0); // sorted: theirs starts with TXT
    expect(compareRecordSets([txt('a')], [txt('a'), srv(1)])).toBeLessThan(0);
  });
});
