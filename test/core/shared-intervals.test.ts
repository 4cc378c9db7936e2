// sharingIntervals: intervals of one period on one timer (every link's heartbeat, shared-intervals.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { type Clock, systemClock, type TimerHandle } from '../../src/core/clock.js';
import { sharingIntervals } from '../../src/core/shared-intervals.js';
import { FakeClock } from './fake-clock.js';
import { NodeFixture, onlineIds, waitFor } from './node-fixture.js';

/** A FakeClock that tells which intervals are live underneath, and whether each keeps the
 * process alive. */
class SpyClock extends FakeClock {
  readonly live = new Map<TimerHandle, { ms: number; referenced: boolean; fire: () => void }>();

  override setInterval(fn: () => void, ms: number): TimerHandle {
    const inner = super.setInterval(fn, ms);
    const entry = { ms, referenced: true, fire: fn };
    const handle = Object.assign(inner, {
      ref: () => {
        entry.referenced = true;
      },
      unref: () => {
        entry.referenced = false;
      },
    });
    this.live.set(handle, entry);
    return handle;
  }

  override clearInterval(handle: TimerHandle): void {
    super.clearInterval(handle);
    this.live.delete(handle);
  }

  periods(): number[] {
    return [...this.live.values()].map((e) => e.ms).sort((a, b) => a - b);
  }
}

describe('sharingIntervals', () => {
  it('runs every interval of one period on one timer, each callback once per period', () => {
    const spy = new SpyClock();
    const clock: Clock = sharingIntervals(spy);
    const ticks = [0, 0, 0, 0];
    const handles = [0, 1, 2].map((i) => clock.setInterval(() => ticks[i]!++, 1000));
    clock.setInterval(() => ticks[3]!++, 250);
    expect(spy.periods()).toEqual([250, 1000]);
    spy.advance(3000);
    expect(ticks).toEqual([3, 3, 3, 12]);
    clock.clearInterval(handles[1]!);
    spy.advance(1000);
    expect(ticks).toEqual([4, 3, 4, 16]);
    clock.clearInterval(handles[0]!);
    clock.clearInterval(handles[2]!);
    expect(spy.periods()).toEqual([250]); // the last of a period gone: its timer too
    const again = clock.setInterval(() => ticks[0]!++, 1000);
    spy.advance(1000);
    expect(ticks[0]).toBe(5);
    clock.clearInterval(again);
    clock.clearInterval(again); // twice is harmless
    expect(spy.periods()).toEqual([250]);
  });

  it('an interval cleared by another callback of the same tick does not run', () => {
    const spy = new SpyClock();
    const clock = sharingIntervals(spy);
    let second = 0;
    let later: TimerHandle | undefined;
    clock.setInterval(() => later && clock.clearInterval(later), 1000);
    later = clock.setInterval(() => second++, 1000);
    spy.advance(2000);
    expect(second).toBe(0);
  });

  it('one callback that throws does not stop the others; its error still surfaces', () => {
    const spy = new SpyClock();
    const clock = sharingIntervals(spy);
    const ran: string[] = [];
    clock.setInterval(() => {
      ran.push('a');
      throw new Error('boom');
    }, 1000);
    clock.setInterval(() => ran.push('b'), 1000);
    const [shared] = [...spy.live.values()];
    expect(() => shared!.fire()).toThrow('boom');
    expect(ran).toEqual(['a', 'b']);
  });

  it('the shared timer keeps the process alive only while one of its intervals does', () => {
    const spy = new SpyClock();
    const clock = sharingIntervals(spy);
    const a = clock.setInterval(() => {}, 1000);
    const b = clock.setInterval(() => {}, 1000);
    const shared = () => [...spy.live.values()][0]!.referenced;
    expect(shared()).toBe(true);
    a.unref?.();
    expect(shared()).toBe(true);
    b.unref?.();
    expect(shared()).toBe(false);
    const c = clock.setInterval(() => {}, 1000);
    expect(shared()).toBe(true);
    clock.clearInterval(c);
    expect(shared()).toBe(false);
  });
});

describe('node: every link heartbeat on one timer', () => {
  let fx: NodeFixture | undefined;
  afterEach(async () => {
    await fx?.destroy();
  });

  it('a node linked to three peers runs one heartbeat timer, not three', async () => {
    fx = new NodeFixture();
    const live = new Map<TimerHandle, number>();
    const watching: Clock = {
      ...systemClock,
      setInterval: (fn, ms) => {
        const handle = systemClock.setInterval(fn, ms);
        live.set(handle, ms);
        return handle;
      },
      clearInterval: (handle) => {
        live.delete(handle);
        systemClock.clearInterval(handle);
      },
    };
    const hub = await fx.start('hub', { clock: watching });
    const before = [...live.values()];
    for (const name of ['ann', 'ben', 'cat']) await fx.start(name);
    await waitFor('linked to all three', () => onlineIds(hub).length === 3);
    const added = [...live.values()];
    for (const ms of before) added.splice(added.indexOf(ms), 1);
    expect(added).toHaveLength(1); // the links' shared tick
  });
});
