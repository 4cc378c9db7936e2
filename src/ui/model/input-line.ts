// The state of the line being typed, in grapheme clusters so the cursor never lands inside "👍🏽"
// or between a letter and its accent. Emacs keys as in readline; history on ↑/↓ keeps the draft.
import { graphemes, graphemeWidth } from './display-width.js';

const HISTORY_LIMIT = 500;
const isWordChar = (g: string) => /[\p{L}\p{N}_]/u.test(g);

export class InputLine {
  private chars: string[] = [];
  private pos = 0;
  private readonly history: string[] = [];
  /** Index into history while browsing with ↑/↓; history.length = the draft. */
  private browsing = 0;
  private draft = '';
  /** Last text removed by Ctrl-W/U/K, for Ctrl-Y. */
  private killed = '';

  get text(): string {
    return this.chars.join('');
  }

  /** Cursor position in grapheme clusters. */
  get cursor(): number {
    return this.pos;
  }

  set(text: string, cursor?: number): void {
    this.chars = graphemes(text);
    this.pos = Math.min(this.chars.length, cursor ?? this.chars.length);
  }

  insert(text: string): void {
    const added = graphemes(text);
    // Re-segment around the cursor: a combining mark or VS16 typed after a letter joins it.
    const before = graphemes(this.chars.slice(0, this.pos).join('') + added.join(''));
    const after = this.chars.slice(this.pos);
    this.chars = [...before, ...after];
    this.pos = before.length;
  }

  left(): void {
    this.pos = Math.max(0, this.pos - 1);
  }
  right(): void {
    this.pos = Math.min(this.chars.length, this.pos + 1);
  }
  home(): void {
    this.pos = 0;
  }
  end(): void {
    this.pos = this.chars.length;
  }

  wordLeft(): void {
    this.pos = this.wordStartBefore(this.pos);
  }

  wordRight(): void {
    let p = this.pos;
    while (p < this.chars.length && !isWordChar(this.chars[p] ?? '')) p++;
    while (p < this.chars.length && isWordChar(this.chars[p] ?? '')) p++;
    this.pos = p;
  }

  backspace(): void {
    if (this.pos === 0) return;
    this.chars.splice(this.pos - 1, 1);
    this.pos--;
  }

  deleteForward(): void {
    this.chars.splice(this.pos, 1);
  }

  /** Ctrl-W: the word before the cursor (and the spaces after it), like readline's unix-word-rubout. */
  killWordBack(): void {
    let p = this.pos;
    while (p > 0 && this.chars[p - 1] === ' ') p--;
    while (p > 0 && this.chars[p - 1] !== ' ') p--;
    this.killed = this.chars.splice(p, this.pos - p).join('');
    this.pos = p;
  }

  /** Ctrl-U */
  killToStart(): void {
    this.killed = this.chars.splice(0, this.pos).join('');
    this.pos = 0;
  }

  /** Ctrl-K */
  killToEnd(): void {
    this.killed = this.chars.splice(this.pos).join('');
  }

  /** Ctrl-Y */
  yank(): void {
    if (this.killed) this.insert(this.killed);
  }

  /** Enter: returns the line, remembers it and starts a new one. */
  submit(): string {
    const line = this.text;
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > HISTORY_LIMIT) this.history.shift();
    }
    this.browsing = this.history.length;
    this.draft = '';
    this.set('');
    return line;
  }

  historyUp(): void {
    if (this.browsing === 0) return;
    if (this.browsing === this.history.length) this.draft = this.text;
    this.browsing--;
    this.set(this.history[this.browsing] ?? '');
  }

  historyDown(): void {
    if (this.browsing >= this.history.length) return;
    this.browsing++;
    this.set(this.browsing === this.history.length ? this.draft : (this.history[this.browsing] ?? ''));
  }

  /** The word being typed at the cursor, for completion: [start index, text]. */
  wordAtCursor(): { start: number; word: string } {
    let start = this.pos;
    while (start > 0 && this.chars[start - 1] !== ' ') start--;
    return { start, word: this.chars.slice(start, this.pos).join('') };
  }

  /** Replaces clusters [start, cursor) with `text` (completion). */
  replaceBeforeCursor(start: number, text: string): void {
    const added = graphemes(text);
    this.chars.splice(start, this.pos - start, ...added);
    this.pos = start + added.length;
  }

  /**
   * What fits in `width` cells: the text scrolled horizontally so the cursor stays visible, and
   * the cursor's column in that slice.
   */
  view(width: number): { text: string; cursorColumn: number } {
    const w = Math.max(1, width);
    const widths = this.chars.map(graphemeWidth);
    let cursorX = 0;
    for (let i = 0; i < this.pos; i++) cursorX += widths[i] ?? 0;
    // Scroll by half a width at a time, like readline, so the view does not jump on every key.
    const step = Math.max(1, Math.floor(w / 2));
    const offset = cursorX < w ? 0 : Math.floor((cursorX - w) / step + 1) * step;
    let x = 0;
    let text = '';
    let used = 0;
    for (let i = 0; i < this.chars.length; i++) {
      const cw = widths[i] ?? 0;
      if (x >= offset && used + cw <= w) {
        text += this.chars[i];
        used += cw;
      } else if (x < offset && x + cw > offset) {
        // A wide cluster cut by the left edge: keep the columns aligned with a space.
        text += ' ';
        used += 1;
      }
      x += cw;
    }
    return { text, cursorColumn: cursorX - offset };
  }

  private wordStartBefore(from: number): number {
    let p = from;
    while (p > 0 && !isWordChar(this.chars[p - 1] ?? '')) p--;
    while (p > 0 && isWordChar(this.chars[p - 1] ?? '')) p--;
    return p;
  }
}
