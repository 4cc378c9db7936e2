// blessed's own width tables predate emoji (it counts "😀" as one cell and pushes every border to
// the right). Both of blessed's width sources are replaced by lanchat's: charWidth (used when the
// screen is drawn) and chars.all (used when element content is parsed). They must change together.
import blessed from 'blessed';
import { codePointWidth, graphemes, graphemeWidth } from '../model/display-width.js';

let patched = false;

// Wide code points outside the astral planes blessed already pads (CJK, fullwidth, BMP emoji).
const WIDE_FOR_CONTENT =
  /([\u1100-\u115f\u231a\u231b\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6]|(?![\u{10000}-\u{10ffff}])\p{Emoji_Presentation}|[\u{20000}-\u{2fffd}\u{30000}-\u{3fffd}])/gu;

export function patchBlessedUnicode(): void {
  if (patched) return;
  patched = true;
  const original = blessed.unicode.charWidth;
  blessed.unicode.charWidth = (str: string | number, i = 0): number => {
    if (typeof str === 'number') return codePointWidth(str);
    const code = str.charCodeAt(i);
    if (code === 0x09) return original(str, i);
    if (code < 0x300) return code < 0x20 || (code >= 0x7f && code < 0xa0) ? 0 : 1;
    // A low surrogate continues the cluster counted at its high surrogate.
    if (code >= 0xdc00 && code <= 0xdfff) return 0;
    // One code unit left: it is the whole cluster (the painter's usual cell, e.g. a border).
    if (str.length - i === 1) return codePointWidth(code);
    // The painter puts a whole cluster in one cell; width is the cluster's.
    const first = graphemes(str.slice(i, i + 32))[0] ?? '';
    return graphemeWidth(first);
  };
  blessed.unicode.chars.all = WIDE_FOR_CONTENT;
}
