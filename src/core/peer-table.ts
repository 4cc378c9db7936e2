// Everything the node knows about each other identity: how to reach it (discovery hints), the live
// link if any, and what it told us (nick, rooms). Keyed by id (the public key, base64url).
import type { PeerLink } from '../connection/peer-link.js';
import type { PeerHint } from '../discovery/discovery.js';
import { keySuffix, splitNickSuffix } from '../identity/ids.js';
import { nickSkeleton } from '../identity/nick-skeleton.js';
import type { PresenceState } from '../protocol/messages.js';
import { normaliseRoom } from '../protocol/names.js';
import type { TimerHandle } from './clock.js';
import type { DialFailureRecord } from './diagnosis.js';

export interface Peer {
  readonly id: string;
  readonly publicKey: Uint8Array;
  /** The nick from its authenticated hello (or nick change), or the one pinned in contacts; ''
   * while `named` is false. Never from discovery. */
  nick: string;
  /** False for an identity we only heard of in discovery (no link yet, not a contact): it has no
   * name anybody can type, only its id. mDNS TXT is unauthenticated, so it never names a peer. */
  named: boolean;
  /** What its mDNS announcement claims, for "heard of" listings only: unauthenticated, never used
   * to find, show or route to a peer by name. */
  advertisedNick: string | undefined;
  /** Where to dial it: what discovery says (mDNS, --peer), else what core's own sources say
   * (`learned`); undefined when it only ever connected to us. */
  hint: PeerHint | undefined;
  /** Where core's own sources say it is (a remembered link, an invite, peer exchange), kept while a
   * discovery hint stands in front of it and dialled after that one (node.ts connect): anybody can
   * announce any key at any address, or say goodbye for it, and neither may take away an address
   * that an authenticated link once proved or that the user typed. */
  learned: PeerHint | undefined;
  /** When a changed hint last reset its backoff and dialled it at once (dialer.ts heard). */
  changedDialAt: number | undefined;
  /** The one live, hello-complete link. */
  link: PeerLink | undefined;
  /** Failed dial attempts in a row (for backoff), and since when the peer is unreachable. */
  attempts: number;
  unreachableSince: number | undefined;
  /** Dials put off in a row because a connection from its host was being accepted (dialer.ts). */
  incomingWaits: number;
  /** Why the last dial failed (for `lanchat doctor`); cleared when a link is adopted. */
  lastFailure: DialFailureRecord | undefined;
  retry: TimerHandle | undefined;
  /** A lost link's grace (link-keeper.ts): the peer is not reported offline while it runs. */
  offlineGrace: TimerHandle | undefined;
  /** peer_online was reported and no peer_offline since (link-keeper.ts). */
  shownOnline: boolean;
  /** A link up whose peer has not said yet that it took it (VERDICT_CAPABILITY): not shown online
   * until it does, or until the timer gives up waiting (link-keeper.ts). */
  verdictWait: { link: PeerLink; timer: TimerHandle } | undefined;
  /** When discovery said it went (goodbye, expiry) while we were still getting through to it (its
   * grace, or a dial under way): the hint is kept for that dial and dropped once the peer is found
   * gone (link-keeper.ts goneOffline, node.ts withdrawnDialFailed). */
  hintWithdrawnAt: number | undefined;
  /** When it last turned our link away for who we are (its trust: another key holds our nick
   * there, or it blocks us; link-keeper.ts): not dialled again for REFUSED_RETRY_MS. */
  refusedUsAt: number | undefined;
  rooms: Set<string>;
  /** Message ids sent on the current link and not yet acked (bounded by the send window). */
  inFlight: Set<string>;
  /** Outbox position of the last message put on the current link: sent once per link, unless its
   * ack is overdue (messenger.ts resends then). */
  sentSeq: number;
  /** When the oldest unacked send of the current window went out, or the last ack came. */
  ackWaitSince: number;
  /** A pump is running for this peer (an ack arriving inside it asks for another round). */
  pumping: boolean;
  pumpAgain: boolean;
  presence: PresenceState;
  status: string;
  /** Their typing indicator expires on its own if no update comes. */
  typingExpiry: TimerHandle | undefined;
  /** When we last told them we are typing (throttle). */
  typingSentAt: number;
  /** Its mDNS announcement reached us at some time this run (sticky: a later hint from another
   * source does not clear it). Multicast works between us, which peer exchange relies on. */
  heardViaMdns: boolean;
}

/** Sources that are core's own (what it remembered, was invited to or told by a peer), not a
 * discovery's: no announcement or goodbye may replace or withdraw them (node.ts learn). */
const LEARNED_SOURCES: ReadonlySet<PeerHint['source']> = new Set(['remembered', 'invite', 'pex']);

export function isLearned(hint: PeerHint): boolean {
  return LEARNED_SOURCES.has(hint.source);
}

/** Identities kept in memory beyond those in use: past it, idle ones are forgotten (evictIdle). */
export const MAX_KNOWN_PEERS = 4096;

export class PeerTable {
  private readonly byId = new Map<string, Peer>();

  /**
   * Forgets idle peers, first seen first, until at most `max` are known: each identity a Sybil
   * flood links and drops would otherwise stay here for good, and online() and match() walk them
   * all. Idle: no link, no address to dial, no timer and nothing in flight. A forgotten peer is
   * made again the moment it matters (it reconnects, is announced, or is named: its contact, nick
   * and outbox are in the store). Returns how many were forgotten.
   */
  evictIdle(max = MAX_KNOWN_PEERS): number {
    let evicted = 0;
    for (const [id, p] of this.byId) {
      if (this.byId.size <= max) break;
      const busy =
        p.link !== undefined ||
        p.hint !== undefined ||
        p.learned !== undefined ||
        p.retry !== undefined ||
        p.offlineGrace !== undefined ||
        p.verdictWait !== undefined ||
        p.typingExpiry !== undefined ||
        p.inFlight.size > 0 ||
        p.pumping;
      if (busy) continue;
      this.byId.delete(id);
      evicted++;
    }
    return evicted;
  }

  get(id: string): Peer | undefined {
    return this.byId.get(id);
  }

  /** `nick` is an authenticated or pinned nick; without one the peer stays unnamed until its hello. */
  getOrCreate(id: string, publicKey: Uint8Array, nick?: string): Peer {
    let peer = this.byId.get(id);
    if (peer && !peer.named && nick !== undefined) {
      peer.nick = nick;
      peer.named = true;
    }
    if (!peer) {
      peer = {
        id,
        publicKey,
        nick: nick ?? '',
        named: nick !== undefined,
        advertisedNick: undefined,
        hint: undefined,
        learned: undefined,
        changedDialAt: undefined,
        link: undefined,
        attempts: 0,
        unreachableSince: undefined,
        incomingWaits: 0,
        lastFailure: undefined,
        retry: undefined,
        offlineGrace: undefined,
        shownOnline: false,
        verdictWait: undefined,
        hintWithdrawnAt: undefined,
        refusedUsAt: undefined,
        rooms: new Set(),
        inFlight: new Set(),
        sentSeq: 0,
        ackWaitSince: 0,
        pumping: false,
        pumpAgain: false,
        presence: 'online',
        status: '',
        typingExpiry: undefined,
        typingSentAt: 0,
        heardViaMdns: false,
      };
      this.byId.set(id, peer);
    }
    return peer;
  }

  /** Drops an identity we only heard of (no name, no link, no hint): a peer exchange entry that
   * never connected must not stay in the table (and in /peers) for ever. */
  removeIfUnknown(id: string): void {
    const peer = this.byId.get(id);
    if (peer && !peer.named && !peer.link && !peer.hint && !peer.retry && !peer.offlineGrace)
      this.byId.delete(id);
  }

  all(): Peer[] {
    return [...this.byId.values()];
  }

  online(): Peer[] {
    return this.all().filter((p) => p.link !== undefined);
  }

  /** Online peers that are members of `room`. */
  membersOnline(room: string): Peer[] {
    const key = normaliseRoom(room);
    return this.online().filter((p) => p.rooms.has(key));
  }

  /**
   * Peers a typed name may mean: an exact id, `nick#3f2a9c01` (the key suffix shown when two
   * identities claim one nick), or a nick compared by confusable skeleton (nick-skeleton.ts), so
   * "BOB" and "bоb" mean bob. Only named peers match a nick: an mDNS claim names nobody.
   */
  match(name: string): Peer[] {
    const exact = this.byId.get(name);
    if (exact) return [exact];
    const { nick, suffix } = splitNickSuffix(name);
    const skeleton = nickSkeleton(nick);
    const found: Peer[] = [];
    for (const p of this.byId.values()) {
      if (!p.named || nickSkeleton(p.nick) !== skeleton) continue;
      if (suffix === undefined || keySuffix(p.publicKey) === suffix) found.push(p);
    }
    return found;
  }
}
