// Refusals (refusals.ts): what each end remembers of a link turned away for who is at the other end.
import { describe, expect, it } from 'vitest';
import { PeerTable } from '../../src/core/peer-table.js';
import { MAX_REFUSED, REFUSED_RETRY_MS, Refusals } from '../../src/core/refusals.js';
import type { PeerHint } from '../../src/discovery/discovery.js';
import { FakeClock } from './fake-clock.js';

const hint = (port: number): PeerHint => ({
  publicKey: 'AA',
  nick: '',
  addresses: ['10.0.0.9'],
  port,
  source: 'remembered',
});

describe('Refusals', () => {
  it('warns once per identity; a trust change hands back those it lets in, with their addresses', () => {
    const r = new Refusals(new FakeClock());
    expect(r.weRefused('a', 'bob', hint(1))).toBe(true);
    expect(r.weRefused('a', 'bob', undefined)).toBe(false); // our own dial refused: the address stays
    expect(r.weRefused('b', 'bob', undefined)).toBe(true);
    expect(r.weRefused('c', 'carol', undefined)).toBe(true);
    expect(r.weRefuse('a')).toBe(true);
    r.admitted('b');
    expect(r.weRefuse('b')).toBe(false);
    // /forget bob: claimants of "bob" may come in; carol's impostor is still refused, kept, not told again.
    expect(r.trustChanged((_id, nick) => nick === 'bob')).toEqual([{ id: 'a', dialBack: hint(1) }]);
    expect(r.weRefuse('a')).toBe(false);
    expect(r.weRefuse('c')).toBe(true);
    expect(r.weRefused('c', 'carol', undefined)).toBe(false);
    expect(r.weRefused('a', 'bob', undefined)).toBe(true); // refused again after the change: told again
  });

  it('keeps at most MAX_REFUSED identities (a peer cycling through fresh keys), the newest', () => {
    const r = new Refusals(new FakeClock());
    for (let i = 0; i < MAX_REFUSED + 50; i++) r.weRefused(`k${i}`, 'bob', hint(i));
    const kept = r.trustChanged(() => true);
    expect(kept).toHaveLength(MAX_REFUSED);
    expect(kept[0]!.id).toBe('k50');
    expect(kept.at(-1)!.id).toBe(`k${MAX_REFUSED + 49}`);
  });

  it('leaves a peer that refused us alone for REFUSED_RETRY_MS, unless cleared', () => {
    const clock = new FakeClock();
    const r = new Refusals(clock);
    const peer = new PeerTable().getOrCreate('p', new Uint8Array(32), 'p');
    expect(r.mayDial(peer)).toBe(true);
    r.theyRefused(peer);
    clock.advance(REFUSED_RETRY_MS - 1);
    expect(r.mayDial(peer)).toBe(false);
    clock.advance(1);
    expect(r.mayDial(peer)).toBe(true);
    r.theyRefused(peer);
    expect(r.cleared(peer)).toBe(true);
    expect(r.mayDial(peer)).toBe(true);
    expect(r.cleared(peer)).toBe(false);
  });
});
