// File transfer messages. Offers and answers travel on the chat link as JSON; the bytes travel on
// a separate authenticated data link (a hello with `purpose: 'file'`) as binary frames of
// FRAME_TYPE_FILE_CHUNK, so a big file never waits in line with chat messages.
// Everything from the network is validated here; names are NOT made safe here (that is the
// receiver's job at the moment it picks a path: src/protocol/file-names.ts).
import { MessageFieldError } from './message-field-error.js';

/** Binary frame: raw file bytes, in order, continuing from the offset named in the data link's hello. */
export const FRAME_TYPE_FILE_CHUNK = 2;
/** Bytes of file data per chunk frame: large enough that frame headers cost nothing, small enough
 * that the receiver's frame decoder holds little (it buffers at most one frame). */
export const FILE_CHUNK_BYTES = 64 * 1024;
/** 2^53 - 1 is where JSON numbers stop being exact; no real file comes near it. */
export const MAX_OFFER_SIZE = Number.MAX_SAFE_INTEGER;
const MAX_NAME_CHARS = 1024;
const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;
const CODE_PATTERN = /^[a-z0-9-]{1,32}$/;

export interface FileOffer {
  t: 'file_offer';
  id: string;
  name: string;
  size: number;
  sha256: string;
}
/** The receiver accepts (or asks to resume): send from `offset`, the bytes it already holds. */
export interface FileAccept {
  t: 'file_accept';
  id: string;
  offset: number;
}
export interface FileReject {
  t: 'file_reject';
  id: string;
  /** Why, when it was the receiver's limits and not its user (`too-large`, `over-quota`,
   * `too-many-offers`); older receivers send none. */
  code?: string;
}
/** Either side gives up on a transfer (the sender's /cancel, or the receiver's). */
export interface FileCancel {
  t: 'file_cancel';
  id: string;
}
/** The receiver's verdict once every byte arrived: stored under its final name, or why not. */
export interface FileResult {
  t: 'file_result';
  id: string;
  ok: boolean;
  code?: string;
}

export type FileMessage = FileOffer | FileAccept | FileReject | FileCancel | FileResult;

export const FILE_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'file_offer',
  'file_accept',
  'file_reject',
  'file_cancel',
  'file_result',
]);

type Obj = Record<string, unknown>;

function fail(what: string): never {
  throw new MessageFieldError(what);
}

export function isTransferId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

function transferId(o: Obj): string {
  if (!isTransferId(o.id)) fail(`${String(o.t)}.id must be 8-64 characters of [A-Za-z0-9_-]`);
  return o.id;
}

function count(o: Obj, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail(`${String(o.t)}.${key} must be a byte count`);
  return v;
}

/** Validates one file message (its `t` is one of FILE_MESSAGE_TYPES). */
export function decodeFileMessage(o: Obj): FileMessage {
  switch (o.t) {
    case 'file_offer': {
      const name = o.name;
      if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_CHARS)
        fail('file_offer.name must be 1-1024 characters');
      const sha256 = o.sha256;
      if (typeof sha256 !== 'string' || !SHA256_PATTERN.test(sha256))
        fail('file_offer.sha256 must be 64 lowercase hex digits');
      return { t: 'file_offer', id: transferId(o), name, size: count(o, 'size'), sha256 };
    }
    case 'file_accept':
      return { t: 'file_accept', id: transferId(o), offset: count(o, 'offset') };
    case 'file_reject': {
      const reject: FileReject = { t: 'file_reject', id: transferId(o) };
      if (typeof o.code === 'string' && CODE_PATTERN.test(o.code)) reject.code = o.code;
      return reject;
    }
    case 'file_cancel':
      return { t: 'file_cancel', id: transferId(o) };
    case 'file_result': {
      const result: FileResult = { t: 'file_result', id: transferId(o), ok: o.ok === true };
      if (typeof o.code === 'string' && CODE_PATTERN.test(o.code)) result.code = o.code;
      return result;
    }
    default:
      return fail(`${String(o.t)} is not a file message`);
  }
}

/** What the dialler of a data link adds to its hello: which transfer, and from which byte. */
export interface DataLinkPurpose {
  purpose: 'file';
  transfer: string;
  offset: number;
}

/** Reads the data-link fields of a hello; undefined for an ordinary chat hello. */
export function decodeDataLinkPurpose(o: Obj): DataLinkPurpose | undefined {
  if (o.purpose === undefined) return undefined;
  if (o.purpose !== 'file') fail('hello.purpose is unknown');
  if (!isTransferId(o.transfer)) fail('hello.transfer must be a transfer id');
  const offset = o.offset;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    fail('hello.offset must be a byte count');
  return { purpose: 'file', transfer: o.transfer, offset };
}
