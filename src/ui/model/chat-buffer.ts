// One buffer: the status buffer, a room, or a conversation with one peer. Holds its lines, how much
// attention it wants (unread count, activity level), where I stopped reading, and its scroll state.
import { ACTIVITY, type ActivityLevel, raise } from './activity.js';
import type { ChatLine, NewLine } from './chat-line.js';
import { dayKey, formatDay } from './clock-format.js';
import { LineRing } from './line-ring.js';

export type BufferKind = 'status' | 'room' | 'dm';

export const STATUS_KEY = 'status';

/** A scroll position: the line whose row `row` (0 = its first row) is the bottom row on screen. */
export interface ScrollAnchor {
  seq: number;
  row: number;
}

export class ChatBuffer {
  readonly lines: LineRing;
  unread = 0;
  activity: ActivityLevel = ACTIVITY.none;
  /** When the buffer first got its current activity, for ordering the hotlist (oldest first). */
  activitySince = 0;
  /** The last line I had seen when I left; the marker is drawn under it. */
  readMarker: number | undefined;
  /** undefined = following live output. */
  scroll: ScrollAnchor | undefined;
  /** Lines that arrived while scrolled up ("-- more (12) --"). */
  more = 0;
  /** Room members (id → nick) for the nick list; for a DM, the peer. */
  readonly members = new Map<string, string>();
  /** Messages loaded from the store, by id, so a live copy of one of them is not added twice. */
  readonly historyIds = new Map<string, ChatLine>();
  /** False once the store has no older messages for this buffer. */
  historyLeft = true;
  /** For a DM: the peer's id; for a room the room name. */
  readonly target: string;

  constructor(
    readonly key: string,
    readonly kind: BufferKind,
    public title: string,
    capacity?: number,
  ) {
    this.lines = new LineRing(capacity);
    this.target = kind === 'dm' ? key.slice(1) : key;
  }

  /** Appends a line, first adding a day-change line when the local date changed. */
  add(line: NewLine): ChatLine {
    const previous = this.lines.newest();
    if (line.kind !== 'day' && (previous === undefined || dayKey(previous.ts) !== dayKey(line.ts))) {
      // No day line above the very first line of a fresh status buffer: it would only say "today".
      if (previous !== undefined || this.kind !== 'status') {
        this.lines.push({ ts: line.ts, kind: 'day', text: formatDay(line.ts) });
      }
    }
    if (this.scroll !== undefined) this.more++;
    return this.lines.push(line);
  }

  /** Counts a new line for the hotlist; the caller knows whether the buffer is on screen. */
  notice(level: ActivityLevel, now: number, countsAsUnread: boolean): void {
    if (countsAsUnread) this.unread++;
    if (level > this.activity) {
      if (this.activity === ACTIVITY.none) this.activitySince = now;
      this.activity = raise(this.activity, level);
    }
  }

  markRead(): void {
    this.unread = 0;
    this.activity = ACTIVITY.none;
  }

  /** Leaving the buffer: the read marker goes under the newest line. */
  leave(): void {
    this.readMarker = this.lines.size > 0 ? this.lines.last : undefined;
  }

  clear(): void {
    this.lines.clear();
    this.scroll = undefined;
    this.more = 0;
    this.readMarker = undefined;
  }
}
