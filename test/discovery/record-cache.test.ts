// RecordCache on its own: refresh points, expiry, goodbye grace, cache-flush grace, POOF.
import { describe, expect, it } from 'vitest';
import type { MdnsRecord } from '../../src/discovery/mdns-packet.js';
import { RecordCache } from '../../src/discovery/record-cache.js';

const a = (data: string, ttl = 100, flush = false): MdnsRecord => ({
  name: 'h.local',
  type: 'A',
  ttl,
  flush,
  data,
});

const ptr = (name: string, data: string, ttl = 4500): MdnsRecord => ({
  name,
  type: 'PTR',
  ttl,
  flush: false,
  data,
});

describe('RecordCache', () => {
  it('finds a PTR by its names, case-insensitively (§16), on its own link only; gone once removed', () => {
    const cache = new RecordCache(() => 0);
    const cached = cache.put('l4', ptr('_lanchat._tcp.local', 'Alice._lanchat._tcp.local'), 0);
    cache.put('l6', ptr('_lanchat._tcp.local', 'alice._lanchat._tcp.local'), 0);
    cache.put('l4', ptr('_other._tcp.local', 'alice._lanchat._tcp.local'), 0);
    expect(cache.get('l4', ptr('_LANCHAT._tcp.local', 'ALICE._lanchat._tcp.local'))).toBe(cached);
    expect(cache.get('l4', ptr('_lanchat._tcp.local', 'bob._lanchat._tcp.local'))).toBeUndefined();
    expect(cache.get('l9', ptr('_lanchat._tcp.local', 'alice._lanchat._tcp.local'))).toBeUndefined();
    expect(cache.get('l4', ptr('_other._tcp.local', 'alice._lanchat._tcp.local'))?.record.name).toBe(
      '_other._tcp.local',
    );
    // Expired: no longer found through the index either.
    cache.expire(4_500_001);
    expect(cache.get('l4', ptr('_lanchat._tcp.local', 'alice._lanchat._tcp.local'))).toBeUndefined();
  });

  it('refresh points at 80/85/90/95 % of the TTL, jittered by 0–2 %, each once', () => {
    for (const [r, extra] of [
      [0, 0],
      [0.999, 1.998],
    ] as const) {
      const cache = new RecordCache(() => r);
      cache.put('l', a('10.0.0.1'), 0);
      const fired: number[] = [];
      for (let t = 0; t <= 100_000; t += 1) if (cache.dueRefresh(t).length > 0) fired.push(t);
      expect(fired).toEqual([80, 85, 90, 95].map((p) => Math.ceil((p + extra) * 1000)));
    }
  });

  it('expires at 100 % of the TTL', () => {
    const cache = new RecordCache(() => 0);
    cache.put('l', a('10.0.0.1'), 0);
    expect(cache.expire(99_999)).toHaveLength(0);
    expect(cache.expire(100_000)).toHaveLength(1);
    expect(cache.size).toBe(0);
  });

  it('TTL 0 keeps the record one more second, marked as goodbye; unknown goodbyes are ignored', () => {
    const cache = new RecordCache(() => 0);
    cache.put('l', a('10.0.0.1'), 0);
    cache.put('l', a('10.0.0.1', 0), 5000);
    cache.put('l', a('10.0.0.2', 0), 5000);
    expect(cache.size).toBe(1);
    expect(cache.expire(5999)).toHaveLength(0);
    const [gone] = cache.expire(6000);
    expect(gone?.goodbye).toBe(true);
  });

  it('cache-flush: other members of the rrset older than 1 s expire 1 s later; newer ones stay', () => {
    const cache = new RecordCache(() => 0);
    cache.put('l', a('10.0.0.1'), 0);
    cache.put('l', a('10.0.0.2'), 1500);
    cache.put('other-link', a('10.0.0.3'), 0);
    const fresh = a('10.0.0.9', 100, true);
    cache.flushRrset('l', fresh, 2000);
    cache.put('l', fresh, 2000);
    expect(cache.expire(2999).map((e) => e.record)).toEqual([]);
    expect(cache.expire(3000).map((e) => e.record.type === 'A' && e.record.data)).toEqual(['10.0.0.1']);
    expect(cache.size).toBe(3);
  });

  it('POOF: two unanswered queries, then ten seconds without an answer, flush the record', () => {
    const cache = new RecordCache(() => 0);
    const e = cache.put('l', a('10.0.0.1'), 0)!;
    cache.noteUnanswered(e, 1000);
    expect(cache.expire(20_000)).toHaveLength(0); // one query is not enough
    cache.noteUnanswered(e, 20_000);
    expect(cache.expire(10_999)).toHaveLength(0);
    expect(cache.expire(11_000)).toHaveLength(1);
  });

  it('a POOF window that ended while the caller stood still starts again; TTL expiry does not wait', () => {
    const cache = new RecordCache(() => 0);
    const e = cache.put('l', a('10.0.0.1'), 0)!;
    const short = cache.put('l', { ...a('10.0.0.2'), ttl: 15 }, 0)!;
    for (const entry of [e, short]) {
      cache.noteUnanswered(entry, 1000);
      cache.noteUnanswered(entry, 2000);
    }
    expect(cache.expire(14_000, true)).toHaveLength(0); // e's window starts again at 14 s
    expect(cache.expire(15_000, true).map((x) => x.record)).toEqual([short.record]);
    expect(cache.expire(23_999)).toHaveLength(0);
    expect(cache.expire(24_000).map((x) => x.record)).toEqual([e.record]);
  });

  it('an answer resets POOF', () => {
    const cache = new RecordCache(() => 0);
    const e = cache.put('l', a('10.0.0.1'), 0)!;
    cache.noteUnanswered(e, 1000);
    cache.noteUnanswered(e, 2000);
    cache.put('l', a('10.0.0.1'), 5000);
    expect(cache.expire(11_000)).toHaveLength(0);
  });
});
