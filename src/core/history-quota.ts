// Keeps the database under --max-history-size by removing the oldest room messages (see
// store/sqlite-disk-usage.ts for what is never removed). A hostile or merely chatty room cannot
// fill the disk; what goes is what every other member of the room still holds.
//
// Checked at start and once a minute: a minute of even a flood at the inbound rate limit is a few
// MB past the quota, which is why the quota is a target, not a hard wall. Pruning goes down to
// LOW_WATER of the quota, in batches with a turn of the event loop between them, so that one
// check does not stall chat however much there is to remove.
import type { Store } from '../store/store.js';
import type { Clock, TimerHandle } from './clock.js';

export const DEFAULT_MAX_HISTORY_BYTES = 2 * 1024 ** 3;
export const HISTORY_CHECK_MS = 60_000;
const LOW_WATER = 0.9;
const BATCH = 500;

export interface HistoryQuotaDeps {
  store: Store;
  clock: Clock;
  maxBytes: number;
  /** Something was pruned, or nothing more can be: the words for the user. */
  warn: (code: 'history-pruned' | 'history-full', message: string) => void;
  /** The store failed while measuring or pruning (disk error): reported, retried next check. */
  failed: (error: unknown) => void;
}

export class HistoryQuota {
  private timer: TimerHandle | undefined;
  private running: Promise<number> | undefined;
  private warnedFull = false;

  constructor(private readonly deps: HistoryQuotaDeps) {}

  start(): void {
    void this.check();
    this.timer = this.deps.clock.setInterval(() => void this.check(), HISTORY_CHECK_MS);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) this.deps.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Prunes if the database is over the quota; resolves to the number of messages removed. */
  check(): Promise<number> {
    this.running ??= this.prune().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async prune(): Promise<number> {
    const { store, maxBytes } = this.deps;
    let removed = 0;
    try {
      const before = store.disk.usedBytes();
      if (before <= maxBytes) {
        this.warnedFull = false;
        return 0;
      }
      let used = before;
      while (used > maxBytes * LOW_WATER) {
        const n = store.disk.pruneRoomHistory(BATCH);
        removed += n;
        used = store.disk.usedBytes();
        if (n === 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (removed > 0) {
        this.deps.warn(
          'history-pruned',
          `the history was ${mib(before)} MiB, above --max-history-size ${mib(maxBytes)} MiB: removed the ${removed} oldest room messages (other members still have them). DMs and messages not yet delivered are never removed.`,
        );
      }
      if (used > maxBytes && !this.warnedFull) {
        this.warnedFull = true;
        this.deps.warn(
          'history-full',
          `the history is ${mib(used)} MiB, above --max-history-size ${mib(maxBytes)} MiB, and no room messages are left to remove: DMs and undelivered messages are kept. Raise the limit or start a fresh profile.`,
        );
      }
    } catch (error) {
      this.deps.failed(error);
    }
    return removed;
  }
}

function mib(bytes: number): string {
  return (bytes / 1024 ** 2).toFixed(1);
}
