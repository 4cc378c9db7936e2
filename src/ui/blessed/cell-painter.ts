// Writes styled rows straight into blessed's cell buffer. One grapheme cluster per cell, a wide
// cluster followed by a filler cell that blessed's draw skips: this is what keeps borders straight
// after CJK and emoji, and it is why no peer text ever goes through blessed's tag parser.
import type { Widgets } from 'blessed';
import { graphemes, graphemeWidth } from '../model/display-width.js';
import type { Rect } from '../model/layout.js';
import type { Row, Style } from '../model/style.js';

const DEFAULT_COLOUR = 0x1ff;

/** blessed's attribute word: flags << 18 | fg << 9 | bg. */
export function attrOf(style: Style | undefined): number {
  const flags = (style?.bold ? 1 : 0) | (style?.underline ? 2 : 0) | (style?.inverse ? 8 : 0);
  const fg = style?.fg ?? DEFAULT_COLOUR;
  const bg = style?.bg ?? DEFAULT_COLOUR;
  return (flags << 18) | (fg << 9) | bg;
}

export function paintRows(screen: Widgets.Screen, rect: Rect, rows: readonly Row[], fill?: Style): void {
  const fillAttr = attrOf(fill);
  for (let y = 0; y < rect.height; y++) {
    const line = screen.lines[rect.top + y];
    if (!line) continue;
    let x = 0;
    const put = (attr: number, ch: string) => {
      const cell = line[rect.left + x];
      if (cell && (cell[0] !== attr || cell[1] !== ch)) {
        cell[0] = attr;
        cell[1] = ch;
        line.dirty = true;
      }
      x++;
    };
    for (const segment of rows[y] ?? []) {
      const attr = segment.style ? attrOf({ ...fill, ...segment.style }) : fillAttr;
      for (const g of graphemes(segment.text)) {
        const w = graphemeWidth(g);
        if (w === 0) continue;
        if (x + w > rect.width) {
          x = rect.width;
          break;
        }
        put(attr, g);
        if (w === 2) put(attr, ' ');
      }
    }
    while (x < rect.width) put(fillAttr, ' ');
  }
}
