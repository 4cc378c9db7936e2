// The visible part of a buffer. Only the lines on screen are wrapped (and their rows cached per
// width), so a buffer of 100,000 lines costs no more to draw than one of 30. Scrolling moves an
// anchor (a line and one of its rows) instead of an offset from the end, so it stays O(page).
import type { ChatBuffer, ScrollAnchor } from './chat-buffer.js';
import type { ChatLine } from './chat-line.js';
import { formatLine, type LineGeometry, markerRow } from './line-format.js';
import type { Row } from './style.js';

interface Cached {
  width: number;
  nickWidth: number;
  delivery: ChatLine['delivery'];
  rows: Row[];
}

const cache = new WeakMap<ChatLine, Cached>();

export function rowsOf(line: ChatLine, g: LineGeometry): Row[] {
  const hit = cache.get(line);
  if (hit && hit.width === g.width && hit.nickWidth === g.nickWidth && hit.delivery === line.delivery) {
    return hit.rows;
  }
  const rows = formatLine(line, g);
  cache.set(line, { width: g.width, nickWidth: g.nickWidth, delivery: line.delivery, rows });
  return rows;
}

export interface WindowView {
  /** Exactly `height` rows, top to bottom (blank rows above short buffers). */
  rows: Row[];
  /** The oldest line held is on screen: time to ask the store for earlier history. */
  atTop: boolean;
}

function liveAnchor(buffer: ChatBuffer, g: LineGeometry): ScrollAnchor | undefined {
  const newest = buffer.lines.newest();
  return newest ? { seq: newest.seq, row: rowsOf(newest, g).length - 1 } : undefined;
}

export function visibleWindow(buffer: ChatBuffer, g: LineGeometry, height: number): WindowView {
  const out: Row[] = [];
  const anchor = buffer.scroll ?? liveAnchor(buffer, g);
  let atTop = true;
  if (anchor) {
    const last = buffer.lines.last;
    let seq = anchor.seq;
    let rowLimit = anchor.row;
    while (out.length < height && seq >= buffer.lines.first) {
      const line = buffer.lines.get(seq);
      if (!line) break;
      if (buffer.readMarker === seq && seq < last) out.push(markerRow(g.width));
      const rows = rowsOf(line, g);
      for (let r = Math.min(rowLimit, rows.length - 1); r >= 0 && out.length < height; r--) {
        out.push(rows[r] as Row);
      }
      rowLimit = Number.POSITIVE_INFINITY;
      seq--;
    }
    atTop = seq < buffer.lines.first;
  }
  while (out.length < height) out.push([]);
  return { rows: out.reverse(), atTop };
}

/** Scrolls up by `count` rows (PgUp: a page minus one). Returns true when it hit the top. */
export function scrollUp(buffer: ChatBuffer, g: LineGeometry, count: number, height: number): boolean {
  const anchor = buffer.scroll ?? liveAnchor(buffer, g);
  if (!anchor) return true;
  let { seq, row } = anchor;
  row -= count;
  while (row < 0) {
    const previous = buffer.lines.get(seq - 1);
    if (!previous) {
      row = 0;
      break;
    }
    seq--;
    row += rowsOf(previous, g).length;
  }
  // Never scroll so far that the top of the buffer leaves blank rows above it.
  const top = rowsAbove(buffer, g, seq, row, height);
  if (top.short) {
    const bottom = anchorBelowTop(buffer, g, height);
    seq = bottom.seq;
    row = bottom.row;
  }
  const live = liveAnchor(buffer, g);
  if (live && seq === live.seq && row >= live.row) {
    toLive(buffer);
    return top.short;
  }
  if (buffer.scroll === undefined) buffer.more = 0;
  buffer.scroll = { seq, row };
  return top.short;
}

export function scrollDown(buffer: ChatBuffer, g: LineGeometry, count: number): void {
  if (!buffer.scroll) return;
  let { seq, row } = buffer.scroll;
  row += count;
  for (;;) {
    const line = buffer.lines.get(seq);
    if (!line) {
      toLive(buffer);
      return;
    }
    const n = rowsOf(line, g).length;
    if (row < n) break;
    row -= n;
    seq++;
  }
  if (seq > buffer.lines.last) {
    toLive(buffer);
    return;
  }
  const live = liveAnchor(buffer, g);
  if (live && seq === live.seq && row >= live.row) {
    toLive(buffer);
    return;
  }
  buffer.scroll = { seq, row };
}

export function toLive(buffer: ChatBuffer): void {
  buffer.scroll = undefined;
  buffer.more = 0;
}

/** Whether fewer than `height` rows exist from the top of the buffer down to (seq,row). */
function rowsAbove(buffer: ChatBuffer, g: LineGeometry, seq: number, row: number, height: number) {
  let total = row + 1;
  for (let s = seq - 1; s >= buffer.lines.first && total < height; s--) {
    const line = buffer.lines.get(s);
    if (line) total += rowsOf(line, g).length;
  }
  return { short: total < height };
}

/** The anchor that shows the first `height` rows of the buffer. */
function anchorBelowTop(buffer: ChatBuffer, g: LineGeometry, height: number): ScrollAnchor {
  let remaining = height;
  for (let s = buffer.lines.first; s <= buffer.lines.last; s++) {
    const line = buffer.lines.get(s);
    if (!line) break;
    const n = rowsOf(line, g).length;
    if (n >= remaining) return { seq: s, row: remaining - 1 };
    remaining -= n;
  }
  const newest = buffer.lines.newest();
  return newest ? { seq: newest.seq, row: rowsOf(newest, g).length - 1 } : { seq: 0, row: 0 };
}
