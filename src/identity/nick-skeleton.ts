// When two nicks are "the same to a human": both reduce to the same skeleton. The idea is UTS #39's
// confusable skeleton, with our own small table tuned for nicks on a terminal: every claim of a
// name is compared by skeleton (trust pins, who a typed name means, whether to show a key suffix),
// so "bоb" (Cyrillic о), "Ｂob", "BOB", "b0b" and "bob" are one name and can never pass as two
// different people, nor as the one you verified.
//
// Stricter than UTS #39 on purpose: it also folds case and drops accents. A false collision only
// costs a key suffix on screen (or a refusal the user can override with /forget); a missed one
// lets a stranger pass as a friend.
import { BoundedCache } from '../crypto/bounded-cache.js';

// Applied before case folding: capitals from other scripts whose lowercase looks different from
// the Latin letter the capital imitates (Greek Η looks like H, its lowercase η like n).
// biome-ignore format: a lookup table reads best in rows
const CAPITALS: Record<string, string> = {
  // Greek
  Α: 'a', Β: 'b', Ε: 'e', Ζ: 'z', Η: 'h', Ι: 'l', Κ: 'k', Μ: 'm', Ν: 'n', Ο: 'o', Ρ: 'p', Τ: 't',
  Υ: 'y', Χ: 'x',
  // Cyrillic
  А: 'a', В: 'b', Е: 'e', К: 'k', М: 'm', Н: 'h', О: 'o', Р: 'p', С: 'c', Т: 't', У: 'y', Х: 'x',
  Ѕ: 's', І: 'l', Ј: 'j', Ԛ: 'q', Ԝ: 'w', Ӏ: 'l',
};

// Applied after case folding and accent removal: look-alikes of Latin lowercase letters. `i`, `l`,
// `1`, `I` and `|` are one class (in many terminal fonts I and l are the same glyph, and case
// folding ties I to i), as are `o`, `O` and `0`.
// biome-ignore format: a lookup table reads best in rows
const LOOKALIKES: Record<string, string> = {
  // digits and ASCII punctuation
  '0': 'o', '1': 'l', '|': 'l', i: 'l',
  // Latin extensions and IPA
  ı: 'l', ȷ: 'j', ɑ: 'a', ɡ: 'g', ɩ: 'l', ǀ: 'l', ʙ: 'b', ᴏ: 'o', ᴄ: 'c', ᴠ: 'v', ᴡ: 'w', ᴢ: 'z',
  ɪ: 'l', ʀ: 'r', ʏ: 'y', ᴜ: 'u', ᴋ: 'k', ᴍ: 'm', ɴ: 'n', ʜ: 'h', ᴛ: 't', ᴀ: 'a', ᴇ: 'e', ᴘ: 'p',
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ħ: 'h', ł: 'l',
  // Greek lowercase
  α: 'a', β: 'b', γ: 'y', ε: 'e', ζ: 'z', η: 'n', ι: 'l', κ: 'k', μ: 'u', ν: 'v', ο: 'o', ρ: 'p',
  σ: 'o', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  // Cyrillic lowercase
  а: 'a', в: 'b', г: 'r', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', п: 'n', р: 'p', с: 'c',
  т: 't', у: 'y', х: 'x', ь: 'b', ѕ: 's', і: 'l', ї: 'l', ј: 'j', ԁ: 'd', һ: 'h', ԛ: 'q', ԝ: 'w',
  ӏ: 'l', ү: 'y', ɢ: 'g',
  // Armenian and Cherokee letters that pass for Latin ones in common fonts
  օ: 'o', ս: 'u', հ: 'h', ո: 'n', ց: 'g', Ꭺ: 'a', Ꮯ: 'c', Ꭼ: 'e',
};
// Letter pairs that read as one letter at terminal sizes; replaced after the table above, so a
// look-alike pair ("rп") is caught too.
const PAIRS: [RegExp, string][] = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
];
const MARKS = /\p{M}/gu;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
const SPACES = /\s+/gu;

/** Skeletons already computed: every name shown or matched is compared with every peer's (peer
 * table, trust), so a floor of 100 would otherwise recompute the same hundred nicks for every
 * link and every event. The function is pure, so entries never go stale. */
const MEMO_SIZE = 4096;
/** Longer strings (no valid nick is) are computed each time rather than kept. */
const MEMO_MAX_CHARS = 128;
const memo = new BoundedCache<string, string>(MEMO_SIZE);

/**
 * The comparison form of a nick: two nicks are the same to a human when their skeletons are
 * equal. Works on any string (also nicks stored before the current rules), is idempotent, and is
 * never shown to anybody.
 */
export function nickSkeleton(nick: string): string {
  if (nick.length > MEMO_MAX_CHARS) return computeSkeleton(nick);
  let skeleton = memo.get(nick);
  if (skeleton === undefined) {
    // Bounded: nicks come from the network, so a flood of new ones must not grow this for ever.
    skeleton = computeSkeleton(nick);
    memo.set(nick, skeleton);
  }
  return skeleton;
}

function computeSkeleton(nick: string): string {
  let s = nick.normalize('NFKD').replace(INVISIBLE, '');
  s = [...s].map((c) => CAPITALS[c] ?? c).join('');
  // Full case folding (ß → ss, ς → σ, ﬀ → ff) rather than toLowerCase; JavaScript has no fold, and
  // upper-then-lower is the usual stand-in. NFKD again: folding can produce decomposable letters.
  s = s.toUpperCase().toLowerCase().normalize('NFKD').replace(MARKS, '');
  s = [...s].map((c) => LOOKALIKES[c] ?? c).join('');
  for (const [pair, one] of PAIRS) s = s.replace(pair, one);
  return s.replace(SPACES, ' ').trim();
}

/** True when `a` and `b` would look like the same name to a person reading a screen. */
export function sameNick(a: string, b: string): boolean {
  return nickSkeleton(a) === nickSkeleton(b);
}
