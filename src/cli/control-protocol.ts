// The control socket's wire format: one JSON object per line in both directions, each carrying
// "v":1. `lanchat send` / `lanchat peers` use it to hand work to the node already running on a
// profile. Pure (no sockets), so the validation of hostile local input is tested on its own: any
// process of the same user can write to the socket, and nothing it writes may crash the node.
import { join } from 'node:path';
import type { NodeDiagnosis } from '../core/diagnosis.js';
import type { PeerInfo, RememberedPeerInfo } from '../core/events.js';
import { roomKey, textProblem } from '../protocol/names.js';
import { jsonLine } from './json-line.js';

export const CONTROL_VERSION = 1 as const;
export const CONTROL_SOCKET_FILE = 'control.sock';
/** Longest request line the server reads; a 16 KiB message fits even with heavy JSON escaping. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Replies can be longer (a peer list on a big LAN); the client still bounds what it buffers. */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;
/** A day: longer waits belong to a running node, not to one blocked command. */
export const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const MAX_REF_CHARS = 64;
/** Nick, nick#suffix or a 43-character id, with room to spare. */
const MAX_RECIPIENT_CHARS = 128;
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/u;

/** Whether a listed peer's link is up now (`lanchat peers`, the doctor). A running lanchat from
 * before 2026-12-07 sends no `connected`: its `online` meant exactly that. Since then `online`
 * also covers a lost link's grace, when the peer is being dialled again. */
export function linkUp(peer: Pick<PeerInfo, 'online'> & { connected?: boolean }): boolean {
  return peer.connected ?? peer.online;
}

export type ControlErrorCode =
  /** Transport and framing (client or server side). */
  | 'line-too-long'
  | 'bad-encoding'
  | 'bad-json'
  | 'bad-request'
  | 'unsupported-version'
  | 'unknown-command'
  | 'too-busy'
  | 'stopping'
  /** Socket file problems found while starting the server. */
  | 'path-too-long'
  | 'not-a-socket'
  | 'in-use'
  | 'listen-failed'
  /** Client side. */
  | 'not-owner'
  | 'connection-lost'
  | 'bad-reply';

export class ControlError extends Error {
  override readonly name = 'ControlError';
  readonly code: ControlErrorCode;
  constructor(code: ControlErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function controlSocketPath(profileDir: string): string {
  return join(profileDir, CONTROL_SOCKET_FILE);
}

export type SendTarget = { to: string } | { room: string };

/** A recipient as the protocol names it: kept to id + nick so the wire format does not follow
 * every change of the core's PeerRef. */
export interface ControlPeer {
  id: string;
  nick: string;
}

export function controlPeer(peer: ControlPeer): ControlPeer {
  return { id: peer.id, nick: peer.nick };
}

export type ControlCommand =
  | ({ cmd: 'send'; text: string; timeoutMs: number } & SendTarget)
  /** Offers a file (an absolute path: the node's working directory is not the client's). */
  | { cmd: 'send-file'; to: string; path: string; timeoutMs: number }
  | { cmd: 'peers' }
  /** `lanchat doctor`: the node's view of its peers and why unconnected ones failed. */
  | { cmd: 'diagnose' };

/** `ref` is the client's tag for a request; every reply to it carries the same ref. */
export type ControlRequest = ControlCommand & { v: typeof CONTROL_VERSION; ref?: string };

export type ReplyBody =
  | ({ type: 'sent'; id: string; queued: boolean; recipients: ControlPeer[] } & (
      | { to: ControlPeer }
      | { room: string }
    ))
  | { type: 'delivered'; id: string; to: ControlPeer }
  /** Every recipient acked. For a room: every member online when it was sent (maybe none). */
  | { type: 'done'; id: string; delivered: ControlPeer[] }
  /** Not all acked in time (or the node is stopping): the rest stays in the outbox. */
  | {
      type: 'timeout';
      id: string;
      delivered: ControlPeer[];
      pending: ControlPeer[];
      reason: 'deadline' | 'stopping';
    }
  /** `remembered`: peers remembered from earlier links, with their last dial error (newer nodes). */
  | { type: 'peers'; peers: PeerInfo[]; remembered?: RememberedPeerInfo[] }
  | { type: 'diagnosis'; diagnosis: NodeDiagnosis }
  /** send-file: hashed and offered (not final). */
  | { type: 'file_offered'; id: string; to: ControlPeer; name: string; size: number; sha256: string }
  /** send-file: the receiver stored it and its SHA-256 matched. */
  | { type: 'file_done'; id: string; sha256: string }
  /** send-file: not finished in time; the node keeps offering / sending (resume). */
  | { type: 'file_pending'; id: string; state: string; reason: 'deadline' | 'stopping' }
  | { type: 'file_failed'; id: string; code: string; message: string }
  | { type: 'error'; code: string; message: string };

export type ControlReply = ReplyBody & { v: typeof CONTROL_VERSION; ref?: string };

/** Replies after which no more come for that request. */
export function isFinalReply(reply: ReplyBody): boolean {
  return reply.type !== 'sent' && reply.type !== 'delivered' && reply.type !== 'file_offered';
}

export function encodeLine(message: ControlRequest | ControlReply): string {
  return `${jsonLine(message)}\n`;
}

export function reply(body: ReplyBody, ref: string | undefined): ControlReply {
  return ref === undefined ? { v: CONTROL_VERSION, ...body } : { v: CONTROL_VERSION, ref, ...body };
}

export type ParsedRequest =
  | { ok: true; request: ControlRequest }
  | { ok: false; code: ControlErrorCode; message: string; ref?: string };

type Json = Record<string, unknown>;

/** Validates one request line. Unknown fields are ignored (a newer client may add optional ones);
 * an unknown command or version is refused with a reply, never with an exception. */
export function parseRequest(line: string): ParsedRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, code: 'bad-json', message: 'a request is one JSON object per line' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'bad-request', message: 'a request is a JSON object' };
  }
  const json = value as Json;
  const ref = typeof json.ref === 'string' && json.ref.length <= MAX_REF_CHARS ? json.ref : undefined;
  const fail = (code: ControlErrorCode, message: string): ParsedRequest =>
    ref === undefined ? { ok: false, code, message } : { ok: false, code, message, ref };
  if (json.ref !== undefined && ref === undefined) {
    return fail('bad-request', `"ref" must be a string of at most ${MAX_REF_CHARS} characters`);
  }
  if (json.v !== CONTROL_VERSION) {
    return fail('unsupported-version', `this lanchat speaks control protocol v${CONTROL_VERSION}`);
  }
  const base: { v: typeof CONTROL_VERSION; ref?: string } =
    ref === undefined ? { v: CONTROL_VERSION } : { v: CONTROL_VERSION, ref };
  switch (json.cmd) {
    case 'peers':
      return { ok: true, request: { ...base, cmd: 'peers' } };
    case 'diagnose':
      return { ok: true, request: { ...base, cmd: 'diagnose' } };
    case 'send-file': {
      const { to, path, timeoutMs } = json;
      if (
        typeof to !== 'string' ||
        to.length === 0 ||
        to.length > MAX_RECIPIENT_CHARS ||
        CONTROL_CHARS.test(to)
      )
        return fail('bad-request', '"to" must be a nick, nick#suffix or id');
      if (typeof path !== 'string' || !path.startsWith('/') || path.length > 4096 || path.includes('\0'))
        return fail('bad-request', '"path" must be an absolute path');
      if (
        typeof timeoutMs !== 'number' ||
        !Number.isInteger(timeoutMs) ||
        timeoutMs < 0 ||
        timeoutMs > MAX_TIMEOUT_MS
      )
        return fail('bad-request', `"timeoutMs" must be an integer from 0 to ${MAX_TIMEOUT_MS}`);
      return { ok: true, request: { ...base, cmd: 'send-file', to, path, timeoutMs } };
    }
    case 'send': {
      const problem = sendProblem(json);
      if (problem) return fail('bad-request', problem);
      const text = json.text as string;
      const timeoutMs = json.timeoutMs as number;
      const target: SendTarget =
        typeof json.to === 'string' ? { to: json.to } : { room: json.room as string };
      return { ok: true, request: { ...base, cmd: 'send', text, timeoutMs, ...target } };
    }
    default:
      return fail(
        'unknown-command',
        typeof json.cmd === 'string'
          ? `unknown command '${json.cmd.slice(0, 32)}' (commands: send, send-file, peers, diagnose)`
          : 'a request needs "cmd": "send" or "peers"',
      );
  }
}

function sendProblem(json: Json): string | undefined {
  const hasTo = json.to !== undefined;
  const hasRoom = json.room !== undefined;
  if (hasTo === hasRoom) return 'send needs exactly one of "to" and "room"';
  if (hasTo) {
    const to = json.to;
    if (typeof to !== 'string' || to.length === 0 || to.length > MAX_RECIPIENT_CHARS) {
      return `"to" must be a nick, nick#suffix or id of 1 to ${MAX_RECIPIENT_CHARS} characters`;
    }
    if (CONTROL_CHARS.test(to)) return '"to" must not contain control characters';
  } else {
    if (typeof json.room !== 'string') return '"room" must be a string like "#general"';
    const key = roomKey(json.room);
    if (!key.ok) return key.problem;
  }
  if (typeof json.text !== 'string') return '"text" must be a string';
  const textIssue = textProblem(json.text);
  if (textIssue) return textIssue;
  const timeout = json.timeoutMs;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 0 || timeout > MAX_TIMEOUT_MS) {
    return `"timeoutMs" must be an integer from 0 to ${MAX_TIMEOUT_MS}`;
  }
  return undefined;
}

/** Checks a reply line from the server. The server is the same user's own lanchat, but a
 * mismatched version or a damaged line must become a clear error, not a TypeError. */
export function parseReply(line: string): ControlReply {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ControlError('bad-reply', 'the running lanchat sent a line that is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlError('bad-reply', 'the running lanchat sent a reply that is not an object');
  }
  const json = value as Json;
  if (json.v !== CONTROL_VERSION) {
    throw new ControlError(
      'bad-reply',
      `the running lanchat speaks control protocol v${String(json.v)}, this one v${CONTROL_VERSION}; ` +
        'restart it with the same lanchat version',
    );
  }
  const ok = (() => {
    switch (json.type) {
      case 'sent':
        return isStr(json.id) && typeof json.queued === 'boolean' && Array.isArray(json.recipients);
      case 'delivered':
        return isStr(json.id) && isRef(json.to);
      case 'done':
        return isStr(json.id) && isRefs(json.delivered);
      case 'timeout':
        return isStr(json.id) && isRefs(json.delivered) && isRefs(json.pending);
      case 'peers':
        return Array.isArray(json.peers);
      case 'diagnosis':
        return (
          typeof json.diagnosis === 'object' &&
          json.diagnosis !== null &&
          Array.isArray((json.diagnosis as Json).peers)
        );
      case 'error':
      case 'file_failed':
        return isStr(json.code) && isStr(json.message);
      case 'file_offered':
        return isStr(json.id) && isRef(json.to) && isStr(json.sha256);
      case 'file_done':
      case 'file_pending':
        return isStr(json.id);
      default:
        return false;
    }
  })();
  if (!ok) {
    throw new ControlError(
      'bad-reply',
      `the running lanchat sent an unexpected reply (${line.slice(0, 80)})`,
    );
  }
  return json as unknown as ControlReply;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isRef = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && isStr((v as Json).id) && isStr((v as Json).nick);
const isRefs = (v: unknown): boolean => Array.isArray(v) && v.every(isRef);

/**
 * Splits a byte stream into lines, refusing to buffer more than `maxBytes` without a newline (a
 * peer that never sends one must not grow our memory). Splitting on the byte 0x0A is safe for
 * UTF-8, which never uses it inside a multi-byte character; each line is then decoded strictly.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly maxBytes: number) {}

  /** The complete lines in `chunk` (without their newline); throws ControlError on a line over
   * the limit or on invalid UTF-8. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) break;
      const piece = chunk.subarray(start, newline);
      this.check(this.size + piece.length);
      const line = this.size === 0 ? piece : Buffer.concat([...this.parts, piece]);
      this.parts = [];
      this.size = 0;
      lines.push(this.decode(line).replace(/\r$/, ''));
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      this.check(this.size + rest.length);
      this.parts.push(rest);
      this.size += rest.length;
    }
    return lines;
  }

  private check(size: number): void {
    if (size > this.maxBytes) {
      throw new ControlError('line-too-long', `a line is longer than ${this.maxBytes} bytes`);
    }
  }

  private decode(bytes: Buffer): string {
    try {
      return this.decoder.decode(bytes);
    } catch (err) {
      throw new ControlError('bad-encoding', 'a line is not valid UTF-8', { cause: err });
    }
  }
}
