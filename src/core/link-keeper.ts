// One authenticated link per peer identity. A link whose handshake and hello completed is adopted
// here: checked against trust (TOFU, blocks), deduplicated when both sides dialled at once (the link
// dialled by the smaller id survives on both sides alike, with no timeout involved), and wired to
// the rest of the node; when it closes without a goodbye, the peer is given a grace to come back
// (LOST_GRACE_MS) before it is reported offline, and the dialer takes over.
import type { LinkCloseReason, PeerLink } from '../connection/peer-link.js';
import type { PeerHint } from '../discovery/discovery.js';
import { idOf } from '../identity/ids.js';
import { type PresenceState, VERDICT_CAPABILITY, type WireMessage } from '../protocol/messages.js';
import { type Store, StoreError } from '../store/store.js';
import type { CatchUp } from './catch-up.js';
import type { Clock } from './clock.js';
import type { Dialer } from './dialer.js';
import type { Drops } from './drops/drops.js';
import type { NodeEvent } from './events.js';
import type { TransferService } from './files/transfer-service.js';
import type { Messenger } from './messenger.js';
import { LinkedPeers, type PeerCapLimits } from './peer-caps.js';
import type { PeerMessages } from './peer-messages.js';
import type { Peer, PeerTable } from './peer-table.js';
import type { PeerViews } from './peer-views.js';
import { REFUSED_RETRY_MS, type Refusals } from './refusals.js';
import type { TrustBook } from './trust.js';

/** How long a link closed as "replaced by the duplicate" waits for the winner before we dial the
 * peer ourselves (still in its grace: no "offline" while we get through). */
export const REPLACED_GRACE_MS = 3_000;
/**
 * A link that timed out or was lost without a goodbye: we dial the peer again at once and call it
 * offline only when that dial finds nobody there (dialer.ts nobodyThere: refused, no route, or no
 * answer in time: a crash, a quit, a cut) or when no new link came up within this long. A peer
 * whose process merely stood still comes back within it, with no offline and online in between.
 * At 9:00 with 100 nodes on 2 cores, event loops stood still for up to 9 s; the heartbeat's 14 s
 * then called live peers gone and a link came back some 10 s later (presence flaps in the
 * benchmark). A connect timeout whose timer fired late because our own loop stood still does not
 * count as "nobody there": the answer may be waiting unread. A cable pulled on a quiet link is
 * found by keepalive and reported at once, as before (HOST_GONE_CODES).
 */
export const LOST_GRACE_MS = 15_000;
/**
 * When LOST_GRACE_MS ends while we are still getting through to the peer (a dial queued, under
 * way or scheduled, or its connection to us being accepted), we wait for it, looking again every
 * LOST_GRACE_RECHECK_MS, up to this long after the loss. At 9:00 with 100 nodes on 2 cores, every
 * one of 18 flaps in a run was a grace that ended while the dial again was still in its handshake
 * with a peer that had stood still for up to 15 s; 9 other lost peers came back after 7–15 s.
 * With this rule, the next run had 0 flaps; 11 of its 33 lost peers came back after 15–20 s.
 * A process that hangs for good (its kernel still takes connections) is reported when the dial's
 * handshake deadline (CLIENT_HANDSHAKE_TIMEOUT_MS) gives up on it, or at this bound. A cut, a
 * crash or a quit still ends the grace early (dialFailed).
 */
export const LOST_GRACE_MAX_MS = 45_000;
export const LOST_GRACE_RECHECK_MS = 1_000;
/**
 * How long a peer that promised a verdict (VERDICT_CAPABILITY) has to send it before it is shown
 * online anyway. Until then it is not shown: a peer whose trust turns us away (another key holds
 * our nick there, or it blocks us) sends its refusal right after the hellos, and we used to show
 * it online for that moment, then offline, on every retry. An honest peer sends it as soon as it
 * has read our hello (milliseconds; seconds on a host as busy as 9:00 on two cores makes it); the
 * wait only bounds a peer that never sends it.
 */
export const VERDICT_WAIT_MS = 5_000;

/** A link closed with one of these: the kernel found the peer's host gone (TCP keepalive went
 * unanswered, no route): no grace. */
const HOST_GONE_CODES = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface LinkKeeperOptions {
  selfId: string;
  clock: Clock;
  store: Store;
  peers: PeerTable;
  trust: TrustBook;
  refusals: Refusals;
  dialer: Dialer;
  catchUp: CatchUp;
  messenger: Messenger;
  transfers: TransferService | undefined;
  drops: Drops;
  views: PeerViews;
  peerMessages: PeerMessages;
  /** What we are now (nick, presence): state changed since a hello went out is sent again. */
  own: () => { nick: string; presence: PresenceState; status: string };
  stopping: () => boolean;
  inRoom: (room: string) => boolean;
  emit: (event: NodeEvent) => void;
  /** Peers linked at once, per address and in total (peer-caps.ts). */
  peerCaps?: PeerCapLimits;
  /** Identities kept in memory (MAX_KNOWN_PEERS); idle ones beyond are forgotten. */
  maxKnownPeers?: number;
  /** A lost peer's grace before it is reported offline (LOST_GRACE_MS). */
  lostGraceMs?: number;
  /** How long the grace may be drawn out while we are getting through (LOST_GRACE_MAX_MS). */
  lostGraceMaxMs?: number;
  /** VERDICT_WAIT_MS unless given (tests). */
  verdictWaitMs?: number;
  /** Are we getting through to the peer: a dial queued, under way or scheduled, or a connection
   * from its host being accepted? */
  reconnecting?: (peer: Peer) => boolean;
  /** A lost peer we have no address for: learn one from its link (where it came from, the port
   * its hello named), if that is dialable. */
  learnFromLink?: (peer: Peer, link: PeerLink) => void;
  /** Where to dial back the identity at the other end of `link` (refused ones: refusals.ts). */
  dialBack?: (link: PeerLink) => PeerHint | undefined;
  /** A link refused by a cap: logged, at most once a minute per address (warning-gate.ts). */
  refused: (address: string, message: string) => void;
  /** A peer turned our link away for who we are: tell the user (rate-limited by the node). */
  refusedBy: (peer: Peer) => void;
  /** We turned an identity away (first time since the last trust change): tell the user, at most
   * once a minute per claimed name (anyone can make keys). */
  warnRefused: (code: 'blocked' | 'impersonation', nick: string, message: string) => void;
  /** Handling a peer's message failed to write the store (disk full, read-only): tell the user. */
  storeFailed: (error: unknown, what: string) => void;
  /** A chat link was adopted (remembered peers, peer exchange). */
  linkUp?: (peer: Peer, link: PeerLink) => void;
  /** The peer's chat link closed (it has none now). */
  linkDown?: (peer: Peer) => void;
}

export class LinkKeeper {
  /** Identities that have been online this session (their presence has been reported before). */
  private readonly seenOnline = new Set<string>();
  /** Peers in their LOST_GRACE_MS, with the reason their link closed (reported if they are gone). */
  private readonly lost = new Map<string, LinkCloseReason>();
  /** What the peer caps count (peer-caps.ts). */
  private readonly linked = new LinkedPeers();

  constructor(private readonly o: LinkKeeperOptions) {}

  /** A link whose handshake and hello completed: keep exactly one per identity. */
  adopt(link: PeerLink): void {
    const o = this.o;
    const hello = link.remoteHello!;
    if (o.stopping()) return void link.close('local');
    if (link.isClosed) return; // it died between its hello and now
    const id = idOf(link.remotePublicKey);
    if (hello.purpose === 'file') {
      // A data link carries one transfer's bytes; it never joins the peer table.
      if (o.transfers && o.peers.get(id)?.link) o.transfers.onDataLink(id, link, hello);
      else link.close('protocol-error');
      return;
    }
    // Before admission: a refused identity costs no contact row and no peer-table entry.
    const overCap = this.linked.refusal(id, link.remoteAddress, o.peerCaps);
    if (overCap) {
      link.close('local');
      o.refused(link.remoteAddress, overCap);
      return;
    }
    const admission = o.trust.admit(id, hello.nick);
    if (!admission.ok) {
      // Said, so that it does not dial again at once (refusals.ts); warned once per identity.
      link.send({ t: 'close', reason: 'refused' });
      link.close('local');
      const dialBack = link.initiator ? undefined : o.dialBack?.(link);
      if (o.refusals.weRefused(id, hello.nick, dialBack))
        o.warnRefused(admission.code, hello.nick, admission.message);
      return;
    }
    o.refusals.admitted(id);
    const peer = o.peers.getOrCreate(id, link.remotePublicKey, hello.nick);
    // A link is up, so any refusal of ours by it is over (if it still refuses us, its close says
    // so in a moment: the hellos cross before its verdict).
    o.refusals.cleared(peer);
    const existing = peer.link;
    if (existing && !existing.isClosed) {
      // Two links (we both dialled): keep the one dialled by the smaller id, on both sides alike.
      const keepNew = this.dialledBySmallerId(link, id) && !this.dialledBySmallerId(existing, id);
      const loser = keepNew ? existing : link;
      loser.send({ t: 'close', reason: 'replaced' });
      if (!keepNew) {
        loser.close('replaced');
        return;
      }
      peer.link = undefined;
      o.catchUp.forget(peer);
      loser.close('replaced');
    }
    if (peer.offlineGrace) o.clock.clearTimeout(peer.offlineGrace);
    peer.offlineGrace = undefined;
    peer.hintWithdrawnAt = undefined; // it came back: as for any live link, its address stays
    this.lost.delete(id);
    peer.link = link;
    this.linked.add(id, link.remoteAddress);
    // A reconnect may bring news that was sent while we were apart: report it like a live change.
    const previousNick = peer.nick;
    const presenceChanged = peer.presence !== hello.presence || peer.status !== hello.status;
    peer.nick = hello.nick;
    peer.presence = hello.presence;
    peer.status = hello.status;
    // A live link or a grace means an earlier link was adopted, so seenOnline covers those too.
    if (this.seenOnline.has(id)) {
      if (previousNick !== hello.nick)
        o.emit({ type: 'nick', peer: o.views.ref(peer), previous: previousNick });
      if (presenceChanged) {
        o.emit({ type: 'presence', peer: o.views.ref(peer), presence: hello.presence, status: hello.status });
      }
    }
    this.seenOnline.add(id);
    // Before anything else we send on it: the peer shows us online once it has this.
    if (speaksVerdict(link)) link.send({ t: 'admitted' });
    // Normalised and at most 256 (decodeMessage); rows only for rooms we are in (room-offers.ts).
    peer.rooms = new Set(hello.rooms);
    o.dialer.connected(peer);
    peer.inFlight.clear();
    peer.sentSeq = 0;
    for (const room of peer.rooms) if (o.inRoom(room)) o.store.rooms.addMember(room, id);
    this.endVerdictWait(peer); // a link that replaced a waiting one waits for its own verdict
    // Before attach() hands us what arrived meanwhile: the verdict may be among it.
    const awaiting = !peer.shownOnline && speaksVerdict(link);
    if (awaiting) this.awaitVerdict(peer, link);
    link.on('close', (reason, error) => this.onClosed(peer, link, reason, error));
    link.on('room', () => o.messenger.pump(peer));
    link.attach((message) => this.handle(peer, link, message));
    if (!awaiting) this.showOnline(peer);
    if (admission.collidesWith.length > 0) o.peerMessages.warnCollision(peer);
    this.resync(link);
    o.messenger.pump(peer);
    o.catchUp.askPeer(peer, link);
    o.transfers?.peerOnline(peer.id);
    o.drops.peerOnline(peer, link);
    o.linkUp?.(peer, link);
  }

  /** One message from the peer. A store failure (disk full, read-only) is reported and the link
   * kept: what needed storing was not acked, or is asked for again later (catch-up, offers on the
   * next link). Anything else thrown is a bug this peer's input found: that link is closed. */
  private handle(peer: Peer, link: PeerLink, message: WireMessage): void {
    try {
      this.o.peerMessages.handle(peer, link, message);
    } catch (error) {
      this.o.storeFailed(
        error,
        `could not handle a "${message.t}" message from ${this.o.views.ref(peer).display}`,
      );
      if (!(error instanceof StoreError))
        link.close('protocol-error', error instanceof Error ? error : undefined);
    }
  }

  /** State that changed after our hello went out on `link` (it may have been sent on a duplicate
   * link that the peer dropped meanwhile) is sent again. Receivers ignore what did not change. */
  private resync(link: PeerLink): void {
    const sent = link.sentHello;
    if (!sent) return;
    const own = this.o.own();
    if (sent.nick !== own.nick) link.send({ t: 'nick', nick: own.nick });
    if (sent.presence !== own.presence || sent.status !== own.status) {
      link.send({ t: 'presence', presence: own.presence, status: own.status });
    }
    const rooms = this.o.store.rooms.joined();
    for (const room of rooms) if (!sent.rooms.includes(room)) link.send({ t: 'join', room });
    for (const room of sent.rooms) if (!rooms.includes(room)) link.send({ t: 'part', room });
  }

  /** The peer took our link (its `admitted`): shown online now if it was waiting for that. */
  admittedBy(peer: Peer, link: PeerLink): void {
    if (peer.verdictWait?.link !== link) return;
    this.endVerdictWait(peer);
    this.showOnline(peer);
  }

  private awaitVerdict(peer: Peer, link: PeerLink): void {
    const timer = this.o.clock.setTimeout(
      () => this.admittedBy(peer, link),
      this.o.verdictWaitMs ?? VERDICT_WAIT_MS,
    );
    timer.unref?.();
    peer.verdictWait = { link, timer };
  }

  private endVerdictWait(peer: Peer): void {
    if (peer.verdictWait) this.o.clock.clearTimeout(peer.verdictWait.timer);
    peer.verdictWait = undefined;
  }

  private showOnline(peer: Peer): void {
    if (peer.shownOnline) return;
    peer.shownOnline = true;
    this.o.emit({ type: 'peer_online', peer: this.o.views.info(peer) });
  }

  private dialledBySmallerId(link: PeerLink, remoteId: string): boolean {
    const dialler = link.initiator ? this.o.selfId : remoteId;
    const other = link.initiator ? remoteId : this.o.selfId;
    return dialler < other;
  }

  private onClosed(peer: Peer, link: PeerLink, reason: LinkCloseReason, error?: Error): void {
    const o = this.o;
    if (reason === 'stalled') {
      o.emit({
        type: 'warning',
        code: 'peer-stalled',
        message: `disconnected ${o.views.ref(peer).display}: ${error?.message ?? 'it does not read what we send'}`,
        peer: o.views.ref(peer),
      });
    }
    if (peer.link !== link) return; // a duplicate that lost; the peer is still online
    peer.link = undefined;
    this.linked.remove(peer.id);
    this.endVerdictWait(peer); // never shown: goneOffline reports nothing
    o.linkDown?.(peer);
    peer.inFlight.clear();
    peer.sentSeq = 0;
    o.catchUp.forget(peer);
    if (o.stopping()) return;
    if (link.refusedByPeer) {
      o.refusals.theyRefused(peer);
      o.refusedBy(peer); // after theyRefused: the warning says when we try again
      this.goneOffline(peer, 'refused');
      return;
    }
    const replaced = reason === 'replaced' || link.replacedByPeer;
    // Only when the peer's host may still be there: not when the kernel already found it gone
    // (keepalive unanswered, no route).
    const hostGone = HOST_GONE_CODES.has((error as { code?: string } | undefined)?.code ?? '');
    const lost = (reason === 'timeout' || (reason === 'connection-lost' && !hostGone)) && !link.quitByPeer;
    // A peer that only ever dialled us (it was not announced to us yet, e.g. at 9:00) is dialled
    // back where its link came from: at 100 at once, the two flaps left in a later traced run
    // (after the 'replaced' change below) were such peers.
    if ((replaced || lost) && !peer.hint) o.learnFromLink?.(peer, link);
    if (replaced) {
      // The peer keeps our other link: give it a moment to complete, then dial ourselves. Under
      // load that other link can fail on our side alone (its hello came after our deadline): at
      // 100 at once on 2 cores, the two flaps left in one traced run were peers reported offline
      // 3 s after "replaced", with nobody dialling until then.
      this.grace(peer, 'connection-lost', REPLACED_GRACE_MS, false);
      return;
    }
    if (lost && peer.hint) {
      this.grace(peer, reason, o.lostGraceMs ?? LOST_GRACE_MS, true);
      return;
    }
    this.goneOffline(peer, link.quitByPeer ? 'quit' : reason);
  }

  /** The link is gone but the peer may well be there (see LOST_GRACE_MS): it is reported offline
   * only if no new link comes within `ms` (drawn out while we are getting through, up to
   * LOST_GRACE_MAX_MS) or a dial finds nobody there. `dialNow`: dial at once; otherwise (the peer
   * said it keeps another link) only when `ms` has passed without one. */
  private grace(peer: Peer, reason: LinkCloseReason, ms: number, dialNow: boolean): void {
    const o = this.o;
    this.lost.set(peer.id, reason);
    const lostAt = o.clock.now();
    const maxMs = Math.max(ms, o.lostGraceMaxMs ?? LOST_GRACE_MAX_MS);
    let dialled = dialNow;
    const expire = (): void => {
      peer.offlineGrace = undefined;
      if (peer.link) return void this.lost.delete(peer.id);
      const left = maxMs - (o.clock.now() - lostAt);
      if (left > 0 && !dialled) {
        dialled = true;
        o.dialer.dial(peer);
      }
      if (left > 0 && o.reconnecting?.(peer)) {
        this.wait(peer, expire, Math.min(LOST_GRACE_RECHECK_MS, left));
        return;
      }
      this.lost.delete(peer.id);
      this.goneOffline(peer, reason);
    };
    this.wait(peer, expire, ms);
    if (dialNow) o.dialer.dial(peer);
  }

  private wait(peer: Peer, then: () => void, ms: number): void {
    const grace = this.o.clock.setTimeout(then, ms);
    grace.unref?.();
    peer.offlineGrace = grace;
  }

  /** A dial to one of the peer's addresses failed; `nobodyThere`: refused, or no route to its host
   * (dialer.ts nobodyThere). A peer in its grace that nobody is there for is gone: say so now,
   * not after the grace. */
  dialFailed(peer: Peer, nobodyThere: boolean): void {
    const reason = this.lost.get(peer.id);
    if (reason === undefined || !nobodyThere || peer.link) return;
    if (peer.offlineGrace) this.o.clock.clearTimeout(peer.offlineGrace);
    peer.offlineGrace = undefined;
    this.lost.delete(peer.id);
    this.goneOffline(peer, reason);
  }

  private goneOffline(peer: Peer, reason: string): void {
    if (peer.typingExpiry) this.o.clock.clearTimeout(peer.typingExpiry);
    peer.typingExpiry = undefined;
    this.o.drops.peerOffline(peer);
    if (peer.shownOnline) this.o.emit({ type: 'peer_offline', peer: this.o.views.ref(peer), reason });
    peer.shownOnline = false;
    // Discovery said it went while we were still trying it: now that is so, stop dialling.
    if (peer.hintWithdrawnAt !== undefined) this.o.dialer.dropHint(peer);
    else if (reason === 'refused') this.o.dialer.later(peer, REFUSED_RETRY_MS);
    else if (reason !== 'quit') this.o.dialer.redial(peer);
    this.o.peers.evictIdle(this.o.maxKnownPeers);
  }
}

function speaksVerdict(link: PeerLink): boolean {
  return link.remoteHello?.caps.includes(VERDICT_CAPABILITY) ?? false;
}
