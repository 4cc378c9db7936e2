// Progress of one transfer as the user sees it: at most one report per PROGRESS_INTERVAL_MS (a
// scripted consumer of `file_progress` must not be flooded), with a rate smoothed over the recent
// past so that the ETA does not jump with every TCP burst.
import type { Clock } from '../clock.js';

export const PROGRESS_INTERVAL_MS = 250;
/** Weight of the newest interval in the smoothed rate. */
const SMOOTHING = 0.3;

export interface ProgressReport {
  bytes: number;
  size: number;
  /** Bytes per second, smoothed. */
  rate: number;
}

export class ProgressMeter {
  private lastAt: number;
  private lastBytes: number;
  private rate = 0;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly size: number,
    startBytes: number,
    private readonly report: (progress: ProgressReport) => void,
  ) {
    this.lastAt = clock.now();
    this.lastBytes = startBytes;
  }

  /** Called on every chunk; reports only when the interval has passed. */
  update(bytes: number): void {
    const now = this.clock.now();
    const elapsed = now - this.lastAt;
    if (elapsed < PROGRESS_INTERVAL_MS) return;
    const current = ((bytes - this.lastBytes) * 1000) / elapsed;
    this.rate = this.rate === 0 ? current : this.rate + SMOOTHING * (current - this.rate);
    this.lastAt = now;
    this.lastBytes = bytes;
    this.report({ bytes, size: this.size, rate: Math.round(this.rate) });
  }
}
