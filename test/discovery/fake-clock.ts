// A deterministic clock for RFC 6762 timing tests: timers run in time order as `advance` moves
// the clock forward; nothing sleeps.
import type { Clock, TimerHandle } from '../../src/discovery/clock.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private time = 0;
  private nextId = 1;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.time + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** The event loop stands still for `ms`: time moves and no timer runs. The next `advance` runs
   * the overdue ones first, late, as Node does after a stall before it reads any socket. */
  stall(ms: number): void {
    this.time += ms;
  }

  /** Runs every timer due up to now + ms, in order (timers they add included). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at); // an overdue timer (see stall) runs late, not back in time
      due.fn();
    }
    this.time = end;
    await flushMicrotasks();
  }
}

export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A deterministic "random" source cycling through given values (default: always 0.5). */
export function sequenceRandom(values: number[] = [0.5]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0.5;
}
