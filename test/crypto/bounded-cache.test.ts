// The caches of public-key work (conversions, OpenSSL imports) must stay bounded whatever keys
// peers present, and drop the oldest entry first.
import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/crypto/bounded-cache.js';

describe('BoundedCache', () => {
  it('never holds more than its capacity, dropping the oldest insertion first', () => {
    const cache = new BoundedCache<string, number>(3);
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, i);
    expect(cache.size).toBe(3);
    expect(cache.get('k6')).toBeUndefined();
    expect([cache.get('k7'), cache.get('k8'), cache.get('k9')]).toEqual([7, 8, 9]);
  });

  it('replaces a present key in place without evicting another', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    expect(cache.size).toBe(2);
    expect([cache.get('a'), cache.get('b')]).toEqual([3, 2]);
  });

  it('has() tells a key stored with an undefined value; drain() empties it, oldest first', () => {
    const cache = new BoundedCache<string, number | undefined>(3);
    cache.set('a', undefined);
    cache.set('b', 2);
    expect([cache.has('a'), cache.has('z')]).toEqual([true, false]);
    expect(cache.drain()).toEqual([
      ['a', undefined],
      ['b', 2],
    ]);
    expect(cache.size).toBe(0);
    expect(cache.has('a')).toBe(false);
  });

  it('refuses a capacity that could not hold anything', () => {
    expect(() => new BoundedCache(0)).toThrow(RangeError);
    expect(() => new BoundedCache(1.5)).toThrow(RangeError);
  });
});
