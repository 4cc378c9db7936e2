// Outgoing dials wait here for one of a few slots. Without a cap, a node that hears 99 peers at
// once starts 99 handshakes at once; on a loaded floor they all advance at the same slow pace,
// all hit their deadline together, all fail and all retry together (measured: 50 nodes started at
// once made ~20,000 handshake attempts for 1,225 pairs, and nothing connected for 15 s). With a
// few in flight, each completes in milliseconds and the queue drains in order.
//
// Order: fewer failed attempts first (a peer that timed out, or a fake record pointing at a
// black hole, goes behind everyone who has not failed yet), then the caller's priority, then
// arrival. At most one dial per remote address is in flight, so one host that accepts and stalls
// holds one slot however many identities it advertises.

export const MAX_DIALS_IN_FLIGHT = 8;

export interface DialRequest {
  readonly id: string;
  /** The address the dial goes to first (the per-address cap is keyed by it). */
  readonly address: string;
  /** Failed attempts in a row so far. */
  readonly attempts: number;
  /** Lower goes first among equal attempts (0: we are the designated dialler of this pair). */
  readonly priority: number;
}

interface Waiting extends DialRequest {
  readonly order: number;
}

export class DialQueue {
  private readonly waiting = new Map<string, Waiting>();
  private readonly running = new Map<string, string>(); // id → address
  private counter = 0;

  constructor(
    private readonly run: (id: string) => Promise<void>,
    private readonly limit = MAX_DIALS_IN_FLIGHT,
  ) {}

  /** Queues a dial (a second request for a queued id updates it; a running one is left alone). */
  request(request: DialRequest): void {
    if (this.running.has(request.id)) return;
    const previous = this.waiting.get(request.id);
    this.waiting.set(request.id, { ...request, order: previous?.order ?? this.counter++ });
    this.pump();
  }

  /** Drops a queued dial (the peer connected to us, went away or was blocked). */
  cancel(id: string): void {
    this.waiting.delete(id);
  }

  /** Queued or running. */
  has(id: string): boolean {
    return this.waiting.has(id) || this.running.has(id);
  }

  get inFlight(): number {
    return this.running.size;
  }

  get queued(): number {
    return this.waiting.size;
  }

  private pump(): void {
    while (this.running.size < this.limit) {
      const next = this.next();
      if (!next) return;
      this.waiting.delete(next.id);
      this.running.set(next.id, next.address);
      void this.run(next.id)
        .catch(() => {}) // the runner reports its own failures
        .finally(() => {
          this.running.delete(next.id);
          this.pump();
        });
    }
  }

  private next(): Waiting | undefined {
    const busy = new Set(this.running.values());
    let best: Waiting | undefined;
    for (const w of this.waiting.values()) {
      if (busy.has(w.address)) continue;
      if (!best || compare(w, best) < 0) best = w;
    }
    return best;
  }
}

function compare(a: Waiting, b: Waiting): number {
  return a.attempts - b.attempts || a.priority - b.priority || a.order - b.order;
}
