// Serving catch-up at a bounded cost per peer. An answer can be a thousand messages, and a peer can
// ask again and again without reading: answering every request at once let one peer pile up
// hundreds of MB in our send queue (issue 15). So each link gets one request served at a time,
// started at most every SERVE_INTERVAL_MS; one batch goes out per event-loop turn and only while
// the link's send queue has room (it waits for `room` otherwise); a few requests wait their turn,
// and beyond that they are dropped with one warning per link. An honest peer sends one request per shared room and join.
import type { PeerLink } from '../connection/peer-link.js';
import type { WireMessage } from '../protocol/messages.js';
import type { Clock, TimerHandle } from './clock.js';

/** Requests held per link while one is served; an office has fewer shared rooms than this. */
export const MAX_WAITING_REQUESTS = 32;
/** At most this many requests started per second and link: each costs a store query. */
export const SERVE_INTERVAL_MS = 100;

/** The batches of one answer, produced lazily (the store is read when the request's turn comes). */
export type Answer = Iterator<WireMessage, undefined>;

interface LinkQueue {
  readonly waiting: (() => Answer)[];
  current: Answer | undefined;
  lastStart: number;
  timer: TimerHandle | undefined;
  warned: boolean;
}

export interface CatchUpServerDeps {
  clock: Clock;
}

export class CatchUpServer {
  private readonly queues = new Map<PeerLink, LinkQueue>();

  constructor(private readonly deps: CatchUpServerDeps) {}

  /** Queues a request on `link`; `answer` is called when its turn comes. `dropping` is called the
   * first time a request on this link is dropped because too many wait (to log it once). */
  enqueue(link: PeerLink, answer: () => Answer, dropping: () => void): void {
    if (link.isClosed) return;
    let queue = this.queues.get(link);
    if (!queue) {
      queue = { waiting: [], current: undefined, lastStart: -Infinity, timer: undefined, warned: false };
      this.queues.set(link, queue);
      const q = queue;
      link.once('close', () => this.drop(link, q));
      link.on('room', () => this.pump(link, q));
    }
    if (queue.waiting.length >= MAX_WAITING_REQUESTS) {
      if (!queue.warned) {
        queue.warned = true;
        dropping();
      }
      return;
    }
    queue.waiting.push(answer);
    this.pump(link, queue);
  }

  /** Requests waiting or in progress on `link` (for tests and diagnostics). */
  backlog(link: PeerLink): number {
    const queue = this.queues.get(link);
    return queue ? queue.waiting.length + (queue.current ? 1 : 0) : 0;
  }

  private pump(link: PeerLink, queue: LinkQueue): void {
    while (!link.isClosed && queue.timer === undefined) {
      if (!queue.current) {
        const next = queue.waiting[0];
        if (!next) return;
        const wait = queue.lastStart + SERVE_INTERVAL_MS - this.deps.clock.now();
        if (wait > 0) {
          queue.timer = this.deps.clock.setTimeout(() => {
            queue.timer = undefined;
            this.pump(link, queue);
          }, wait);
          queue.timer.unref?.();
          return;
        }
        queue.waiting.shift();
        queue.lastStart = this.deps.clock.now();
        queue.current = next();
      }
      // One batch per turn of the event loop, so that other peers' messages are read in between
      // (an answer is up to ~4.5 MB to encode and encrypt); a full queue waits for `room`.
      if (!link.hasRoom) return;
      const step = queue.current.next();
      if (step.done) {
        queue.current = undefined;
        continue;
      }
      if (!link.send(step.value)) return;
      queue.timer = this.deps.clock.setTimeout(() => {
        queue.timer = undefined;
        this.pump(link, queue);
      }, 0);
      queue.timer.unref?.();
      return;
    }
  }

  private drop(link: PeerLink, queue: LinkQueue): void {
    if (queue.timer) this.deps.clock.clearTimeout(queue.timer);
    queue.timer = undefined;
    queue.waiting.length = 0;
    queue.current = undefined;
    this.queues.delete(link);
  }
}
