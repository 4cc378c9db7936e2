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
  it('passes a key once per interval and counts what it swallowed', () => {
    const clock = new FakeClock();
    const gate = new WarningGate(clock, 1_000);
    expect(gate.pass('x', 'first')).toBe('first');
    expect(gate.pass('x', 'again')).toBeUndefined();
    expect(gate.pass('x', 'again')).toBeUndefined();
    expect(gate.pass('y', 'other key')).toBe('other key');
    clock.advance(1_000);
    expect(gate.pass('x', 'later')).toBe('later (2 more like it not shown)');
    expect(gate.pass('x', 'again')).toBeUndefined();
  });
});
