import { checkNick, MAX_NICK_LENGTH } from '../identity/nick.js';

// Rules for the names people type and peers send: nicks and room names. Shared by the protocol
// validator (hostile input from the network) and the command parser (input from the user).

export const MAX_NICK_CHARS = MAX_NICK_LENGTH;
export const MAX_ROOM_CHARS = 32;
/** Text of one message, measured in UTF-8 bytes as it goes on the wire. */
export const MAX_TEXT_BYTES = 16 * 1024;

/** Problems with a nick received from a peer or typed by the user, or undefined when it is fine.
 * The rules are the identity layer's (checkNick); on top of them, a nick must arrive in exactly the
 * spelling checkNick would store (trimmed, NFKC, single spaces): honest lanchat peers always send
 * that form, so a peer that sends "Ｂob" or pads its nick is trying to look like somebody else, and
 * what we store and show is then byte for byte what was sent. */
export function nickProblem(nick: string): string | undefined {
  if (nick.trim() !== nick) return 'a nick cannot start or end with spaces';
  const checked = checkNick(nick);
  if (!checked.ok) return checked.problem;
  if (checked.nick !== nick) return `a nick must be written in its normal form ("${checked.nick}")`;
  return undefined;
}

const ROOM_NAME = /^#[\p{L}\p{N}_.-]+$/u;

/** Problems with a room name that is already normalised (see roomKey), or undefined. */
export function roomProblem(room: string): string | undefined {
  if (!room.startsWith('#')) return 'a room name starts with #, like #general';
  if ([...room].length - 1 > MAX_ROOM_CHARS) return `a room name has at most ${MAX_ROOM_CHARS} characters`;
  if (!ROOM_NAME.test(room)) return 'a room name has letters, digits, _ . - only, like #dev-team';
  return undefined;
}

/**
 * The one normalisation of a room name, used on every path (commands, node.join/part, the wire,
 * the store): rooms compare case-insensitively, like IRC channels, and a name typed in fullwidth
 * forms or with decomposed accents is the same room as its plain form. Two names that a human
 * reads as one must be one room, or a peer could run a look-alike "#general".
 */
export function normaliseRoom(room: string): string {
  // NFKC again after lower-casing: lower-casing can leave a sequence NFKC would compose (İ → i̇).
  return room.normalize('NFKC').toLowerCase().normalize('NFKC');
}

/** A room name as typed or received → its normalised key, or the problem with it. */
export function roomKey(input: string): { ok: true; room: string } | { ok: false; problem: string } {
  const room = normaliseRoom(input);
  const problem = roomProblem(room);
  return problem === undefined ? { ok: true, room } : { ok: false, problem };
}

export function textProblem(text: string): string | undefined {
  if (text.length === 0) return 'a message cannot be empty';
  if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) return 'a message has at most 16 KiB of text';
  return undefined;
}
