// When to dial whom. Every peer that is heard of (mDNS, a static --peer, any later source) and
// is not connected gets dialled, and on failure dialled again with jitter until it connects, is
// blocked or goes away: a floor must converge by itself, whatever the start-up storm did.
//
// Which side dials: the smaller id at once; the larger one gives it DIAL_DEFER_MS before dialling
// itself. A node in its first NEWCOMER_MS dials everyone at once instead, because it hears all
// its peers within milliseconds (one-shot query) while they hear it only after it has probed
// (~1 s): the joiner must not wait for them. Two dials that cross anyway resolve to one link in
// node.ts (adopt: the link dialled by the smaller id survives on both sides, no timeout involved).
//
// Failures: a peer that could not be reached at all (no TCP) backs off fast, then slow; a
// handshake that timed out or was cut is what a busy floor looks like, not an attack, and is
// retried the same way; a peer that answered and refused us (other network key, not the key we
// dialled, blocked) is retried slowly. Dials go through DialQueue (a few at a time).
import { LinkError } from '../connection/link-factory.js';
import { HandshakeError, meansBusy } from '../crypto/handshake-error.js';
import { TransportError } from '../transport/transport.js';
import { type BackoffPolicy, backoffDelay } from './backoff.js';
import type { Clock } from './clock.js';
import { DialQueue } from './dial-queue.js';
import type { Peer } from './peer-table.js';

/** A node this young dials every peer it hears of at once. */
export const NEWCOMER_MS = 5_000;
/** Otherwise the larger id waits this long (plus up to half again, jitter) for the smaller one. */
export const DIAL_DEFER_MS = 1_500;
/** While a connection from the peer's host is being accepted, a dial waits this long (plus up to
 * half again) and looks again, at most MAX_INCOMING_WAITS times in a row (≈ the server's
 * handshake deadline and hello in all). */
export const INCOMING_WAIT_MS = 1_000;
export const MAX_INCOMING_WAITS = 16;
/** A hint that changed (a new address, port or nick in an announcement) resets the peer's backoff
 * and dials it at once, at most once in this long: anybody can multicast an update for any key,
 * and each one used to cost a connection from every node that heard it (150 forged updates in
 * 1.5 s: 150 dials from one victim; remembered-attacks.test.ts). An update within it is dialled
 * at the retry already scheduled, which reads the new hint. */
export const CHANGED_DIAL_MS = 5_000;

export interface ReconnectPolicy {
  fast: BackoffPolicy;
  slow: BackoffPolicy;
  /** How long a peer is retried on the fast schedule before it goes to the slow one. */
  fastForMs: number;
}

export const DEFAULT_RECONNECT: ReconnectPolicy = {
  fast: { initialMs: 250, maxMs: 3_000 },
  slow: { initialMs: 5_000, maxMs: 30_000 },
  fastForMs: 120_000,
};

export type DialFailure = 'unreachable' | 'busy' | 'refused';

export interface DialerOptions {
  selfId: string;
  clock: Clock;
  random: () => number;
  reconnect: ReconnectPolicy;
  /** The peer table's entry for an id (the queue holds ids; the table owns the peers). */
  peer: (id: string) => Peer | undefined;
  /** Dials every address of the peer's hint and adopts the link; rejects with the last error. */
  connect: (peer: Peer) => Promise<void>;
  /** May we dial this peer now (not blocked, not stopping)? */
  allowed: (peer: Peer) => boolean;
  /** A failed attempt that is worth telling the user about (not a plain "unreachable"). */
  failed: (peer: Peer, error: unknown, kind: DialFailure) => void;
  /** Every failed attempt, reachable or not (remembered peers keep the last error). */
  attemptFailed?: (peer: Peer, error: unknown) => void;
  /** Is a connection from this peer's host being accepted right now (handshake or hello)? */
  incomingFrom?: (peer: Peer) => boolean;
  maxInFlight?: number;
  /** Resolves once the event loop has taken up the I/O waiting for it (afterPollPhase; tests). */
  yieldToIo?: () => Promise<void>;
}

export class Dialer {
  private readonly queue: DialQueue;
  private startedAt = 0;

  constructor(private readonly o: DialerOptions) {
    this.queue = new DialQueue((id) => this.attempt(id), o.maxInFlight);
  }

  start(): void {
    this.startedAt = this.o.clock.now();
  }

  /** Discovery (or another source) told us how to reach `peer`; `changed`: a new address/port. */
  heard(peer: Peer, changed: boolean): void {
    if (changed) changed = this.mayRedialForChange(peer);
    if (peer.link || this.queue.has(peer.id) || (peer.retry && !changed)) return;
    if (!this.o.allowed(peer)) return;
    const newcomer = this.o.clock.now() - this.startedAt < NEWCOMER_MS;
    if (newcomer || this.designated(peer)) this.dial(peer);
    else this.later(peer, DIAL_DEFER_MS * (1 + this.o.random() / 2));
  }

  /** A change resets the backoff (and so may dial at once) once per CHANGED_DIAL_MS. One that
   * finds nothing to reset (a peer just heard of, no failure yet) spends none of it. */
  private mayRedialForChange(peer: Peer): boolean {
    if (peer.attempts === 0 && peer.retry === undefined) return true;
    const now = this.o.clock.now();
    if (peer.changedDialAt !== undefined && now - peer.changedDialAt < CHANGED_DIAL_MS) return false;
    peer.changedDialAt = now;
    peer.attempts = 0;
    return true;
  }

  /** Dial now (after an unblock), or queue it if dials are busy. */
  dial(peer: Peer): void {
    this.clearRetry(peer);
    if (!peer.hint || peer.link || !this.o.allowed(peer)) return;
    this.queue.request({
      id: peer.id,
      address: peer.hint.addresses[0] ?? '',
      attempts: peer.attempts,
      priority: this.designated(peer) ? 0 : 1,
    });
  }

  /** The link went down (not a goodbye): dial again after a backoff. */
  redial(peer: Peer): void {
    if (!peer.hint || peer.retry || this.queue.has(peer.id) || !this.o.allowed(peer)) return;
    this.backoff(peer, 'unreachable');
  }

  /** A link is up (either direction): nothing to dial. */
  connected(peer: Peer): void {
    this.clearRetry(peer);
    this.queue.cancel(peer.id);
    peer.attempts = 0;
    peer.incomingWaits = 0;
    peer.unreachableSince = undefined;
  }

  /** The peer's records are gone (goodbye, expiry) or it was blocked: stop trying. */
  forget(peer: Peer): void {
    this.clearRetry(peer);
    this.queue.cancel(peer.id);
  }

  /** We no longer know where to reach the peer (discovery said it went, a learned address gave
   * up): its address goes, with any dial queued or scheduled (one running finishes). */
  dropHint(peer: Peer): void {
    peer.hint = undefined;
    peer.hintWithdrawnAt = undefined;
    this.forget(peer);
  }

  /** A dial is queued, running or scheduled for later (a retry after a failed attempt, or a wait
   * for the peer's own connection to us). */
  dialing(peer: Peer): boolean {
    return this.queue.has(peer.id) || peer.retry !== undefined;
  }

  private designated(peer: Peer): boolean {
    return this.o.selfId < peer.id;
  }

  private async attempt(id: string): Promise<void> {
    // A connection the peer made to us may be waiting in the kernel's accept queue, which
    // incomingFrom cannot see: the loop accepts it only in its next poll phase (up to one per
    // listening socket, accept-group.ts), and a dial is usually decided in the middle of one (a
    // previous dial's last read freed its slot), seconds apart on a busy host. Letting one poll
    // phase pass first costs a loop turn. (Alone, with one listening socket, it measured nothing:
    // that turn accepted one connection of the dozens waiting.)
    await (this.o.yieldToIo ?? afterPollPhase)();
    const peer = this.o.peer(id);
    if (!peer?.hint || peer.link || !this.o.allowed(peer)) return;
    // Its own dial to us is under way: wait for that link rather than make a second one that
    // adopt() would close again. At 9:00 on a floor of 100 (2 cores), handshakes took seconds,
    // the larger id's 1.5 s of patience ran out while the smaller id's dial was in flight, and
    // ≈ 20 % of all pairs were linked twice (two handshakes, two hellos, a close each side).
    // Bounded: a connection from that host that never completes only delays our dial.
    if (this.o.incomingFrom?.(peer) && peer.incomingWaits < MAX_INCOMING_WAITS) {
      peer.incomingWaits++;
      this.later(peer, INCOMING_WAIT_MS * (1 + this.o.random() / 2));
      return;
    }
    try {
      await this.o.connect(peer);
    } catch (error) {
      if (peer.link || !this.o.allowed(peer)) return; // it dialled us meanwhile, or we stopped
      const kind = classify(error);
      this.o.attemptFailed?.(peer, error);
      if (kind !== 'unreachable') this.o.failed(peer, error, kind);
      this.backoff(peer, kind);
    }
  }

  private backoff(peer: Peer, kind: DialFailure): void {
    if (!peer.hint || peer.retry) return;
    const now = this.o.clock.now();
    peer.unreachableSince ??= now;
    // Nobody there at an address we only remember (a restart dials last week's peers): most likely
    // not started yet, or switched off. When it comes it dials us (it remembers us too) and
    // announces itself, which dials it at once (node.ts onHint); until then, ask on the slow
    // schedule. On the fast one a floor of 100 arriving over 40 s the next morning failed ≈ 350
    // dials per node before the later arrivals came up.
    const remembered = kind === 'unreachable' && peer.hint.source === 'remembered';
    const fast =
      kind !== 'refused' && !remembered && now - peer.unreachableSince < this.o.reconnect.fastForMs;
    const policy = fast ? this.o.reconnect.fast : this.o.reconnect.slow;
    this.later(peer, backoffDelay(peer.attempts++, policy, this.o.random));
  }

  /** Dial `peer` in `ms` (whatever is scheduled for it now is replaced). */
  later(peer: Peer, ms: number): void {
    this.clearRetry(peer);
    const handle = this.o.clock.setTimeout(() => {
      peer.retry = undefined;
      this.dial(peer);
    }, ms);
    handle.unref?.();
    peer.retry = handle;
  }

  private clearRetry(peer: Peer): void {
    if (peer.retry) this.o.clock.clearTimeout(peer.retry);
    peer.retry = undefined;
  }
}

/** Resolves after the event loop's next poll phase, whichever phase we are in now: an immediate
 * queued from the poll phase runs right after it (its rest of the batch), so the second one,
 * queued from the check phase, runs after a whole new poll (where pending accepts are taken). */
function afterPollPhase(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** What a failed dial says about the peer. */
export function classify(error: unknown): DialFailure {
  if (!(error instanceof LinkError) || error.code === 'dial-failed') return 'unreachable';
  const cause = error.cause;
  if (!(cause instanceof HandshakeError)) return 'busy'; // no hello after the handshake
  // Slow, cut, dropped late or turned away for load: what a busy floor looks like. Anything else
  // means it answered and said no (another network key, not the key we dialled, refused) or is
  // broken. ('dropped-late' on the slow schedule instead, like a refusal, measured no different at
  // 100 at once: 59.96 s against 62.09 and 66.07 s, all on one slow night, CPU-bound.)
  return meansBusy(cause.code) ? 'busy' : 'refused';
}

/** A failed dial that no process answered for: refused (nothing listens: it crashed or quit), no
 * route to its host, or no answer in time (a cut). Not a connect timeout whose timer fired late
 * because our own event loop stood still (a loaded host): the answer may be waiting unread. */
export function nobodyThere(error: unknown): boolean {
  if (!(error instanceof LinkError) || error.code !== 'dial-failed') return false;
  const cause = error.cause;
  if (!(cause instanceof TransportError)) return false;
  return (
    cause.code === 'refused' || cause.code === 'unreachable' || (cause.code === 'timeout' && !cause.ownStall)
  );
}
