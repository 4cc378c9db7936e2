// The skeleton both trackers (send-tracker.ts, file-send-tracker.ts) share: follow one send until
// it settles — an outcome, an error, the deadline or an abort, whichever comes first — and then
// clear the deadline timer, the abort listener and what the tracker registered (its node
// subscription), exactly once.
export type StopReason = 'deadline' | 'stopping';

export interface Settle<T> {
  outcome(value: T): void;
  error(error: unknown): void;
  readonly settled: boolean;
}

export interface Tracker {
  /** The deadline passed or the signal aborted: settle with what is known by now. */
  stop(reason: StopReason): void;
  /** Runs once, when the promise settles. */
  cleanup(): void;
  /** Starts the work, once the deadline and the abort listener are in place. */
  begin(): void;
}

export function settleOnce<T>(
  limits: { timeoutMs: number; signal?: AbortSignal | undefined },
  track: (settle: Settle<T>) => Tracker,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let tracker: Tracker | undefined;
    const onAbort = (): void => tracker?.stop('stopping');
    const timer = setTimeout(() => tracker?.stop('deadline'), limits.timeoutMs);
    const finish = (settleWith: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      tracker?.cleanup();
      settleWith();
    };
    tracker = track({
      outcome: (value) => finish(() => resolve(value)),
      error: (error) => finish(() => reject(error)),
      get settled() {
        return settled;
      },
    });
    if (limits.signal?.aborted) return onAbort();
    limits.signal?.addEventListener('abort', onAbort);
    tracker.begin();
  });
}
