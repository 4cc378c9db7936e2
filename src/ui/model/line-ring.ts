// The lines of one buffer: a bounded deque addressed by sequence number. New lines go to the end
// (the oldest drop off once over capacity); history loaded from the store goes to the front while
// there is room. Appending is O(1) amortised, which is what keeps 100,000 lines cheap.
import type { ChatLine, NewLine } from './chat-line.js';

export const DEFAULT_LINE_CAPACITY = 20_000;

export class LineRing {
  private items: ChatLine[] = [];
  private head = 0;
  private firstSeq = 0;

  constructor(readonly capacity = DEFAULT_LINE_CAPACITY) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Sequence number of the oldest line held (meaningful when size > 0). */
  get first(): number {
    return this.firstSeq;
  }

  /** Sequence number of the newest line, or first - 1 when empty. */
  get last(): number {
    return this.firstSeq + this.size - 1;
  }

  push(line: NewLine): ChatLine {
    const full: ChatLine = { ...line, seq: this.last + 1 };
    this.items.push(full);
    if (this.size > this.capacity) {
      this.head++;
      this.firstSeq++;
      // Compact now and then instead of shifting on every push.
      if (this.head >= this.capacity) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
    }
    return full;
  }

  /** Adds older lines (chronological order) before the first; returns how many fitted. */
  prepend(lines: readonly NewLine[]): number {
    const room = Math.min(lines.length, this.capacity - this.size);
    if (room <= 0) return 0;
    const taken = lines.slice(lines.length - room);
    const start = this.firstSeq - room;
    const made = taken.map((l, i) => ({ ...l, seq: start + i }));
    this.items = [...made, ...this.items.slice(this.head)];
    this.head = 0;
    this.firstSeq = start;
    return room;
  }

  get(seq: number): ChatLine | undefined {
    if (seq < this.firstSeq || seq > this.last) return undefined;
    return this.items[this.head + seq - this.firstSeq];
  }

  newest(): ChatLine | undefined {
    return this.get(this.last);
  }

  clear(): void {
    this.firstSeq = this.last + 1;
    this.items = [];
    this.head = 0;
  }

  /** Finds my own message by id, newest first (delivery marks arrive shortly after sending). */
  findByMsgId(msgId: string, within = 2_000): ChatLine | undefined {
    const stop = Math.max(this.firstSeq, this.last - within);
    for (let seq = this.last; seq >= stop; seq--) {
      const line = this.get(seq);
      if (line?.msgId === msgId) return line;
    }
    return undefined;
  }
}
