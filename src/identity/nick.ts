// What a nick may be. A nick is a display-name claim, not an identity (two keys may claim one name;
// the UI tells them apart by key suffix), but it is printed on other people's screens, so every
// character in it must be one the reader can see, and one spelling must mean one name.
// Reference: RFC 8266 (PRECIS Nickname profile), made stricter where a LAN attacker gains from the
// leniency. Comparison ("are these two the same to a human?") lives in nick-skeleton.ts.

export const MAX_NICK_LENGTH = 32;

// Mapped, not rejected (RFC 8266 §2.2): these change how a name is spelled, not how it looks, so
// taking the mapped form costs nothing and makes one name have one stored spelling.
// - NFKC folds compatibility forms: fullwidth "Ｂob" → "Bob", ligatures, mathematical letters, and
//   composes "e" + U+0308 into "ë". After NFKC the only space left is U+0020 or a Zs we reject.
// - Runs of spaces become one, ends are trimmed: "bob  smith" and "bob smith" look alike.
const SPACES = /\p{Zs}+/gu;

// Rejected, each for a reason a human reading the name cannot check:
// - Cc controls move the cursor or recolour the terminal (escape sequences).
// - Cf format characters and every Default_Ignorable_Code_Point render as nothing: zero-width
//   spaces/joiners (U+200B–U+200D), U+2060 word joiner, U+061C Arabic letter mark, U+FEFF,
//   variation selectors, tag characters U+E0000–U+E007F, Hangul fillers (U+3164), soft hyphen.
//   "bob\u200b" would look exactly like "bob". This also rejects emoji ZWJ sequences and VS16
//   emoji presentation: a nick is not the place for them.
// - bidi embeddings, overrides, isolates and marks (Cf as well) reorder what is shown.
// - Zl/Zp line and paragraph separators break a line; Co private use and Cn unassigned code
//   points render differently on every terminal (or as nothing); Cs lone surrogates are not text.
// - U+2800 braille blank and U+115F/U+1160 Hangul fillers draw an empty cell.
// - `#` and `@` anywhere: `nick#suffix` is how we disambiguate two keys and `@id` how commands name
//   a key; a nick that could contain them could print someone else's disambiguator.
const FORBIDDEN =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}\p{Default_Ignorable_Code_Point}\u2800\u115f\u1160#@]/u;
// A leading combining mark draws over whatever the screen shows before the name.
const LEADING_MARK = /^\p{M}/u;
// Something visible has to be there: a name of only punctuation or symbols ("...", "-") is hard to
// tell from the frame around it.
const VISIBLE = /[\p{L}\p{N}\p{So}]/u;

export type NickCheck = { ok: true; nick: string } | { ok: false; problem: string };

/** Maps `raw` to its one stored spelling (NFKC, single spaces, trimmed) and checks it: 1–32 code
 * points, nothing invisible or control-like, no `#` or `@`. */
export function checkNick(raw: string): NickCheck {
  const mapped = raw.normalize('NFKC');
  // Checked before trimming: trim() would silently drop a BOM or a line separator at either end.
  const bad = FORBIDDEN.exec(mapped);
  if (bad) return { ok: false, problem: `a nick must not contain ${describe(bad[0])}` };
  const nick = mapped.replace(SPACES, ' ').trim();
  const length = [...nick].length;
  if (length === 0) return { ok: false, problem: 'a nick must not be empty' };
  if (length > MAX_NICK_LENGTH) {
    return {
      ok: false,
      problem: `a nick has at most ${MAX_NICK_LENGTH} characters (this one has ${length})`,
    };
  }
  if (LEADING_MARK.test(nick)) return { ok: false, problem: 'a nick must not start with a combining mark' };
  if (!VISIBLE.test(nick)) return { ok: false, problem: 'a nick needs at least one letter, digit or symbol' };
  return { ok: true, nick };
}

/** True when `nick` is exactly the stored spelling checkNick gives (what a peer must send). */
export function isCanonicalNick(nick: string): boolean {
  const checked = checkNick(nick);
  return checked.ok && checked.nick === nick;
}

function describe(char: string): string {
  if (char === '#' || char === '@') return `"${char}" (it is used for key suffixes and ids)`;
  const code = char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `control characters, or invisible or formatting ones (U+${code})`;
}
