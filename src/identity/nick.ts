// A nick is a display-name claim, not an identity (two keys may claim one name; the UI tells them
// apart by key suffix). It still has to be safe to print on someone else's terminal, so the rules
// live here, next to the ids, for the CLI and for names received from peers alike.

export const MAX_NICK_LENGTH = 32;

// Control characters could move the cursor or recolour a peer's terminal; bidirectional overrides
// and isolates could make "alice" render as someone else's name.
const FORBIDDEN = /[\p{Cc}\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

export type NickCheck = { ok: true; nick: string } | { ok: false; problem: string };

/** Trims and NFC-normalises; 1–32 characters (code points), no control or bidi characters. */
export function checkNick(raw: string): NickCheck {
  const nick = raw.normalize('NFC').trim();
  const length = [...nick].length;
  if (length === 0) return { ok: false, problem: 'a nick must not be empty' };
  if (length > MAX_NICK_LENGTH) {
    return {
      ok: false,
      problem: `a nick has at most ${MAX_NICK_LENGTH} characters (this one has ${length})`,
    };
  }
  if (FORBIDDEN.test(nick)) return { ok: false, problem: 'a nick must not contain control characters' };
  return { ok: true, nick };
}
