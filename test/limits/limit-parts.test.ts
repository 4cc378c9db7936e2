// The small parts the limits are built from, on their own: the half-open counter and the gate
// that keeps a flood from becoming a flood of warnings.
import { describe, expect, it } from 'vitest';
import { HalfOpenCaps } from '../../src/connection/half-open-caps.js';
import { WarningGate } from '../../src/core/warning-gate.js';
import { FakeClock } from '../core/fake-clock.js';

describe('HalfOpenCaps', () => {
  it('caps per address and in total; a release frees exactly one slot, however often it is called', () => {
    const caps = new HalfOpenCaps({ perAddress: 2, total: 3 });
    const a1 = caps.acquire('a');
    const a2 = caps.acquire('a');
    expect(caps.acquire('a')).toEqual({ refused: 'address-full', limit: 2 });
    const b1 = caps.acquire('b');
    expect(caps.acquire('c')).toEqual({ refused: 'full', limit: 3 });
    if (!('release' in a1) || !('release' in a2) || !('release' in b1)) throw new Error('expected slots');
    a1.release();
    a1.release();
    expect(caps.total).toBe(2);
    expect(caps.from('a')).toBe(1);
    expect('release' in caps.acquire('c')).toBe(true);
    expect(caps.acquire('d')).toEqual({ refused: 'full', limit: 3 });
  });
});

describe('WarningGate', () => {
  function gateWithLog(intervalMs = 1_000) {
    const clock = new FakeClock();
    const gate = new WarningGate(clock, intervalMs);
    const shown: [number, string][] = [];
    const t0 = clock.now();
    const pass = (key: string, message: string) =>
      gate.pass(key, message, (text) => shown.push([clock.now() - t0, text]));
    return { clock, gate, shown, pass };
  }

  it('shows a key once per interval; the repeats swallowed are shown in one line when it ends', () => {
    const { clock, shown, pass } = gateWithLog();
    pass('x', 'first');
    pass('x', 'again 1');
    clock.advance(300);
    pass('x', 'again 2');
    pass('x', 'again 3');
    pass('y', 'other key');
    expect(shown).toEqual([
      [0, 'first'],
      [300, 'other key'],
    ]);
    clock.advance(699);
    expect(shown).toHaveLength(2);
    clock.advance(1); // x's interval ends: its last repeat, with the count of the others
    expect(shown.at(-1)).toEqual([1_000, 'again 3 (and 2 more like it in the last 1 s)']);
    // That line starts x's next interval: a flood that goes on shows one line per interval.
    pass('x', 'again 4');
    clock.advance(999);
    pass('x', 'again 5');
    expect(shown).toHaveLength(3);
    clock.advance(1);
    expect(shown.at(-1)).toEqual([2_000, 'again 5 (and 1 more like it in the last 1 s)']);
    clock.advance(5_000); // nothing swallowed in that interval: nothing more shown
    expect(shown).toHaveLength(4);
    pass('x', 'much later');
    expect(shown.at(-1)).toEqual([7_000, 'much later']);
  });

  it('a single repeat is shown as it was, when its interval ends', () => {
    const { clock, shown, pass } = gateWithLog(60_000);
    pass('x', 'first');
    clock.advance(10_000);
    pass('x', 'second');
    clock.advance(50_000);
    expect(shown.map(([, text]) => text)).toEqual(['first', 'second']);
  });

  it('says "minute" for the default interval', () => {
    const { clock, shown, pass } = gateWithLog(60_000);
    for (let i = 0; i < 300; i++) pass('impersonation bob', `key ${i} claims bob`);
    clock.advance(60_000);
    expect(shown.map(([, text]) => text)).toEqual([
      'key 0 claims bob',
      'key 299 claims bob (and 298 more like it in the last minute)',
    ]);
  });

  it('a repeat that comes after the interval, before its late summary timer ran, loses no count', () => {
    const { clock, shown, pass } = gateWithLog();
    pass('x', 'first');
    pass('x', 'again 1');
    pass('x', 'again 2');
    // The loop was busy: time is past the interval, the summary's timer has not fired yet.
    (clock as unknown as { time: number }).time += 1_500;
    pass('x', 'again 3');
    expect(shown.map(([, text]) => text)).toEqual(['first', 'again 2 (and 1 more like it in the last 1 s)']);
    clock.advance(1_000); // 'again 3' is the next interval's repeat
    expect(shown.at(-1)?.[1]).toBe('again 3');
  });

  it('shows nothing more once closed (the node stops)', () => {
    const { clock, gate, shown, pass } = gateWithLog();
    pass('x', 'first');
    pass('x', 'again');
    gate.close();
    clock.advance(5_000);
    pass('x', 'after close');
    expect(shown.map(([, text]) => text)).toEqual(['first']);
  });

  it('a flood of keys is bounded: the oldest key goes, its swallowed repeats shown at once', () => {
    const { clock, shown, pass } = gateWithLog();
    pass('k0', 'k0 first');
    pass('k0', 'k0 again');
    for (let i = 1; i <= 256; i++) pass(`k${i}`, `k${i} first`);
    expect(shown.map(([, text]) => text)).toContain('k0 again');
    expect((clock as unknown as { timers: Map<unknown, unknown> }).timers.size).toBe(0); // k0's timer went with it
  });
});
