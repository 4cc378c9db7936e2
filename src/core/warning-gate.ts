// A flood must not become a flood of warnings: each key (a limit and the address that hit it) is
// reported at most once per interval, with the number of repeats swallowed since.
import type { Clock } from './clock.js';

export const WARNING_GATE_INTERVAL_MS = 60_000;
/** Keys remembered at once; beyond it the oldest are forgotten (a flood of addresses). */
const MAX_KEYS = 256;

export class WarningGate {
  private readonly seen = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs = WARNING_GATE_INTERVAL_MS,
  ) {}

  /** The message to log (with the swallowed repeats noted), or undefined to stay quiet. */
  pass(key: string, message: string): string | undefined {
    const now = this.clock.now();
    const entry = this.seen.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return undefined;
    }
    const note = entry && entry.suppressed > 0 ? ` (${entry.suppressed} more like it not shown)` : '';
    this.seen.delete(key);
    this.seen.set(key, { at: now, suppressed: 0 });
    if (this.seen.size > MAX_KEYS) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return message + note;
  }
}
