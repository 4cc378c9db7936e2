// The sending side of peer exchange: what we tell one link waits here and goes out in batches, no
// faster than the receiver's budget (peer-exchange.ts: a burst of PEX_BURST messages, then one per
// PEX_REFILL_MS). Without it, a floor where fifty nodes come up at once would have every node tell
// every other about each newcomer in its own message, overrun everybody's budget and fill the
// logs with "sends peer lists faster than allowed" about honest peers.
import type { PeerLink } from '../connection/peer-link.js';
import { TokenBucket } from '../connection/token-bucket.js';
import { MAX_PEX_ENTRIES, type PeerExchangeEntry } from '../protocol/messages.js';
import type { Clock, TimerHandle } from './clock.js';
import type { Peer } from './peer-table.js';

/** Announcements that arrive within this window go out as one message. */
export const PEX_BATCH_MS = 200;
/** Entries waiting per link at most (the newest are kept: they describe the live peers). */
export const MAX_PENDING_PER_LINK = 64;

export interface SenderBudget {
  burst: number;
  /** Ms per message after the burst; a little slower than the receiver refills. */
  refillMs: number;
}

/** Is the entry about `key` still worth telling `to` (asked when its batch goes out)? */
export type StillNews = (to: Peer, key: string) => boolean;

interface Outgoing {
  /** The peer at the other end of the link (undefined in tests that only count messages). */
  to: Peer | undefined;
  pending: Map<string, PeerExchangeEntry>;
  budget: TokenBucket;
  timer: TimerHandle | undefined;
}

export class PexSender {
  /** Per link, and kept while the link lives: its budget must not start afresh when its queue
   * empties. A WeakMap, so closed links cost nothing. */
  private readonly links = new WeakMap<PeerLink, Outgoing>();
  private readonly timers = new Set<TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly budget: SenderBudget,
    private readonly stillNews: StillNews = () => true,
  ) {}

  queue(link: PeerLink, entries: readonly PeerExchangeEntry[], to?: Peer): void {
    if (link.isClosed || entries.length === 0) return;
    let out = this.links.get(link);
    if (!out) {
      const budget = new TokenBucket(
        { burst: this.budget.burst, perSecond: 1000 / this.budget.refillMs },
        this.clock.now(),
      );
      out = { to, pending: new Map(), budget, timer: undefined };
      this.links.set(link, out);
    }
    for (const entry of entries) {
      out.pending.delete(entry.key); // re-inserted last: the newest news of a peer wins
      out.pending.set(entry.key, entry);
    }
    while (out.pending.size > MAX_PENDING_PER_LINK) out.pending.delete(out.pending.keys().next().value!);
    if (!out.timer) this.schedule(link, out, PEX_BATCH_MS);
  }

  /** Entries still waiting for `link` (tests, diagnostics). */
  pendingFor(link: PeerLink): number {
    return this.links.get(link)?.pending.size ?? 0;
  }

  stop(): void {
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(link: PeerLink, out: Outgoing, ms: number): void {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      out.timer = undefined;
      this.flush(link, out);
    }, ms);
    timer.unref?.();
    this.timers.add(timer);
    out.timer = timer;
  }

  private flush(link: PeerLink, out: Outgoing): void {
    if (link.isClosed) {
      out.pending.clear();
      return;
    }
    const to = out.to;
    if (to) for (const key of [...out.pending.keys()]) if (!this.stillNews(to, key)) out.pending.delete(key);
    while (out.pending.size > 0 && out.budget.tryTake(1, this.clock.now())) {
      const batch = [...out.pending.values()].slice(0, MAX_PEX_ENTRIES);
      for (const entry of batch) out.pending.delete(entry.key);
      link.send({ t: 'peers', peers: batch });
    }
    if (out.pending.size === 0) return;
    this.schedule(link, out, out.budget.msUntil(1, this.clock.now()));
  }
}
