// How text becomes searchable, pure and shared by indexing and querying (they must agree).
//
// FTS5's unicode61 tokenizer splits on spaces and punctuation, which leaves a Chinese or Japanese
// sentence as one giant token, so `世界` would never be found inside `你好世界今天`. The trigram
// tokenizer finds substrings, but MATCH cannot use it for queries under 3 characters, and 2-char
// words are the norm in Chinese. So we index a derived column instead: runs of CJK characters
// become overlapping bigrams followed by the run's last character (`天气很好` → `天气 气很 很好 好`),
// everything else stays as it is and goes through unicode61 (case folding, accents removed).
// Then a 2+ character CJK query is the phrase of its bigrams (adjacent tokens = a substring), and a
// 1-character query is a prefix query, which matches because every character of a run starts
// some token. Emoji are separated into tokens of their own, so `🎉` finds messages containing it.

/** The tokenizer of the messages_fts table; `M* So` keep combining marks and emoji as tokens. */
export const FTS_TOKENIZER = "unicode61 remove_diacritics 2 categories 'L* N* Co M* So'";

/** Queries beyond this are cut: no user needs it, and it bounds the work one search can cause. */
export const MAX_QUERY_TERMS = 16;

const CJK_LETTER = /^(?=\p{L})[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}\p{scx=Bopomofo}]$/u;
const EMOJI = /^\p{Extended_Pictographic}$/u;
/** Emoji glue: zero-width joiner, variation selectors, skin tone modifiers, tags. */
const EMOJI_GLUE = /^[\u200d\ufe0e\ufe0f\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]$/u;
/** Fast path: most messages contain none of these and are indexed verbatim. */
const NEEDS_SEGMENTING =
  /[\p{Extended_Pictographic}\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}\p{scx=Bopomofo}]/u;
const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

type Segment = { kind: 'cjk' | 'other'; text: string } | { kind: 'emoji'; text: string };

function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let kind: 'cjk' | 'other' | undefined;
  let run = '';
  const flush = (): void => {
    if (kind !== undefined && run !== '') out.push({ kind, text: run });
    run = '';
    kind = undefined;
  };
  for (const char of text) {
    if (EMOJI.test(char)) {
      flush();
      out.push({ kind: 'emoji', text: char });
      continue;
    }
    if (EMOJI_GLUE.test(char)) {
      flush();
      continue;
    }
    const next = CJK_LETTER.test(char) ? 'cjk' : 'other';
    if (next !== kind) flush();
    kind = next;
    run += char;
  }
  flush();
  return out;
}

function bigrams(run: string): string[] {
  const chars = Array.from(run);
  const grams: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) grams.push(`${chars[i]}${chars[i + 1]}`);
  return grams;
}

/** The text stored in the FTS column for a message. */
export function indexTerms(text: string): string {
  const normal = text.normalize('NFKC');
  if (!NEEDS_SEGMENTING.test(normal)) return normal;
  const parts: string[] = [];
  for (const segment of segments(normal)) {
    if (segment.kind === 'cjk') {
      parts.push(...bigrams(segment.text), Array.from(segment.text).at(-1) ?? '');
    } else {
      parts.push(segment.text);
    }
  }
  return parts.join(' ');
}

/**
 * The FTS5 MATCH expression for what a user typed, or undefined when it holds nothing searchable.
 * Every term is a double-quoted string built only from letters, digits and marks (or one emoji),
 * so FTS syntax in user text (`"`, `*`, `-`, `NEAR`, `AND`, parentheses, column filters) is inert.
 * Terms are ANDed.
 */
export function matchExpression(query: string): string | undefined {
  const terms: string[] = [];
  for (const segment of segments(query.normalize('NFKC'))) {
    if (segment.kind === 'emoji') {
      terms.push(`"${segment.text}"`);
    } else if (segment.kind === 'cjk') {
      const grams = bigrams(segment.text);
      terms.push(grams.length === 0 ? `"${segment.text}"*` : `"${grams.join(' ')}"`);
    } else {
      for (const word of segment.text.match(WORD) ?? []) terms.push(`"${word}"*`);
    }
  }
  if (terms.length === 0) return undefined;
  return terms.slice(0, MAX_QUERY_TERMS).join(' ');
}
