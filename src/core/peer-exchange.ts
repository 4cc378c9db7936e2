// Authenticated peer exchange: over a chat link (handshake done, same network key, since a link
// implies both), each side tells the other which peers it has links with and where it reaches
// them, so that one invite code used on subnet B brings everybody on A to everybody on B.
//
// What we send: for each online peer that itself speaks peer exchange (a peer that runs with
// --no-peer-exchange is never advertised), its key, listening port and the address our link to
// it runs over, if inside the address policy (no link-local: it means nothing on another link).
//
// What we believe: nothing, beyond "try this address for this key". Entries are not signed by the
// peer they describe: the handshake pins the key we dial, so a lie cannot impersonate anybody, and
// a signature would not stop a liar from replaying a stale one. The cost of a lie is bounded
// instead: per link a token bucket of messages, MAX_CANDIDATES peers learned and not yet
// connected, MAX_NEW_CANDIDATES_PER_MINUTE admitted across all links, CANDIDATE_ATTEMPTS dials
// each, and every address must pass the policy. A peer cannot vouch for its own address under
// another key. A learned peer is never shown online: only a completed handshake does that.
import type { PeerLink } from '../connection/peer-link.js';
import { TokenBucket } from '../connection/token-bucket.js';
import type { PeerHint } from '../discovery/discovery.js';
import { base64Of, parseId } from '../identity/ids.js';
import {
  canonicalAddress,
  hostAddress,
  type PolicyOptions,
  policyProblem,
} from '../protocol/address-policy.js';
import {
  MAX_PEX_ADDRESSES,
  type PeerExchangeEntry,
  type PeerExchange as PeerExchangeMessage,
} from '../protocol/messages.js';
import type { Clock, TimerHandle } from './clock.js';
import type { Peer, PeerTable } from './peer-table.js';
import { PexSender } from './pex-sender.js';
import { listenPort } from './remembered-peers.js';

/** How long a link's segment is trusted before it is worked out again (see segmentOfLink). */
const SEGMENT_KEPT_MS = 5_000;
export const PEX_CAPABILITY = 'pex';
/** Peers learned through exchange and not (yet) connected, at most. */
export const MAX_CANDIDATES = 64;
/** New candidates admitted per minute, from all links together. */
export const MAX_NEW_CANDIDATES_PER_MINUTE = 64;
/** Dials spent on a learned peer before it is dropped (a later entry may bring it back). */
export const CANDIDATE_ATTEMPTS = 3;
/** A learned peer that has not connected by then is dropped. */
export const CANDIDATE_TTL_MS = 120_000;
/** Per link, what we accept: a burst of this many messages, then one per PEX_REFILL_MS. */
export const PEX_BURST = 8;
export const PEX_REFILL_MS = 5_000;
/** What we send: half the burst we accept, a quarter slower. A receiver whose event loop is busy
 * reads what queued meanwhile all at once, so messages sent apart arrive together: on a floor of
 * 100 starting at once, with the sender at the receiver's own budget, 59 honest nodes were flagged
 * for sending too fast. The spare half absorbs a backlog of 4 messages (25 s of sending). */
export const PEX_SEND_BURST = 4;

export interface PeerExchangeOptions {
  clock: Clock;
  peers: PeerTable;
  policy: PolicyOptions;
  selfId: string;
  blocked: (id: string) => boolean;
  /** Hands a learned hint to the node (merged with what it knows, dialled); returns the peer. */
  learn: (hint: PeerHint) => Peer | undefined;
  /** A candidate gave up: the node drops its learned hint. */
  drop: (peer: Peer) => void;
  warn: (peer: Peer, message: string) => void;
  /** The subnet or link of ours an address lies on (a name), undefined when none (default). */
  segmentOf?: (address: string) => string | undefined;
}

interface Candidate {
  attempts: number;
  timer: TimerHandle;
}

interface Bucket {
  budget: TokenBucket;
  warned: boolean;
}

export class PeerExchange {
  private readonly candidates = new Map<string, Candidate>();
  /** Segments of ours on which some peer was heard by mDNS (multicast works there). */
  private readonly mdnsSegments = new Set<string>();
  /** Peers with a chat link that speaks peer exchange, by the segment that link came up on
   * (undefined: none of ours). A link keeps its segment until it is replaced: our interfaces
   * changing under a live link (a renumbered subnet) moves it at its next link. */
  private readonly linked = new Map<string | undefined, Set<Peer>>();
  private readonly linkedSegment = new Map<Peer, string | undefined>();
  private readonly buckets = new WeakMap<PeerLink, Bucket>();
  /** provenAddress() per link (a link's remote address never changes). */
  private readonly proven = new WeakMap<PeerLink, string | null>();
  private readonly segments = new WeakMap<PeerLink, { segment: string | undefined; at: number }>();
  private admittedAt: number[] = [];
  private readonly sender: PexSender;
  /** The policy for every address in peer exchange: a link-local address means nothing on another
   * link, so it is never passed on nor believed. */
  private readonly pexPolicy: PolicyOptions;

  constructor(private readonly o: PeerExchangeOptions) {
    this.pexPolicy = { ...o.policy, allowLinkLocal: false };
    // Half the receiver's burst and a quarter slower than it refills: clocks, delivery jitter and
    // a busy receiver's late reads never push an honest sender over the receiver's budget.
    this.sender = new PexSender(
      o.clock,
      { burst: PEX_SEND_BURST, refillMs: PEX_REFILL_MS * 1.25 },
      // Judged again when the batch goes out: by then mDNS has usually been heard from both (a
      // link that comes up first has no mDNS hint yet).
      (to, key) => {
        const described = this.o.peers.get(key);
        return described === undefined || !this.hearEachOther(described, to);
      },
    );
  }

  /** A chat link is up: tell it about our other peers, and them about it. */
  linkUp(peer: Peer, link: PeerLink): void {
    this.connected(peer);
    if (!speaksPex(link)) return void this.linkDown(peer);
    const segment = this.o.segmentOf ? this.segmentOfLink(link) : undefined;
    this.index(peer, segment);
    const self = this.entryFor(peer);
    const entries: PeerExchangeEntry[] = [];
    for (const [seg, members] of this.linked) {
      // The newcomer and everybody on its own segment hear each other by mDNS: nothing to tell,
      // and nobody to look at. On a floor of 100 every arrival made every host walk all its peers
      // here (≈ 0.3 ms each at 100, perf); now an arrival costs a host O(1) unless peers sit on
      // segments multicast does not reach.
      if (seg !== undefined && seg === segment && this.mdnsWorksOn(seg, members)) continue;
      for (const other of members) {
        if (other === peer || !other.link) continue;
        if (!this.hearEachOther(other, peer)) {
          const entry = this.entryFor(other);
          if (entry) entries.push(entry);
        }
        if (self && !this.hearEachOther(peer, other)) this.sender.queue(other.link, [self], other);
      }
    }
    this.sender.queue(link, entries, peer);
  }

  /** A peer's chat link closed: it is no longer passed on, nor told about newcomers. */
  linkDown(peer: Peer): void {
    const segment = this.linkedSegment.get(peer);
    if (!this.linkedSegment.delete(peer)) return;
    const members = this.linked.get(segment);
    members?.delete(peer);
    if (members?.size === 0) this.linked.delete(segment);
  }

  private index(peer: Peer, segment: string | undefined): void {
    this.linkDown(peer); // a new link may run over another segment than the one it replaces
    const members = this.linked.get(segment) ?? new Set<Peer>();
    members.add(peer);
    this.linked.set(segment, members);
    this.linkedSegment.set(peer, segment);
  }

  /** Some peer of this segment was heard by mDNS, so multicast works there (kept once seen). */
  private mdnsWorksOn(segment: string, members: ReadonlySet<Peer>): boolean {
    if (this.mdnsSegments.has(segment)) return true;
    for (const p of members) {
      if (p.heardViaMdns && p.link) {
        this.mdnsSegments.add(segment);
        return true;
      }
    }
    return false;
  }

  /** Both were heard by mDNS, on one subnet of ours: each hears the other's announcements as we
   * hear theirs, so peer exchange between them is only cost (on a floor of 100 starting at once,
   * thousands of messages per node that told nobody anything new). A peer we know only from an
   * invite, a remembered address or another peer is still passed on: multicast may not reach it
   * (a switch that drops multicast between hosts of one subnet). */
  private hearEachOther(a: Peer, b: Peer): boolean {
    if (!this.o.segmentOf || !a.link || !b.link) return false;
    const segment = this.segmentOfLink(a.link);
    if (segment === undefined || segment !== this.segmentOfLink(b.link)) return false;
    // A newcomer dials before its own announcements go out (it probes for its name first), so at
    // its link-up we have not heard it yet; that mDNS works on its segment is what counts.
    if (a.heardViaMdns || b.heardViaMdns) this.mdnsSegments.add(segment);
    return this.mdnsSegments.has(segment);
  }

  /** segmentOf(link.remoteAddress), kept per link for SEGMENT_KEPT_MS: every link that comes up
   * is compared with every other (a floor of 100 asked this ≈ 10,000 times per node, parsing the
   * address each time); re-read now and then, as our interfaces may change under a live link. */
  private segmentOfLink(link: PeerLink): string | undefined {
    const now = this.o.clock.now();
    const kept = this.segments.get(link);
    if (kept && now - kept.at < SEGMENT_KEPT_MS) return kept.segment;
    const segment = this.o.segmentOf?.(link.remoteAddress);
    this.segments.set(link, { segment, at: now });
    return segment;
  }

  /** A peer is connected (either way): it is no longer a candidate. */
  connected(peer: Peer): void {
    const candidate = this.candidates.get(peer.id);
    if (!candidate) return;
    this.o.clock.clearTimeout(candidate.timer);
    this.candidates.delete(peer.id);
  }

  dialFailed(peer: Peer): void {
    const candidate = this.candidates.get(peer.id);
    if (candidate && ++candidate.attempts >= CANDIDATE_ATTEMPTS) this.giveUp(peer);
  }

  received(from: Peer, link: PeerLink, message: PeerExchangeMessage): void {
    if (!this.take(link, from)) return;
    const sender = hostAddress(link.remoteAddress);
    for (const entry of message.peers) this.consider(from, sender, entry);
  }

  stop(): void {
    this.sender.stop();
    for (const c of this.candidates.values()) this.o.clock.clearTimeout(c.timer);
    this.candidates.clear();
  }

  /** Learned peers not yet connected (for tests and diagnostics). */
  get candidateCount(): number {
    return this.candidates.size;
  }

  /** `sender`: the canonical address `from` is linked from; it cannot vouch for it under another key. */
  private consider(from: Peer, sender: string | undefined, entry: PeerExchangeEntry): void {
    const id = entry.key;
    const key = parseId(id);
    if (!key || id === this.o.selfId || id === from.id || this.o.blocked(id)) return;
    const addresses = entry.addrs
      .filter((a) => hostAddress(a) !== sender && policyProblem(a, this.pexPolicy) === undefined)
      .slice(0, MAX_PEX_ADDRESSES);
    if (addresses.length === 0) return;
    const known = this.o.peers.get(id);
    if (known?.link) return; // connected already: nothing to learn
    if (!this.candidates.has(id) && !known?.hint && !this.admit()) return;
    const peer = this.o.learn({
      publicKey: base64Of(key),
      nick: '',
      addresses,
      port: entry.port,
      source: 'pex',
    });
    if (!peer || peer.link || this.candidates.has(id) || peer.hint?.source !== 'pex') return;
    const timer = this.o.clock.setTimeout(() => this.giveUp(peer), CANDIDATE_TTL_MS);
    timer.unref?.();
    this.candidates.set(id, { attempts: 0, timer });
  }

  /** Room for one more candidate, in total and in this minute's admissions? */
  private admit(): boolean {
    if (this.candidates.size >= MAX_CANDIDATES) return false;
    const now = this.o.clock.now();
    this.admittedAt = this.admittedAt.filter((t) => now - t < 60_000);
    if (this.admittedAt.length >= MAX_NEW_CANDIDATES_PER_MINUTE) return false;
    this.admittedAt.push(now);
    return true;
  }

  private giveUp(peer: Peer): void {
    const candidate = this.candidates.get(peer.id);
    if (!candidate) return;
    this.o.clock.clearTimeout(candidate.timer);
    this.candidates.delete(peer.id);
    if (!peer.link) this.o.drop(peer);
  }

  private take(link: PeerLink, from: Peer): boolean {
    const now = this.o.clock.now();
    const bucket = this.buckets.get(link) ?? {
      budget: new TokenBucket({ burst: PEX_BURST, perSecond: 1000 / PEX_REFILL_MS }, now),
      warned: false,
    };
    this.buckets.set(link, bucket);
    if (bucket.budget.tryTake(1, now)) return true;
    if (!bucket.warned) {
      bucket.warned = true;
      this.o.warn(from, 'sends peer lists faster than allowed; the extra ones are ignored');
    }
    return false;
  }

  /** The link's remote address in canonical form when the policy lets it be passed on, else
   * null. Worked out once per link: every link that comes up is told about every other one. */
  private provenAddress(link: PeerLink): string | null {
    let proven = this.proven.get(link);
    if (proven === undefined) {
      const address = canonicalAddress(link.remoteAddress);
      proven = address !== undefined && policyProblem(address, this.pexPolicy) === undefined ? address : null;
      this.proven.set(link, proven);
    }
    return proven;
  }

  private entryFor(peer: Peer): PeerExchangeEntry | undefined {
    const link = peer.link;
    if (!link) return undefined;
    const port = listenPort(peer, link);
    if (port === undefined) return undefined;
    // The address the live link runs over is proven to reach this key; others are only passed on
    // when that one cannot be (an IPv6 link-local link) and they come from the peer's own mDNS
    // announcement, never from what another peer told us (we would launder its claims).
    const proven = this.provenAddress(link);
    const announced = peer.hint?.source === 'mdns' ? peer.hint.addresses : [];
    const usable = (a: string | undefined): a is string =>
      a !== undefined && policyProblem(a, this.pexPolicy) === undefined;
    const addrs = proven
      ? [proven]
      : [...new Set(announced.map((a) => canonicalAddress(a)).filter(usable))].slice(0, MAX_PEX_ADDRESSES);
    return addrs.length === 0 ? undefined : { key: peer.id, port, addrs };
  }
}

function speaksPex(link: PeerLink): boolean {
  return link.remoteHello?.caps.includes(PEX_CAPABILITY) ?? false;
}
