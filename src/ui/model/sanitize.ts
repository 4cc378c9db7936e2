// Text from peers is hostile: a nick, a message or a room name must never move the cursor, change
// the window title, clear the screen, reorder text with bidi overrides or fake a line from someone
// else. Everything from the network passes through here before it reaches any view state.

// ESC-introduced sequences first (so their parameters do not survive as visible junk): CSI, OSC
// (ended by BEL or ST), DCS/SOS/PM/APC strings, and two-byte escapes. C1 equivalents too.
const ESCAPE_SEQUENCES =
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[\s\S]?/g;
// C0 (except tab/newline, handled by the caller's mode), DEL, C1, line/paragraph separators and
// every bidi control: embeddings/overrides U+202A–U+202E, isolates U+2066–U+2069, marks.

const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

export interface SanitizeOptions {
  /** Keep newlines (message bodies are wrapped line by line); nicks and room names do not. */
  multiline?: boolean;
}

/**
 * Removes escape sequences and control characters; a visible "�"-free result: removed
 * characters simply disappear, tabs become spaces.
 */
export function sanitize(text: string, options: SanitizeOptions = {}): string {
  let out = text.replace(ESCAPE_SEQUENCES, '').replace(/\r\n?/g, '\n').replace(/\t/g, '    ');
  out = out.replace(CONTROLS, '');
  if (!options.multiline) out = out.replace(/\n/g, ' ');
  // A string made of nothing but combining marks would attach to the previous cell on screen.
  if (/^\p{M}/u.test(out)) out = `\u00a0${out}`;
  return out;
}

/** For one-line names (nicks, rooms): sanitized and never empty. */
export function sanitizeName(text: string): string {
  const clean = sanitize(text).trim();
  return clean === '' ? '?' : clean;
}
