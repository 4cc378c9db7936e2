// JSON for the terminal. JSON.stringify escapes C0 controls but leaves C1 (U+0080–U+009F) raw,
// and a terminal reading UTF-8 may act on them: U+009B is CSI, U+009D starts an OSC. A peer's
// nick or text printed by the headless mode (or a --json command) is therefore escaped here as
// \u0080…\u009f, along with the line and paragraph separators and the bidi controls, which some
// tools treat as line breaks or reorder. The escapes are plain JSON: a parser reads back the
// very same string.
const UNSAFE = /[\u0080-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;

export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
