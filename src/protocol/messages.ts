// The application messages peers exchange inside an authenticated, encrypted session. Each is a
// JSON object with a type tag `t`; everything received is validated here before core sees it.
// Unknown types from a newer peer decode as `undefined` (ignored), never as an error.

import { canonicalAddress } from './address-policy.js';
import { canonical, IDENTITY_PATTERN, SIGNATURE_PATTERN } from './canonical-base64.js';
import { DROP_MESSAGE_TYPES, type DropMessage, decodeDropMessage } from './drop-messages.js';
import {
  type DataLinkPurpose,
  decodeDataLinkPurpose,
  decodeFileMessage,
  FILE_MESSAGE_TYPES,
  type FileMessage,
} from './file-messages.js';
import { MessageFieldError } from './message-field-error.js';
import { MAX_TEXT_BYTES, nickProblem, roomKey } from './names.js';

export const PROTOCOL_VERSION = 1;

export type PresenceState = 'online' | 'away' | 'busy';

export interface Hello {
  t: 'hello';
  v: number;
  nick: string;
  presence: PresenceState;
  status: string;
  caps: string[];
  rooms: string[];
  /** The port the sender accepts connections on, so that a peer that only ever was dialled by it
   * can remember it, and tell others (peer exchange). Absent from older versions. */
  port?: number;
  /** Set on a data link (file bytes), absent on the chat link. */
  purpose?: DataLinkPurpose['purpose'];
  transfer?: string;
  offset?: number;
}
export interface ChatMessage {
  t: 'msg';
  id: string;
  ts: number;
  text: string;
  kind: 'text' | 'action';
  /** A room message when set; a direct message to the receiving identity otherwise. */
  room?: string;
  /** Room messages: the author's Ed25519 signature (base64), so other members can relay it. */
  sig?: string;
  /** Room messages: the version of the signed encoding (room-signature.ts); absent = 1. */
  sv?: number;
  /** Room messages signed with sv 2: the author's nick as signed (shown with the message). */
  nick?: string;
}
export interface Ack {
  t: 'ack';
  id: string;
}
export interface Ping {
  t: 'ping';
  n: number;
}
export interface Pong {
  t: 'pong';
  n: number;
}
export interface Join {
  t: 'join';
  room: string;
}
export interface Part {
  t: 'part';
  room: string;
}
export interface NickChange {
  t: 'nick';
  nick: string;
}
/** Sent just before a deliberate close, so the peer can tell "this duplicate connection is being
 * replaced by the other one" from "I am leaving" from "I do not accept you" (our trust turned its
 * identity away: another key holds its nick here, or it is blocked), which it must not redial at
 * once. An older lanchat reads any reason but `replaced` as `quit`. */
export interface CloseNotice {
  t: 'close';
  reason: 'replaced' | 'quit' | 'refused';
}

/** "I took your link": sent first after admitting a peer whose hello lists VERDICT_CAPABILITY,
 * so that it shows us online only once we accepted it (a refusal comes as a close instead). */
export interface Admitted {
  t: 'admitted';
}

/** A peer that lists this capability sends `admitted` after taking our link. */
export const VERDICT_CAPABILITY = 'verdict';

export interface PresenceChange {
  t: 'presence';
  presence: PresenceState;
  status: string;
}
/** DM typing indicator: `active` true while typing (repeated at most every few seconds). */
export interface Typing {
  t: 'typing';
  active: boolean;
}
/** Read receipts for DMs the receiver has shown to its user. */
export interface ReadReceipt {
  t: 'read';
  ids: string[];
}
/** "Send me the room messages since `since` (ms), at most `limit`." */
export interface CatchupRequest {
  t: 'catchup_req';
  room: string;
  since: number;
  limit: number;
}
/** A room message relayed from the store, with its author and the author's signature. */
export interface RelayedMessage {
  id: string;
  ts: number;
  text: string;
  kind: 'text' | 'action';
  author: string;
  nick: string;
  sig: string;
  /** The version of the signed encoding (room-signature.ts); absent = 1, which signs no nick. */
  sv?: number;
}
export interface Catchup {
  t: 'catchup';
  room: string;
  messages: RelayedMessage[];
  /** True on the last batch of an answer. */
  done: boolean;
}

/** Peer exchange: other peers the sender has an authenticated link with, and where it reaches
 * them. Hints only: the key in each entry is what the handshake must prove (core/peer-exchange.ts). */
export interface PeerExchangeEntry {
  /** The described peer's id (its public key, base64url). */
  key: string;
  port: number;
  /** Canonical IP addresses, without zone. */
  addrs: string[];
}
export interface PeerExchange {
  t: 'peers';
  peers: PeerExchangeEntry[];
}
export const MAX_PEX_ENTRIES = 16;
export const MAX_PEX_ADDRESSES = 4;

export type WireMessage =
  | Hello
  | ChatMessage
  | Ack
  | Ping
  | Pong
  | Join
  | Part
  | NickChange
  | CloseNotice
  | Admitted
  | PresenceChange
  | Typing
  | ReadReceipt
  | CatchupRequest
  | Catchup
  | PeerExchange
  | FileMessage
  | DropMessage;

export class ProtocolError extends Error {
  readonly code: 'bad-json' | 'bad-message';
  constructor(code: ProtocolError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

const MAX_ID_CHARS = 64;
const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
const MAX_STATUS_CHARS = 200;
const MAX_LIST = 256;
const MAX_CAP_CHARS = 32;
const MAX_SIG_CHARS = 128;
/** Catch-up batches and read receipts are bounded so one frame stays well under the 1 MiB cap. */
export const MAX_CATCHUP_BATCH = 50;
export const MAX_READ_IDS = 256;

type Obj = Record<string, unknown>;

function fail(what: string): never {
  throw new ProtocolError('bad-message', what);
}
function str(o: Obj, key: string, max: number): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`${String(o.t)}.${key} must be a string`);
  if (v.length > max) fail(`${String(o.t)}.${key} is too long`);
  return v;
}
function int(o: Obj, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail(`${String(o.t)}.${key} must be an integer`);
  return v;
}
function id(o: Obj): string {
  const v = str(o, 'id', MAX_ID_CHARS);
  if (!ID_PATTERN.test(v)) fail('message id has invalid characters');
  if (!canonical(v, 'base64url')) fail('message id is not canonical base64url');
  return v;
}
/** Room names arrive normalised (names.ts, roomKey): core never sees two spellings of one room. */
function room(o: Obj): string {
  const key = roomKey(str(o, 'room', 64));
  if (!key.ok) fail(`room: ${key.problem}`);
  return key.room;
}
function nick(o: Obj): string {
  const v = str(o, 'nick', 128);
  const problem = nickProblem(v);
  if (problem) fail(`nick: ${problem}`);
  return v;
}
function sig(o: Obj): string {
  const v = str(o, 'sig', MAX_SIG_CHARS);
  if (!SIGNATURE_PATTERN.test(v) || !canonical(v, 'base64'))
    fail('a signature is 64 bytes of canonical base64');
  return v;
}
/** The signed-encoding version: absent means 1; anything else must be a known version. */
function signatureVersion(o: Obj): number | undefined {
  if (o.sv === undefined) return undefined;
  const v = int(o, 'sv');
  if (v !== 1 && v !== 2) fail(`${String(o.t)}.sv ${v} is not a known signature version`);
  return v;
}
function text(o: Obj): string {
  const v = str(o, 'text', MAX_TEXT_BYTES);
  if (v.length === 0 || Buffer.byteLength(v, 'utf8') > MAX_TEXT_BYTES) fail('text must be 1 byte to 16 KiB');
  return v;
}
function presence(value: unknown): PresenceState {
  return value === 'away' || value === 'busy' ? value : 'online';
}
function relayed(value: unknown): RelayedMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('a relayed message is an object');
  const o: Obj = { ...(value as Obj), t: 'catchup' };
  const author = str(o, 'author', 43);
  if (!IDENTITY_PATTERN.test(author) || !canonical(author, 'base64url')) fail('catchup.author must be an id');
  const message: RelayedMessage = {
    id: id(o),
    ts: int(o, 'ts'),
    text: text(o),
    kind: o.kind === 'action' ? 'action' : 'text',
    author,
    nick: nick(o),
    sig: sig(o),
  };
  const sv = signatureVersion(o);
  if (sv !== undefined) message.sv = sv;
  return message;
}
function strings(o: Obj, key: string, each: (s: string) => boolean): string[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length > MAX_LIST) fail(`${String(o.t)}.${key} must be a short list`);
  return v.filter((s): s is string => typeof s === 'string' && each(s));
}

/** A hello's rooms, normalised and without duplicates; invalid names are skipped. */
function roomList(o: Obj): string[] {
  const rooms = new Set<string>();
  for (const name of strings(o, 'rooms', () => true)) {
    const key = roomKey(name);
    if (key.ok) rooms.add(key.room);
  }
  return [...rooms];
}

/** Parses one decrypted application frame. Returns undefined for a well-formed message of a type
 * this version does not know (forward compatibility); throws ProtocolError for anything else. */
export function decodeMessage(payload: Uint8Array): WireMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (cause) {
    throw new ProtocolError('bad-json', 'a frame is not valid JSON', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('a message must be an object');
  const o = value as Obj;
  switch (o.t) {
    case 'hello': {
      const hello: Hello = {
        t: 'hello',
        v: int(o, 'v'),
        nick: nick(o),
        presence: presence(o.presence),
        status: typeof o.status === 'string' ? o.status.slice(0, MAX_STATUS_CHARS) : '',
        caps: strings(o, 'caps', (s) => s.length <= MAX_CAP_CHARS),
        rooms: roomList(o),
      };
      if (typeof o.port === 'number' && Number.isSafeInteger(o.port) && o.port >= 1 && o.port <= 65535)
        hello.port = o.port;
      const data = fileField(() => decodeDataLinkPurpose(o));
      return data ? { ...hello, ...data } : hello;
    }
    case 'msg': {
      const message: ChatMessage = {
        t: 'msg',
        id: id(o),
        ts: int(o, 'ts'),
        text: text(o),
        kind: o.kind === 'action' ? 'action' : 'text',
      };
      if (o.room !== undefined) message.room = room(o);
      if (o.sig !== undefined) message.sig = sig(o);
      const sv = signatureVersion(o);
      if (sv !== undefined) message.sv = sv;
      if (o.nick !== undefined) message.nick = nick(o);
      return message;
    }
    case 'ack':
      return { t: 'ack', id: id(o) };
    case 'ping':
      return { t: 'ping', n: int(o, 'n') };
    case 'pong':
      return { t: 'pong', n: int(o, 'n') };
    case 'join':
      return { t: 'join', room: room(o) };
    case 'part':
      return { t: 'part', room: room(o) };
    case 'nick':
      return { t: 'nick', nick: nick(o) };
    case 'close':
      return { t: 'close', reason: o.reason === 'replaced' || o.reason === 'refused' ? o.reason : 'quit' };
    case 'admitted':
      return { t: 'admitted' };
    case 'presence':
      return {
        t: 'presence',
        presence: presence(o.presence),
        status: typeof o.status === 'string' ? o.status.slice(0, MAX_STATUS_CHARS) : '',
      };
    case 'typing':
      return { t: 'typing', active: o.active === true };
    case 'read': {
      const ids = o.ids;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_READ_IDS)
        fail('read.ids must be a short list');
      return { t: 'read', ids: ids.map((value) => id({ t: 'read', id: value })) };
    }
    case 'catchup_req': {
      const limit = int(o, 'limit');
      return { t: 'catchup_req', room: room(o), since: int(o, 'since'), limit };
    }
    case 'catchup': {
      const messages = o.messages;
      if (!Array.isArray(messages) || messages.length > MAX_CATCHUP_BATCH)
        fail('catchup.messages must be a short list');
      return { t: 'catchup', room: room(o), messages: messages.map(relayed), done: o.done === true };
    }
    case 'peers': {
      const list = o.peers;
      if (!Array.isArray(list) || list.length > MAX_PEX_ENTRIES) fail('peers.peers must be a short list');
      return { t: 'peers', peers: list.map(pexEntry) };
    }
    default:
      if (typeof o.t === 'string' && FILE_MESSAGE_TYPES.has(o.t))
        return fileField(() => decodeFileMessage(o));
      if (typeof o.t === 'string' && DROP_MESSAGE_TYPES.has(o.t))
        return fileField(() => decodeDropMessage(o));
      if (typeof o.t !== 'string') fail('a message needs a type');
      return undefined;
  }
}

function pexEntry(value: unknown): PeerExchangeEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('a peers entry is an object');
  const o: Obj = { ...(value as Obj), t: 'peers' };
  const key = str(o, 'key', 43);
  if (!IDENTITY_PATTERN.test(key) || !canonical(key, 'base64url')) fail('peers.key must be an id');
  const port = int(o, 'port');
  if (port < 1 || port > 65535) fail('peers.port must be a port');
  const addrs = o.addrs;
  if (!Array.isArray(addrs) || addrs.length > MAX_PEX_ADDRESSES) fail('peers.addrs must be a short list');
  // Only canonical spellings without a zone: one address is one string, so bounds count addresses.
  const valid = addrs.filter(
    (a): a is string =>
      typeof a === 'string' && a.length <= 64 && !a.includes('%') && canonicalAddress(a) === a,
  );
  return { key, port, addrs: [...new Set(valid)] };
}

function fileField<T>(decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    if (cause instanceof MessageFieldError) throw new ProtocolError('bad-message', cause.message, { cause });
    throw cause;
  }
}

export function encodeMessage(message: WireMessage): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(message), 'utf8'));
}
