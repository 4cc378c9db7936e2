import { describe, expect, it } from 'vitest';
import { newRandomId, newTimeOrderedId } from '../../src/core/new-ids.js';

const PROTOCOL_ID = /^[A-Za-z0-9_-]{8,64}$/; // what peers accept for message and transfer ids

describe('new ids', () => {
  it('are unique, protocol-safe, and carry 80 random bits after the clock, across pool refills', () => {
    const now = 1_764_000_000_000;
    const ids = Array.from({ length: 10_000 }, () => newTimeOrderedId(now)); // ≈ 25 refills
    expect(new Set(ids).size).toBe(ids.length);
    const ones = new Array<number>(80).fill(0);
    for (const id of ids) {
      expect(id).toMatch(PROTOCOL_ID);
      expect(id).toHaveLength(22);
      expect(id.slice(0, 8)).toBe(ids[0]!.slice(0, 8)); // same millisecond, same prefix
      const random = Buffer.from(id.slice(8), 'base64url');
      expect(random).toHaveLength(10);
      for (let bit = 0; bit < 80; bit++) ones[bit]! += (random[bit >> 3]! >> (bit & 7)) & 1;
    }
    // Each random bit is set about half the time: not a counter, not a repeated block.
    for (const count of ones) expect(Math.abs(count / ids.length - 0.5)).toBeLessThan(0.1);
  });

  it('sort bytewise in clock order, as SQLite compares text', () => {
    const times = [
      0,
      1,
      63,
      64,
      4095,
      4096,
      1_700_000_000_000,
      1_764_000_000_000,
      1_764_000_000_001,
      2 ** 48 - 1,
    ];
    const ids = times.map((t) => newTimeOrderedId(t));
    const bytewise = [...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(bytewise).toEqual(ids);
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(times.length);
  });

  it('random ids (transfers) are unique down to the 8 characters people type', () => {
    const ids = Array.from({ length: 10_000 }, () => newRandomId());
    for (const id of ids) {
      expect(id).toMatch(PROTOCOL_ID);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
    expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(ids.length);
    // Not clock-shaped: the first character varies.
    expect(new Set(ids.map((id) => id[0])).size).toBeGreaterThan(32);
  });
});
