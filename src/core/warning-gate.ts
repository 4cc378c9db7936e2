// A flood must not become a flood of warnings: each key (a limit and the address that hit it) is
// shown at most once per interval. Repeats within the interval are swallowed and counted, and
// when it ends the last of them is shown with the count: a burst of 300 ends in two lines, the
// first and "… (and 298 more like it in the last minute)", never in silence about the rest.
import type { Clock, TimerHandle } from './clock.js';

export const WARNING_GATE_INTERVAL_MS = 60_000;
/** Keys remembered at once; beyond it the oldest are forgotten (a flood of addresses), their
 * swallowed repeats shown at once. */
const MAX_KEYS = 256;

interface Entry {
  at: number;
  suppressed: number;
  /** The last repeat swallowed, and where to show its summary. */
  last?: { message: string; show: (text: string) => void };
  timer?: TimerHandle;
}

export class WarningGate {
  private readonly seen = new Map<string, Entry>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs = WARNING_GATE_INTERVAL_MS,
  ) {}

  /** Shows `message` through `show` now, or counts it and shows the count when the key's interval
   * ends. */
  pass(key: string, message: string, show: (text: string) => void): void {
    if (this.closed) return;
    const now = this.clock.now();
    // Its interval is over but its summary's timer has not run yet (a busy loop runs it late):
    // the summary first, or the repeats it counts would be lost.
    const before = this.seen.get(key);
    if (before?.timer && now - before.at >= this.intervalMs) this.summarize(key);
    const entry = this.seen.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      entry.last = { message, show };
      if (!entry.timer) {
        entry.timer = this.clock.setTimeout(() => this.summarize(key), entry.at + this.intervalMs - now);
        entry.timer.unref?.();
      }
      return;
    }
    this.seen.delete(key);
    this.seen.set(key, { at: now, suppressed: 0 });
    if (this.seen.size > MAX_KEYS) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.summarize(oldest, true);
    }
    show(message);
  }

  /** No more warnings or summaries (the node stops). */
  close(): void {
    this.closed = true;
    for (const entry of this.seen.values()) if (entry.timer) this.clock.clearTimeout(entry.timer);
    this.seen.clear();
  }

  /** The interval of `key` ended with repeats swallowed: one line for them, which starts the
   * key's next interval (a flood that goes on shows one line a minute). `forget`: the key is
   * dropped instead (too many keys). */
  private summarize(key: string, forget = false): void {
    const entry = this.seen.get(key);
    if (!entry) return;
    if (entry.timer) this.clock.clearTimeout(entry.timer);
    const { last, suppressed } = entry;
    if (forget) this.seen.delete(key);
    else this.seen.set(key, { at: this.clock.now(), suppressed: 0 });
    if (!last || suppressed === 0 || this.closed) return;
    const span = this.intervalMs === WARNING_GATE_INTERVAL_MS ? 'minute' : `${this.intervalMs / 1000} s`;
    last.show(
      suppressed === 1
        ? last.message
        : `${last.message} (and ${suppressed - 1} more like it in the last ${span})`,
    );
  }
}
