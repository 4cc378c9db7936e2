// Rules for the names people type and peers send: nicks and room names. Shared by the protocol
// validator (hostile input from the network) and the command parser (input from the user).

export const MAX_NICK_CHARS = 32;
export const MAX_ROOM_CHARS = 32;
/** Text of one message, measured in UTF-8 bytes as it goes on the wire. */
export const MAX_TEXT_BYTES = 16 * 1024;

// C0/C1 controls, DEL, bidi overrides and isolates, line/paragraph separators: never part of a
// name, because a name is printed inline next to other people's text.
const FORBIDDEN_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

export function nickProblem(nick: string): string | undefined {
  if (nick.trim() !== nick) return 'a nick cannot start or end with spaces';
  if (nick.length === 0) return 'a nick cannot be empty';
  if ([...nick].length > MAX_NICK_CHARS) return `a nick has at most ${MAX_NICK_CHARS} characters`;
  if (FORBIDDEN_IN_NAME.test(nick)) return 'a nick cannot contain control or direction characters';
  if (/[#@]/.test(nick[0] ?? '')) return 'a nick cannot start with # or @';
  return undefined;
}

const ROOM_NAME = /^#[\p{L}\p{N}_.-]+$/u;

export function roomProblem(room: string): string | undefined {
  if (!room.startsWith('#')) return 'a room name starts with #, like #general';
  if ([...room].length - 1 > MAX_ROOM_CHARS) return `a room name has at most ${MAX_ROOM_CHARS} characters`;
  if (!ROOM_NAME.test(room)) return 'a room name has letters, digits, _ . - only, like #dev-team';
  return undefined;
}

/** Room names compare case-insensitively, like IRC channels. */
export function normaliseRoom(room: string): string {
  return room.normalize('NFC').toLowerCase();
}

export function textProblem(text: string): string | undefined {
  if (text.length === 0) return 'a message cannot be empty';
  if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) return 'a message has at most 16 KiB of text';
  return undefined;
}
