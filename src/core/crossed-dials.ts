// Two nodes that dial each other at once make two connections, and both would pay a full
// handshake and hello on each before adopt() (link-keeper.ts) closes the one dialled by the larger
// id. On a loaded machine this is the common case, not a race: at 9:00 with 100 nodes on 2 cores,
// an event-loop iteration takes seconds, so a node accepts a connection seconds after its kernel
// completed it and meanwhile decides to dial the same peer (≈ 700 of 4,950 pairs crossed, one extra
// handshake each, counted by their SYNs on the bridge).
//
// So the node whose dial is the one both sides keep (the smaller id) holds a connection that
// crosses it: no handshake, nothing read, until its own dial settles. If its link came up, the held
// connection is dropped unread; if its dial failed, the held one goes ahead as usual. The other
// side's dial then fails while our connection to it is being accepted or already adopted, and its
// dialer takes that as the crossing it is, not as a failure (dialer.ts).
import type { Clock } from './clock.js';

/** A crossing connection waits at most this long for our dial before its handshake goes ahead
 * anyway (well within the client's 30 s patience, CLIENT_HANDSHAKE_TIMEOUT_MS). */
export const CROSSING_HOLD_MS = 10_000;

export class CrossedDials {
  /** Our dials in flight, by peer id: each settles (never rejects) once its dial has. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly clock: Clock) {}

  /** Runs a dial to `peerId`, known as in flight until it settles. */
  track<T>(peerId: string, dial: Promise<T>): Promise<T> {
    const settled = dial.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.set(peerId, settled);
    void settled.then(() => {
      if (this.inFlight.get(peerId) === settled) this.inFlight.delete(peerId);
    });
    return dial;
  }

  dialing(peerId: string): boolean {
    return this.inFlight.has(peerId);
  }

  /**
   * A connection from `peerId`'s host while our dial to it is in flight: resolves true when the
   * connection should go ahead with its handshake (our dial failed, or took longer than
   * CROSSING_HOLD_MS), false when it should be dropped unread (`linked()`: our dial's link is up).
   * Undefined when no dial of ours is in flight.
   */
  hold(peerId: string, linked: () => boolean): Promise<boolean> | undefined {
    const dial = this.inFlight.get(peerId);
    if (!dial) return undefined;
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(true), CROSSING_HOLD_MS);
      void dial.then(() => {
        this.clock.clearTimeout(timer);
        resolve(!linked());
      });
    });
  }
}
