import { describe, expect, it } from 'vitest';
import { OwnPresence, type PresenceSnapshot } from '../../src/core/presence.js';
import { FakeClock } from './fake-clock.js';

describe('own presence and auto-away (fake clock)', () => {
  it('goes away after the idle time, and comes back on input', () => {
    const clock = new FakeClock();
    const changes: PresenceSnapshot[] = [];
    const presence = new OwnPresence(clock, 10 * 60_000, (s) => changes.push(s));
    presence.start();
    clock.advance(9 * 60_000);
    presence.activity(); // input resets the idle timer
    clock.advance(9 * 60_000);
    expect(changes).toEqual([]);
    clock.advance(60_000 + 1);
    expect(changes).toEqual([{ presence: 'away', status: 'idle', auto: true }]);
    presence.activity();
    expect(changes.at(-1)).toEqual({ presence: 'online', status: '', auto: false });
  });

  it('never turns a chosen away or busy into online, and auto-away can be off', () => {
    const clock = new FakeClock();
    const changes: PresenceSnapshot[] = [];
    const presence = new OwnPresence(clock, 60_000, (s) => changes.push(s));
    presence.start();
    presence.set('busy', 'in a meeting');
    clock.advance(10 * 60_000);
    presence.activity();
    expect(presence.current).toEqual({ presence: 'busy', status: 'in a meeting', auto: false });
    presence.set('online', '');
    clock.advance(60_001);
    expect(presence.current.presence).toBe('away');

    const off = new OwnPresence(clock, 0, (s) => changes.push(s));
    off.start();
    clock.advance(24 * 3600_000);
    expect(off.current.presence).toBe('online');
  });
});
