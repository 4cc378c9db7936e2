// A clock for tests: time moves only when the test says so.
import type { Clock, TimerHandle } from '../../src/core/clock.js';

interface Timer {
  at: number;
  fn: () => void;
  every?: number;
}

export class FakeClock implements Clock {
  private time = 1_700_000_000_000;
  private readonly timers = new Map<TimerHandle, Timer>();

  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = {};
    this.timers.set(handle, { at: this.time + ms, fn });
    return handle;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle);
  }
  setInterval(fn: () => void, ms: number): TimerHandle {
    const handle = {};
    this.timers.set(handle, { at: this.time + ms, fn, every: ms });
    return handle;
  }
  clearInterval(handle: TimerHandle): void {
    this.timers.delete(handle);
  }
  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [TimerHandle, Timer] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      const [handle, timer] = next;
      this.time = timer.at;
      if (timer.every) timer.at += timer.every;
      else this.timers.delete(handle);
      timer.fn();
    }
    this.time = end;
  }
}
