// Word wrapping by display width. Breaks after spaces when a word fits on the next row; a word
// wider than a whole row (a URL, a run of CJK, which has no spaces) is split between clusters.
import { graphemes, graphemeWidth } from './display-width.js';

/** Wraps one paragraph or several (split on "\n") into rows of at most `width` cells. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const rows: string[] = [];
  for (const paragraph of text.split('\n')) rows.push(...wrapParagraph(paragraph, w));
  return rows;
}

function wrapParagraph(text: string, width: number): string[] {
  const rows: string[] = [];
  let row = '';
  let rowWidth = 0;
  // Position in `row` just after the last space, with the width up to there.
  let breakAt = -1;
  let breakWidth = 0;
  for (const g of graphemes(text)) {
    const gw = graphemeWidth(g);
    if (rowWidth + gw > width) {
      if (g === ' ') {
        // A space at the break point is swallowed by the break itself.
        rows.push(row);
        row = '';
        rowWidth = 0;
        breakAt = -1;
        continue;
      }
      if (breakAt > 0) {
        rows.push(row.slice(0, breakAt).trimEnd());
        row = row.slice(breakAt);
        rowWidth -= breakWidth;
        if (rowWidth + gw > width) {
          // The carried word plus a wide cluster still does not fit: split the word too.
          rows.push(row);
          row = '';
          rowWidth = 0;
        }
      } else {
        rows.push(row);
        row = '';
        rowWidth = 0;
      }
      breakAt = -1;
    }
    row += g;
    rowWidth += gw;
    if (g === ' ') {
      breakAt = row.length;
      breakWidth = rowWidth;
    }
  }
  rows.push(row);
  return rows;
}
