// Sealed drops (issue 18): a DM for an offline recipient, deposited with other peers who hold it
// until the recipient comes online. The holder sees only the outer fields (recipient id, message
// id, expiry, size); the letter inside the sealed box is signed by its sender and read only by
// the recipient. Everything from the network is validated here, the letter too once opened.
import { canonical, IDENTITY_PATTERN, SIGNATURE_PATTERN } from './canonical-base64.js';
import { MessageFieldError } from './message-field-error.js';
import { MAX_TEXT_BYTES, nickProblem } from './names.js';

/** Largest sealed box accepted: a 16 KiB text with every character escaped in JSON fits. */
export const MAX_DROP_BOX_BYTES = 128 * 1024;
/** Drops per `drops` frame and receipts per frame (frames stay well under the 1 MiB cap). */
export const MAX_DROPS_PER_FRAME = 64;
export const MAX_RECEIPTS_PER_FRAME = 256;

/** Sender → holder: hold this for `to` until `exp` (ms since the epoch, sender's clock). */
export interface DropPut {
  t: 'drop_put';
  id: string;
  to: string;
  exp: number;
  /** The sealed letter, base64. */
  box: string;
}
/** Holder → sender: taken (`ok`) or refused, with a reason code (quota, rate, not-holding…). */
export interface DropAnswer {
  t: 'drop_ans';
  id: string;
  to: string;
  ok: boolean;
  code?: string;
}
/** One held drop handed to its recipient; `n` is the holder's handle for it. */
export interface HeldDrop {
  n: number;
  box: string;
}
/** Holder → recipient: drops held for it. */
export interface DropBatch {
  t: 'drops';
  drops: HeldDrop[];
}
/** The recipient's signature over (network, from, to, id): proof for the sender that the DM arrived
 * or, with `read`, that the recipient has seen it (a read receipt). */
export interface DropReceipt {
  id: string;
  from: string;
  to: string;
  sig: string;
  read?: true;
}
/** Recipient → holder: these handles are dealt with (delete them); receipts for those that were
 * valid letters (to pass on to their senders). */
export interface DropDone {
  t: 'drop_done';
  n: number[];
  rcpts: DropReceipt[];
}
/** Recipient → holder: read receipts for DMs whose senders are away, to hand to them. */
export interface DropRead {
  t: 'drop_read';
  rcpts: DropReceipt[];
}
/** Holder → sender: receipts the holder collected for the sender's drops. */
export interface DropReceipts {
  t: 'drop_rcpt';
  rcpts: DropReceipt[];
}

export type DropMessage = DropPut | DropAnswer | DropBatch | DropDone | DropReceipts | DropRead;

export const DROP_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'drop_put',
  'drop_ans',
  'drops',
  'drop_done',
  'drop_rcpt',
  'drop_read',
]);

/** What the sender signs and seals: the recipient checks every field. */
export interface DropLetter {
  id: string;
  from: string;
  to: string;
  nick: string;
  ts: number;
  exp: number;
  kind: 'text' | 'action';
  text: string;
  sig: string;
}

type Obj = Record<string, unknown>;

const MESSAGE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const CODE = /^[a-z0-9-]{1,32}$/;

function fail(what: string): never {
  throw new MessageFieldError(what);
}
function messageId(o: Obj, key = 'id'): string {
  const v = o[key];
  if (typeof v !== 'string' || !MESSAGE_ID.test(v) || !canonical(v, 'base64url'))
    fail(`${String(o.t)}.${key} must be a message id`);
  return v;
}
function identity(o: Obj, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || !IDENTITY_PATTERN.test(v) || !canonical(v, 'base64url'))
    fail(`${String(o.t)}.${key} must be an identity`);
  return v;
}
function signature(o: Obj): string {
  const v = o.sig;
  if (typeof v !== 'string' || !SIGNATURE_PATTERN.test(v) || !canonical(v, 'base64'))
    fail(`${String(o.t)}.sig must be 64 bytes of canonical base64`);
  return v;
}
function integer(o: Obj, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    fail(`${String(o.t)}.${key} must be an integer`);
  return v;
}
function box(o: Obj): string {
  const v = o.box;
  if (typeof v !== 'string' || v.length === 0 || v.length > Math.ceil(MAX_DROP_BOX_BYTES / 3) * 4)
    fail(`${String(o.t)}.box must be 1 byte to 128 KiB of base64`);
  if (!BASE64.test(v) || !canonical(v, 'base64')) fail(`${String(o.t)}.box is not canonical base64`);
  return v;
}
function list(o: Obj, key: string, max: number): unknown[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length > max) fail(`${String(o.t)}.${key} must be a list of at most ${max}`);
  return v;
}
function object(value: unknown, t: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`${t}: an item must be an object`);
  return { ...(value as Obj), t };
}
function receipt(value: unknown): DropReceipt {
  const o = object(value, 'drop receipt');
  const r: DropReceipt = {
    id: messageId(o),
    from: identity(o, 'from'),
    to: identity(o, 'to'),
    sig: signature(o),
  };
  if (o.read === true) r.read = true;
  return r;
}

/** Validates one drop message (its `t` is one of DROP_MESSAGE_TYPES). */
export function decodeDropMessage(o: Obj): DropMessage {
  switch (o.t) {
    case 'drop_put':
      return { t: 'drop_put', id: messageId(o), to: identity(o, 'to'), exp: integer(o, 'exp'), box: box(o) };
    case 'drop_ans': {
      const answer: DropAnswer = {
        t: 'drop_ans',
        id: messageId(o),
        to: identity(o, 'to'),
        ok: o.ok === true,
      };
      if (typeof o.code === 'string' && CODE.test(o.code)) answer.code = o.code;
      return answer;
    }
    case 'drops':
      return {
        t: 'drops',
        drops: list(o, 'drops', MAX_DROPS_PER_FRAME).map((value) => {
          const item = object(value, 'drops');
          return { n: integer(item, 'n'), box: box(item) };
        }),
      };
    case 'drop_done':
      return {
        t: 'drop_done',
        n: list(o, 'n', MAX_DROPS_PER_FRAME).map((value) => integer({ t: 'drop_done', n: value }, 'n')),
        rcpts: list(o, 'rcpts', MAX_DROPS_PER_FRAME).map(receipt),
      };
    case 'drop_rcpt':
      return { t: 'drop_rcpt', rcpts: list(o, 'rcpts', MAX_RECEIPTS_PER_FRAME).map(receipt) };
    case 'drop_read':
      return { t: 'drop_read', rcpts: list(o, 'rcpts', MAX_RECEIPTS_PER_FRAME).map(receipt) };
    default:
      return fail(`${String(o.t)} is not a drop message`);
  }
}

/** Parses an opened letter; undefined when it is not a well-formed one (the caller drops it). */
export function decodeDropLetter(bytes: Uint8Array): DropLetter | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
  try {
    const o = object(value, 'letter');
    const nick = o.nick;
    if (typeof nick !== 'string' || nick.length > 128 || nickProblem(nick)) fail('letter.nick is not a nick');
    const text = o.text;
    if (typeof text !== 'string' || text.length === 0 || Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES)
      fail('letter.text must be 1 byte to 16 KiB');
    return {
      id: messageId(o),
      from: identity(o, 'from'),
      to: identity(o, 'to'),
      nick,
      ts: integer(o, 'ts'),
      exp: integer(o, 'exp'),
      kind: o.kind === 'action' ? 'action' : 'text',
      text,
      sig: signature(o),
    };
  } catch (error) {
    if (error instanceof MessageFieldError) return undefined;
    throw error;
  }
}
