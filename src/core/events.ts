// What the node tells its user interfaces (the headless JSON mode, the terminal UI, `send`).
// These shapes are the documented headless contract: change them only compatibly.
import type { PresenceState } from '../protocol/messages.js';

export interface PeerRef {
  id: string;
  /** The nick the peer claims. */
  nick: string;
  /** How to show it: the nick, or `nick#3f2a9c01` (a 32-bit key suffix) while another identity
   * claims a look-alike nick. Nicks cannot contain `#`, so a peer cannot fake the suffix. */
  display: string;
  /** The key suffix in `display`, when it has one (front ends draw it in a style of their own). */
  suffix?: string;
  /** "not the bob#66687aad you verified": the nick imitates a verified or earlier contact. */
  warning?: string;
  /** The user compared safety numbers with this identity (/verify). */
  verified: boolean;
}
export interface PeerInfo extends PeerRef {
  /** Only for a peer heard of in mDNS and never connected: the nick its announcement claims.
   * Unauthenticated (anybody can announce any nick for any key): never a name to route by. */
  advertisedNick?: string;
  address: string;
  /** Shown online: true from its `peer_online` event until its `peer_offline`, as the events say.
   * A peer whose link was lost stays online through the short grace while it is dialled again
   * (link-keeper.ts LOST_GRACE_MS), with `connected` false meanwhile. */
  online: boolean;
  /** A link the peer has taken is up now: what we send goes out at once. */
  connected: boolean;
  presence: PresenceState;
  status: string;
  blocked: boolean;
}

/** A peer remembered from an earlier link (for `lanchat doctor` and `/peers`): where it was last
 * reached, and why the last dial to it failed, if it did since. */
export interface RememberedPeerInfo {
  id: string;
  /** Its nick when it is known (connected this run, or pinned). */
  nick?: string;
  addresses: string[];
  port: number;
  lastConnected: number;
  lastError?: string;
  lastErrorAt?: number;
  online: boolean;
}

export type Recipient = { to: PeerRef } | { room: string };

export interface MessageView {
  id: string;
  from: PeerRef;
  text: string;
  ts: number;
  kind: 'text' | 'action';
  /** `to` for DMs (to me, or from me to them), `room` for room messages. */
  to?: PeerRef;
  room?: string;
  /** True when it arrived through room catch-up (it happened while we were away). */
  history?: boolean;
}

/** A file transfer as `/transfers` lists it. */
export interface TransferView {
  id: string;
  direction: 'in' | 'out';
  peer: PeerRef;
  /** Incoming: the safe name it is (or will be) saved under; outgoing: the file's base name. */
  name: string;
  size: number;
  sha256: string;
  state: 'offered' | 'accepted' | 'done' | 'failed' | 'rejected' | 'cancelled';
  /** Bytes transferred so far (incoming: on disk). */
  bytes: number;
  /** Outgoing: the file sent; incoming: the final file once done. */
  path?: string;
  error?: { code: string; message: string };
}

/** One outgoing DM as `/outbox` lists it: where it is now. */
export interface OutboxView {
  id: string;
  to: PeerRef;
  text: string;
  ts: number;
  /** queued: only here (the recipient was not met); deposited: also held by `holders` peers;
   * delivered / read: the recipient has it (`via` says how we learned it); expired: its drops
   * expired undelivered (it stays queued here, for when we meet the recipient). */
  state: 'queued' | 'deposited' | 'delivered' | 'read' | 'expired';
  via?: 'direct' | 'relay';
  holders: number;
  /** When its drops expire at the holders. */
  expires?: number;
}

export type NodeEvent =
  | { type: 'ready'; id: string; nick: string; port: number }
  | { type: 'peer_online'; peer: PeerInfo }
  | { type: 'peer_offline'; peer: PeerRef; reason: string }
  | ({ type: 'sent'; id: string; text: string; ts: number; queued: boolean } & Recipient)
  | ({ type: 'message' } & MessageView)
  /** `via: 'relay'`: the recipient's signed receipt came through a peer that held a drop of it. */
  | { type: 'delivered'; id: string; to: PeerRef; via?: 'relay' }
  /** A peer accepted a sealed drop of a DM to an offline recipient; `holders` so far. */
  | { type: 'deposited'; id: string; to: PeerRef; holders: number }
  | { type: 'read'; id: string; by: PeerRef }
  | { type: 'joined'; room: string; members: PeerRef[] }
  | { type: 'parted'; room: string }
  | { type: 'member_joined'; room: string; peer: PeerRef }
  | { type: 'member_parted'; room: string; peer: PeerRef }
  /** A peer is in a room we are not in: an offer the user may take up with /join, nothing more. */
  | { type: 'room_offer'; room: string; peer: PeerRef }
  | { type: 'nick'; peer: PeerRef; previous: string }
  | { type: 'presence'; peer: PeerRef; presence: PresenceState; status: string }
  | { type: 'own_presence'; presence: PresenceState; status: string; auto: boolean }
  | { type: 'typing'; peer: PeerRef; active: boolean }
  | { type: 'catchup_done'; room: string; from: PeerRef; received: number }
  | { type: 'file_offer'; id: string; from: PeerRef; name: string; size: number; sha256: string }
  | {
      type: 'file_offered';
      id: string;
      to: PeerRef;
      name: string;
      size: number;
      sha256: string;
      path: string;
    }
  | { type: 'file_accepted'; id: string; direction: 'in' | 'out'; peer: PeerRef; offset: number }
  | { type: 'file_progress'; id: string; direction: 'in' | 'out'; bytes: number; size: number; rate: number }
  | { type: 'file_done'; id: string; direction: 'in' | 'out'; path: string; sha256: string; size: number }
  | { type: 'file_failed'; id: string; direction: 'in' | 'out'; code: string; message: string }
  | { type: 'warning'; code: string; message: string; peer?: PeerRef }
  | { type: 'error'; code: string; message: string };

export type NodeEventListener = (event: NodeEvent) => void;
