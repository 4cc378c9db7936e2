// Time and randomness are injected into every timing-sensitive part of the responder and querier
// so that tests drive RFC 6762 timings (250 ms probes, 1 s announcements, 20–120 ms delays) with a
// fake clock instead of sleeping.

export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  /** Milliseconds, monotonic enough for TTL arithmetic. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Runs `fn` once the current macrotask (and its microtasks) is done, before further I/O is
   * handled as far as possible (setImmediate). Without it a 0 ms timer is used. */
  defer?(fn: () => void): void;
}

/** Uniform in [0, 1), like Math.random. */
export type Random = () => number;

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Discovery timers must never keep a finished process alive on their own.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  defer: (fn) => {
    setImmediate(fn).unref?.();
  },
};

/** A uniformly random delay in [min, max] milliseconds. */
export function randomBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
