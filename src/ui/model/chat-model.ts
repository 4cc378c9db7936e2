// The UI's picture of the world: buffers, peers, me. Node events are applied through a table of
// handlers (event-handlers.ts); an event type without a handler is ignored, so core can add events
// (presence, typing, read receipts) before the UI learns them.
import { normaliseRoom } from '../../protocol/names.js';
import { ACTIVITY, type ActivityLevel } from './activity.js';
import { BufferSet } from './buffer-set.js';
import type { ChatBuffer } from './chat-buffer.js';
import type { ChatLine, NewLine } from './chat-line.js';
import { dayKey, formatDay } from './clock-format.js';
import { sanitize, sanitizeName } from './sanitize.js';
import { TransferTable } from './transfers.js';

export interface PeerView {
  id: string;
  nick: string;
  online: boolean;
  address?: string;
  /** Absent when simply online. */
  presence?: string | undefined;
}

/** A stored message as the UI needs it (structurally the store's StoredMessage). */
export interface HistoryMessage {
  id: string;
  senderNick: string;
  text: string;
  kind: 'text' | 'action';
  ts: number;
  direction: 'in' | 'out';
}

export type HistoryLoader = (
  conversation: string,
  before: { ts: number; id: string } | undefined,
  limit: number,
) => HistoryMessage[];

export interface Alert {
  title: string;
  body: string;
}

export interface ChatModelOptions {
  now?: () => number;
  loadHistory?: HistoryLoader;
  onAlert?: (alert: Alert) => void;
  capacity?: number;
  networkName?: string;
}

export const HISTORY_PAGE = 200;
const TRACKED_SENDS = 5_000;

export class ChatModel {
  readonly buffers: BufferSet;
  readonly peers = new Map<string, PeerView>();
  myId = '';
  myNick = '';
  networkName: string;
  myPresence: string | undefined;
  /** Peers typing to me right now (id → nick). */
  readonly typing = new Map<string, string>();
  /** File transfers (offers, progress, results) from the node's file events. */
  readonly transfers = new TransferTable();
  /** Set by the renderer: asks for a frame after a change that no event or key brought (the
   * failure of a command that finished later, such as /send hashing a file). */
  wake: (() => void) | undefined;
  /** Bumped on every change; the renderer redraws when it moved. */
  version = 0;
  readonly now: () => number;
  private readonly sends = new Map<string, ChatLine>();

  constructor(private readonly options: ChatModelOptions = {}) {
    this.buffers = new BufferSet(options.capacity);
    this.now = options.now ?? Date.now;
    this.networkName = options.networkName ?? 'lanchat';
  }

  setTyping(peerId: string, nick: string, active: boolean): void {
    if (active) this.typing.set(peerId, nick);
    else this.typing.delete(peerId);
    this.touch();
  }

  touch(): void {
    this.version++;
  }

  room(name: string): ChatBuffer {
    const key = normaliseRoom(name);
    const existing = this.buffers.get(key);
    if (existing) return existing;
    const buffer = this.buffers.ensure(key, 'room', sanitizeName(key));
    this.loadInitialHistory(buffer);
    return buffer;
  }

  dm(peerId: string, nick: string): ChatBuffer {
    const key = `@${peerId}`;
    const existing = this.buffers.get(key);
    if (existing) return existing;
    const buffer = this.buffers.ensure(key, 'dm', sanitizeName(nick));
    buffer.members.set(peerId, sanitizeName(nick));
    this.loadInitialHistory(buffer);
    return buffer;
  }

  /** Adds a line and updates unread/activity unless the user is looking at it live. */
  addLine(buffer: ChatBuffer, line: NewLine, level: ActivityLevel): ChatLine {
    const added = buffer.add(line);
    // Their message arrived: they are no longer typing it.
    if (buffer.kind === 'dm' && line.kind === 'message' && !line.mine) this.typing.delete(buffer.target);
    const visible = buffer === this.buffers.current && buffer.scroll === undefined;
    if (!visible && level > ACTIVITY.none) {
      buffer.notice(level, this.now(), line.kind === 'message' || line.kind === 'action');
    }
    if (added.mine && added.msgId) {
      this.sends.set(added.msgId, added);
      if (this.sends.size > TRACKED_SENDS) {
        const oldest = this.sends.keys().next().value;
        if (oldest !== undefined) this.sends.delete(oldest);
      }
    }
    this.touch();
    return added;
  }

  /** A message line; a message already shown from the store (a DM buffer opened by this very
   * message loads it as history) is not shown twice. */
  addMessage(buffer: ChatBuffer, line: NewLine, level: ActivityLevel): ChatLine | undefined {
    const known = line.msgId ? buffer.historyIds.get(line.msgId) : undefined;
    if (known) {
      if (line.delivery) known.delivery = line.delivery;
      if (known.mine && known.msgId) this.sends.set(known.msgId, known);
      this.touch();
      // The newest stored line is this very message, loaded when its arrival opened the buffer:
      // it is still news (unread, activity, notification).
      if (known.mine || known.seq !== buffer.lines.last) return undefined;
      const visible = buffer === this.buffers.current && buffer.scroll === undefined;
      if (!visible) buffer.notice(level, this.now(), true);
      if (line.highlight) known.highlight = true;
      return known;
    }
    return this.addLine(buffer, line, level);
  }

  system(buffer: ChatBuffer, text: string, kind: 'system' | 'error' = 'system'): void {
    this.addLine(buffer, { ts: this.now(), kind, text }, ACTIVITY.none);
  }

  /** A line about something the user did or typed wrong: shown where they are looking. */
  inline(text: string, kind: 'system' | 'error' = 'system'): void {
    this.system(this.buffers.current, text, kind);
  }

  sentLine(msgId: string): ChatLine | undefined {
    return this.sends.get(msgId);
  }

  alert(alert: Alert): void {
    this.options.onAlert?.(alert);
  }

  /** Loads the page of history before the oldest line held; false when there is no more. */
  loadOlder(buffer: ChatBuffer, limit = HISTORY_PAGE): boolean {
    if (!this.options.loadHistory || !buffer.historyLeft || buffer.kind === 'status') return false;
    let oldest: ChatLine | undefined;
    for (let s = buffer.lines.first; s <= buffer.lines.last && !oldest; s++) {
      const line = buffer.lines.get(s);
      if (line?.msgId) oldest = line;
    }
    const before = oldest?.msgId ? { ts: oldest.ts, id: oldest.msgId } : undefined;
    const page = this.options.loadHistory(buffer.key, before, limit);
    if (page.length < limit) buffer.historyLeft = false;
    if (page.length === 0) return false;
    const lines = this.historyLines(page, buffer.lines.get(buffer.lines.first));
    if (buffer.lines.prepend(lines) < lines.length) buffer.historyLeft = false;
    for (let s = buffer.lines.first; s <= buffer.lines.last; s++) {
      const line = buffer.lines.get(s);
      if (line?.msgId && line.seq < 0) buffer.historyIds.set(line.msgId, line);
    }
    this.touch();
    return true;
  }

  private loadInitialHistory(buffer: ChatBuffer): void {
    if (buffer.lines.size === 0) this.loadOlder(buffer);
  }

  private historyLines(page: HistoryMessage[], next: ChatLine | undefined): NewLine[] {
    const lines: NewLine[] = [];
    let previousDay: string | undefined;
    for (const m of page) {
      const day = dayKey(m.ts);
      if (day !== previousDay) lines.push({ ts: m.ts, kind: 'day', text: formatDay(m.ts) });
      previousDay = day;
      const mine = m.direction === 'out';
      lines.push({
        ts: m.ts,
        kind: m.kind === 'action' ? 'action' : 'message',
        nick: sanitizeName(mine ? this.myNick || m.senderNick : m.senderNick),
        text: sanitize(m.text, { multiline: true }),
        msgId: m.id,
        ...(mine ? { mine: true, delivery: 'sent' as const } : {}),
      });
    }
    // The line that followed (a day line of the same day) would now be doubled.
    if (next?.kind === 'day' && previousDay === dayKey(next.ts)) next.text = '';
    return lines;
  }
}
