// Dials per address: a burst, then a steady rate, per host (an address with or without its IPv6
// scope is one host), and other hosts are not affected.
import { describe, expect, it } from 'vitest';
import { DialBudget } from '../../src/core/dial-budget.js';
import { FakeClock } from './fake-clock.js';

describe('DialBudget', () => {
  it('allows a burst per host, then the steady rate, and leaves other hosts alone', () => {
    const clock = new FakeClock();
    const budget = new DialBudget(clock, { burst: 3, perSecond: 2 });
    const taken = () => [1, 2, 3, 4].filter(() => budget.tryTake('fe80::1%eth0')).length;
    expect(taken()).toBe(3);
    expect(budget.tryTake('fe80::1%2')).toBe(false); // the same host under another scope
    expect(budget.tryTake('10.0.0.2')).toBe(true);
    clock.advance(500);
    expect(budget.tryTake('fe80::1')).toBe(true);
    expect(budget.tryTake('fe80::1')).toBe(false);
    clock.advance(10_000);
    expect(taken()).toBe(3); // refilled to the burst, not beyond
  });
});
