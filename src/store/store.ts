// The persistence role, as core sees it: messages (with persisted dedupe), the per-recipient outbox,
// TOFU contact pins, rooms, and full-text search. The only implementation is SQLite
// (sqlite-store.ts); tests use it on a temp file or ':memory:'. No better-sqlite3 type leaks here,
// so core depends on this file alone (see .dependency-cruiser.cjs).
//
// The API is synchronous on purpose: better-sqlite3 is synchronous, a local write is ~10 µs, and a
// sync API lets core keep "save, then ack" strictly ordered without awaiting.

/** Longest message text the store accepts, in UTF-8 bytes (issue 4: 16 KiB of text). */
export const MAX_TEXT_BYTES = 16 * 1024;

/** The conversation every node is in; it cannot be parted. */
export const GENERAL_ROOM = '#general';

export type MessageKind = 'text' | 'action';
export type MessageDirection = 'in' | 'out';

/**
 * A message as stored. `conversation` is `#room` for rooms and `@<peerId>` for DMs, where peerId is
 * the OTHER party (the sender for an incoming DM, the recipient for an outgoing one).
 */
export interface StoredMessage {
  /** Chosen by the sender; unique per sender: (senderId, id) is the dedupe key, so an id belongs to
   * its author and nobody else's message can take it. */
  id: string;
  conversation: string;
  senderId: string;
  /** The sender's nick when the message was sent (nicks change; history should not). */
  senderNick: string;
  text: string;
  kind: MessageKind;
  /** Sender's clock, ms since the epoch. Ordering key for history and catch-up. */
  ts: number;
  /** Our clock when we stored it, ms. */
  receivedAt: number;
  direction: MessageDirection;
  /** True when it arrived through room catch-up rather than live. */
  history: boolean;
  /** The author's signature over a room message (base64), kept so it can be relayed in catch-up. */
  signature?: string;
  /** Which signed encoding `signature` uses (core/room-signature.ts); absent means 1. */
  signatureVersion?: number;
}

/** Which stored message: ids are unique per sender, not across senders. */
export type MessageKey = Pick<StoredMessage, 'id' | 'senderId'>;

/** A position in a conversation: messages strictly before (ts, id) are returned. */
export interface HistoryCursor {
  ts: number;
  id: string;
}

export interface HistoryOptions {
  before?: HistoryCursor;
  limit: number;
}

export interface SearchOptions {
  limit: number;
  /** Restrict to one conversation (`#room` or `@peerId`). */
  conversation?: string;
}

export interface MessageStore {
  /**
   * Stores a message received from a peer (live or catch-up). Returns false, and changes nothing,
   * when a message with this id from this sender was already stored, even in an earlier run: this
   * is what makes delivery exactly-once on screen. One transaction (message + search index).
   */
  saveIncoming(message: StoredMessage): boolean;
  /**
   * Stores a message we send and queues it for each recipient, atomically, so a crash cannot leave a
   * sent message without its outbox entries. Returns false when the id already exists.
   */
  saveOutgoing(message: StoredMessage, recipientIds: readonly string[]): boolean;
  /** The message with this id from `senderId`; without a sender, the first stored with this id. */
  get(id: string, senderId?: string): StoredMessage | undefined;
  /** Received messages stored but not yet shown to the user (a crash came in between), oldest first. */
  unshown(limit: number): StoredMessage[];
  /** Records that these messages reached the user's screen or the headless output. */
  markShown(messages: readonly MessageKey[]): void;
  /** One page of a conversation: the newest `limit` before the cursor, in chronological order. */
  history(conversation: string, options: HistoryOptions): StoredMessage[];
  /**
   * For answering a catch-up request: the newest `limit` messages of `room` with ts >= sinceTs,
   * ordered by (ts, id). The caller applies the policy (e.g. last 7 days, 1,000 per room).
   */
  roomMessagesSince(room: string, sinceTs: number, limit: number): StoredMessage[];
  /**
   * Where catch-up of a conversation may resume: the newest of min(ts, receivedAt) over its
   * messages with ts >= sinceTs. receivedAt is our own clock, so a peer's far-future ts cannot
   * move this past the moment we stored its message; an older ts only makes us ask for more.
   */
  catchupCursor(conversation: string, sinceTs: number): number | undefined;
  /**
   * Full-text search over all messages, newest first (by sender ts). Words in scripts without
   * spaces (Chinese, Japanese) are found inside sentences, down to one character; Latin words match
   * by prefix, ignoring case and accents. Any user text is safe: it is never parsed as FTS syntax.
   */
  search(query: string, options: SearchOptions): StoredMessage[];
}

export type DeliveryStatus = 'queued' | 'delivered' | 'read';

export interface DeliveryRecord {
  messageId: string;
  recipientId: string;
  status: DeliveryStatus;
  queuedAt: number;
  deliveredAt?: number;
  readAt?: number;
}

/** The persistent outbox: one row per (message, recipient), kept after delivery as receipt state. */
export interface OutboxStore {
  /** Queues an already stored message for a recipient. False when it was already queued. */
  enqueue(messageId: string, recipientId: string): boolean;
  /** Messages still 'queued' for a recipient, in the order they were enqueued (not by clock). */
  pendingFor(recipientId: string, limit?: number): StoredMessage[];
  /**
   * Like pendingFor, from a cursor: the queued messages whose queue position is after `afterSeq`,
   * with that position, so a sender can page through the outbox without reading what it already
   * put on the wire (0 = from the start).
   */
  pendingAfter(
    recipientId: string,
    afterSeq: number,
    limit: number,
  ): { seq: number; message: StoredMessage }[];
  /** Recipients with at least one queued message (to retry on start or when they come online). */
  pendingRecipients(): string[];
  /** Idempotent; true only when this call changed the status from 'queued'. */
  markDelivered(messageId: string, recipientId: string): boolean;
  /** Idempotent; implies delivered. True only when this call changed the status to 'read'. */
  markRead(messageId: string, recipientId: string): boolean;
  /** Per-recipient state of one message; empty when it was never queued. */
  deliveryState(messageId: string): DeliveryRecord[];
}

/** A pinned identity (trust on first use). The id is the public key itself (base64url). */
export interface Contact {
  id: string;
  /** The nick it last claimed. Nicks are claims, not identities. */
  nick: string;
  firstSeen: number;
  lastSeen: number;
  verified: boolean;
  blocked: boolean;
}

export interface PinResult {
  contact: Contact;
  /** True on first contact: this call created the pin. */
  created: boolean;
  /** The nick it claimed before, when this call changed it. */
  previousNick?: string;
}

export interface ContactStore {
  /** Pins on first contact, otherwise records the nick it claims now and lastSeen. Never re-keys. */
  pin(id: string, nick: string): PinResult;
  get(id: string): Contact | undefined;
  list(): Contact[];
  /** Every pinned identity whose last nick looks like `nick` to a human (same nickSkeleton: case,
   * width, accents and confusable letters do not count): there may be several. */
  findByNick(nick: string): Contact[];
  /** Removes the pin (and its verified/blocked flags). True when there was one. */
  forget(id: string): boolean;
  /** True when the contact exists. */
  setVerified(id: string, verified: boolean): boolean;
  /** True when the contact exists. */
  setBlocked(id: string, blocked: boolean): boolean;
}

export interface RoomStore {
  /** Rooms this node is in, `#general` first, then by join time. */
  joined(): string[];
  /** True when newly joined. */
  join(room: string): boolean;
  /** True when it was joined. `#general` cannot be parted (returns false). */
  part(room: string): boolean;
  /** Records that a peer is a member of a room (learned from peers); refreshes lastSeen. */
  addMember(room: string, memberId: string): void;
  removeMember(room: string, memberId: string): boolean;
  /** Known member ids of a room, most recently seen first. */
  members(room: string): string[];
}

export type TransferDirection = 'in' | 'out';
export type TransferState = 'offered' | 'accepted' | 'done' | 'failed' | 'rejected' | 'cancelled';

/** A file transfer as persisted on either side, so offers and partial files survive restarts. */
export interface TransferRecord {
  /** Chosen by the sender; unique per node (an incoming offer reusing a known id is refused). */
  id: string;
  direction: TransferDirection;
  peerId: string;
  peerNick: string;
  /** The name as offered (raw on the sender, as received on the receiver: not yet made safe). */
  name: string;
  size: number;
  sha256: string;
  state: TransferState;
  /** Sender: the file being sent. */
  sourcePath?: string;
  /** Receiver: the directory chosen at accept time (the partial file lives in it). */
  dir?: string;
  /** Receiver: where the verified file now is. */
  finalPath?: string;
  /** Receiver: bytes known to be on disk (written and fsynced); resume starts here. */
  verified: number;
  errorCode?: string;
  errorMessage?: string;
  createdAt: number;
  updatedAt: number;
}

export interface TransferStore {
  /** Inserts or replaces the whole record. */
  put(record: TransferRecord): void;
  get(id: string): TransferRecord | undefined;
  /** Most recent first. */
  list(limit?: number): TransferRecord[];
  /** Transfers that are neither finished nor given up (offered or accepted). */
  open(): TransferRecord[];
}

/** The database's size, and making room in it (the history quota, core/history-quota.ts). */
export interface DiskUsage {
  /** Bytes of the database in use (pages not on the free list). */
  usedBytes(): number;
  /** Removes up to `limit` of the oldest stored room messages, never DMs, our messages still
   * queued for someone, or messages not yet shown; returns how many were removed (0: none left). */
  pruneRoomHistory(limit: number): number;
}

/** A sealed drop held for another peer (core/drops): ciphertext we cannot read, and what we know
 * about it (who gave it to us, for whom, its size, when it expires). */
export interface HeldDropRecord {
  /** Our handle for it (never reused). */
  seq: number;
  depositor: string;
  recipient: string;
  /** The message id the depositor named (unique per depositor and recipient). */
  id: string;
  box: Uint8Array;
  receivedAt: number;
  expiresAt: number;
}

export interface DropUsage {
  count: number;
  bytes: number;
}

/** A receipt kept by a holder for the depositor of a drop it handed over (delivered), or for the
 * sender of a DM its recipient read while the sender was away (read). */
export interface HeldReceipt {
  recipient: string;
  id: string;
  sig: string;
  read?: boolean;
}

/** One outgoing DM as `/outbox` shows it: its direct delivery state and its drops. */
export interface OutboxEntry {
  messageId: string;
  recipientId: string;
  text: string;
  ts: number;
  status: DeliveryStatus;
  deliveredAt?: number;
  /** When a holder brought the recipient's signed receipt (delivered "via relay"). */
  relayedAt?: number;
  /** Peers that accepted a drop of it. */
  holders: number;
  /** When its drops expire (undefined when it was never deposited). */
  dropExpiresAt?: number;
}

export interface DropStore {
  // -- holding drops for others --
  /** Stores a drop; false when this depositor already gave us this id for this recipient. */
  hold(drop: Omit<HeldDropRecord, 'seq'>): boolean;
  /** Count and bytes held: for one depositor, one recipient, or in total. */
  usage(of: { depositor: string } | { recipient: string } | 'total'): DropUsage;
  /** Drops held for `recipient` after handle `afterSeq`, oldest first, not yet expired at `now`. */
  heldFor(recipient: string, afterSeq: number, now: number, limit: number): HeldDropRecord[];
  /** The drop this depositor gave us for this recipient under this id, if we still hold it. */
  heldKey(depositor: string, recipient: string, id: string): number | undefined;
  /** Deletes the drops with these handles held for `recipient`; returns how many were deleted. */
  release(recipient: string, seqs: readonly number[]): number;
  /** Deletes expired drops and receipts; returns how many drops went. */
  expire(now: number): number;
  /** Keeps a receipt to hand to `depositor` when it comes online (until `expiresAt`). */
  keepReceipt(depositor: string, receipt: HeldReceipt, expiresAt: number): void;
  receiptsFor(depositor: string, limit: number): HeldReceipt[];
  /** How many receipts we keep: for one recipient, or in total. */
  receiptCount(of: { recipient: string } | 'total'): number;
  forgetReceipts(depositor: string, receipts: readonly HeldReceipt[]): void;
  // -- our own DMs, deposited with others --
  /** A holder accepted a drop of our message; false when it had already. */
  recordDeposit(messageId: string, recipientId: string, holderId: string, expiresAt: number): boolean;
  /** Holders that accepted a drop of this message. */
  holders(messageId: string, recipientId: string): string[];
  /** A signed receipt for our message arrived through a holder; false when one had already. */
  markRelayed(messageId: string, recipientId: string): boolean;
  /** Recipients with at least one of our DMs still queued for them (room messages not counted). */
  queuedDmRecipients(limit: number): string[];
  /** Newest first: DMs still queued, and DMs that were deposited with holders. */
  outbox(limit: number): OutboxEntry[];
  // -- who is online with whom (to pick holders the recipient is likely to meet) --
  /** `peer` and each of `others` were online at the same time, just now. */
  sawTogether(peer: string, others: readonly string[]): void;
  /** Peers most recently seen online together with `peer`, most recent first. */
  seenWith(peer: string, limit: number): string[];
}

/** Addresses kept per remembered peer, and remembered peers kept at most (oldest go first). */
export const MAX_REMEMBERED_ADDRESSES = 4;
export const MAX_REMEMBERED_PEERS = 500;

/** A peer we had a working link with: where it was, for dialling it directly after a restart. */
export interface RememberedPeer {
  id: string;
  /** Its listening port. */
  port: number;
  /** Best (most recently working) first; at most MAX_REMEMBERED_ADDRESSES. */
  addresses: string[];
  lastConnected: number;
  /** Why the last dial to it failed, if it did after its last connection. */
  lastError?: string;
  lastErrorAt?: number;
}

export interface RememberedPeerStore {
  /** A link to `id` worked through `address`: it goes first, lastConnected is now, the error is
   * cleared. Beyond MAX_REMEMBERED_PEERS the longest unseen peer is dropped. */
  remember(id: string, address: string, port: number): void;
  get(id: string): RememberedPeer | undefined;
  /** Most recently connected first. */
  list(): RememberedPeer[];
  /** Records the last dial failure of a remembered peer (nothing happens for others). */
  noteError(id: string, message: string): void;
  /** True when it was remembered. */
  forget(id: string): boolean;
  /** Drops peers not connected since `before` (ms); returns how many. */
  expire(before: number): number;
}

export interface Store {
  readonly messages: MessageStore;
  readonly outbox: OutboxStore;
  readonly contacts: ContactStore;
  readonly rooms: RoomStore;
  readonly transfers: TransferStore;
  readonly disk: DiskUsage;
  readonly drops: DropStore;
  readonly remembered: RememberedPeerStore;
  /** Runs fn in one transaction (nested calls become savepoints); rolls back when it throws. */
  transaction<T>(fn: () => T): T;
  /** Idempotent. Any later call throws StoreError 'closed'. */
  close(): void;
}

export type StoreErrorCode =
  /** Not a database, not a lanchat database, or an integrity check failed. The file is left as is. */
  | 'corrupt'
  /** Another process holds the database (probably another lanchat on this profile). */
  | 'locked'
  /** The file or its directory cannot be read or written by this user. */
  | 'permission'
  /** Written by a newer lanchat (schema version above ours); left as is. */
  | 'newer-schema'
  /** The disk (or the user's quota) holding the database is full: nothing was written. */
  | 'disk-full'
  /** The database or its file system became read-only (remounted, chmod): nothing was written. */
  | 'read-only'
  /** Other I/O failure: missing directory, I/O error. */
  | 'io'
  /** A caller passed a value the store refuses (over-long text, malformed conversation key). */
  | 'invalid-input'
  /** Used after close(). */
  | 'closed';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  /** The database file concerned (':memory:' for in-memory stores). */
  readonly path: string;

  constructor(code: StoreErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}
