// How many terminal cells a piece of text takes. Terminals draw grapheme clusters, not code points:
// "👍🏽", "👨‍👩‍👧" and "❤️" are one cluster each and take two cells in modern terminals, "é" written as
// e + U+0301 takes one. Everything that lays text out (wrapping, the input line, the blessed cell
// painter and blessed's own charWidth) asks this file, so they can never disagree.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;
const EXTENDED_PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
// Marks, format characters (ZWJ, ZWSP), Hangul medial/final jamo and variation selectors.
const ZERO_WIDTH = /^(?:\p{Mn}|\p{Me}|\p{Cf}|[\u1160-\u11ff]|\p{Variation_Selector})$/u;
const VS16 = '\ufe0f';
const ZWJ = '\u200d';

// East Asian Width W and F ranges (Unicode 15), folded into ranges worth checking by hand; the
// emoji ranges are handled by the Emoji_Presentation property instead.
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f2ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function inWideRange(cp: number): boolean {
  if (cp < 0x1100) return false;
  for (const [lo, hi] of WIDE_RANGES) {
    if (cp < lo) return false;
    if (cp <= hi) return true;
  }
  return false;
}

/** Width of one code point on its own: 0, 1 or 2 (controls count 0; sanitize them first). */
export function codePointWidth(cp: number): 0 | 1 | 2 {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  const ch = String.fromCodePoint(cp);
  if (ZERO_WIDTH.test(ch) || cp === 0x200d) return 0;
  if (cp >= 0x1f3fb && cp <= 0x1f3ff) return 2; // skin tone alone is drawn as a swatch
  if (inWideRange(cp) || EMOJI_PRESENTATION.test(ch)) return 2;
  return 1;
}

/** Width of one grapheme cluster. */
export function graphemeWidth(cluster: string): 0 | 1 | 2 {
  const first = cluster.codePointAt(0);
  if (first === undefined) return 0;
  if (first < 0x300 && cluster.length === 1) return codePointWidth(first);
  const base = codePointWidth(first);
  if (base === 2) return 2;
  // A text-style pictograph becomes a wide emoji with VS16 or as the start of a ZWJ sequence.
  if (EXTENDED_PICTOGRAPHIC.test(String.fromCodePoint(first))) {
    if (cluster.includes(VS16) || cluster.includes(ZWJ)) return 2;
  }
  // Regional indicator pairs (flags) are one wide cluster.
  if (first >= 0x1f1e6 && first <= 0x1f1ff) return 2;
  if (base === 0) {
    // A cluster of only zero-width pieces (a lone combining mark, ZWJ or VS) takes no cell.
    for (const ch of cluster) if (codePointWidth(ch.codePointAt(0) ?? 0) > 0) return 1;
    return 0;
  }
  return base;
}

// Characters that never join a neighbour into one cluster (Latin-1, general punctuation, arrows,
// box drawing, CJK punctuation without its combining tone marks, kana, CJK ideographs, fullwidth
// forms): one code unit per cluster, so the segmenter is not needed. It allocates heavily and, per
// frame, caused the GC pauses that pushed p99 frame times over 16 ms (bench:tui).
const SINGLE_UNIT =
  /^[\x20-\x7e\u00a0-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u259f\u3000-\u3029\u3030-\u303f\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff\uff01-\uff60]*$/;

export function graphemes(text: string): string[] {
  // ASCII fast path: the common case in chat, and Intl.Segmenter is comparatively slow.
  if (/^[\x20-\x7e]*$/.test(text)) return text.split('');
  if (SINGLE_UNIT.test(text)) return text.split('');
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

export function stringWidth(text: string): number {
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  let width = 0;
  for (const g of graphemes(text)) width += graphemeWidth(g);
  return width;
}

/** Cuts text to at most `width` cells (never splits a cluster) and pads with spaces to exactly it. */
export function fitWidth(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const g of graphemes(text)) {
    const w = graphemeWidth(g);
    if (used + w > width) break;
    out += g;
    used += w;
  }
  return out + ' '.repeat(Math.max(0, width - used));
}

/** Like fitWidth but ends with "…" when something was cut. */
export function ellipsize(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  return `${fitWidth(text, width - 1).trimEnd()}…`;
}
