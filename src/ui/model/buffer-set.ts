// The numbered buffer list: 1 is the status buffer (as in weechat and irssi), then #general, the
// other rooms by name, then conversations in the order they started. Switching buffers moves the
// read marker and clears the buffer's activity.
import { ACTIVITY } from './activity.js';
import { type BufferKind, ChatBuffer, STATUS_KEY } from './chat-buffer.js';

const KIND_ORDER: Record<BufferKind, number> = { status: 0, room: 1, dm: 2 };

export class BufferSet {
  private readonly byKey = new Map<string, ChatBuffer>();
  private ordered: ChatBuffer[] = [];
  private currentKey = STATUS_KEY;
  /** Where Alt+A returns to when nothing is left in the hotlist. */
  private returnKey: string | undefined;
  private created = 0;
  private readonly createdAt = new Map<string, number>();

  constructor(private readonly capacity?: number) {
    this.ensure(STATUS_KEY, 'status', 'status');
  }

  get current(): ChatBuffer {
    return this.byKey.get(this.currentKey) ?? this.status;
  }

  get status(): ChatBuffer {
    return this.byKey.get(STATUS_KEY) as ChatBuffer;
  }

  list(): readonly ChatBuffer[] {
    return this.ordered;
  }

  get(key: string): ChatBuffer | undefined {
    return this.byKey.get(key);
  }

  ensure(key: string, kind: BufferKind, title: string): ChatBuffer {
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const buffer = new ChatBuffer(key, kind, title, this.capacity);
    this.byKey.set(key, buffer);
    this.createdAt.set(key, this.created++);
    this.ordered = [...this.byKey.values()].sort((a, b) => this.compare(a, b));
    return buffer;
  }

  remove(key: string): void {
    if (key === STATUS_KEY || !this.byKey.has(key)) return;
    const index = this.ordered.findIndex((b) => b.key === key);
    this.byKey.delete(key);
    this.ordered = this.ordered.filter((b) => b.key !== key);
    if (this.currentKey === key) {
      const next = this.ordered[Math.max(0, index - 1)] ?? this.status;
      this.currentKey = next.key;
      next.markRead();
    }
  }

  select(key: string): boolean {
    const target = this.byKey.get(key);
    if (!target) return false;
    if (key === this.currentKey) return true;
    this.current.leave();
    this.currentKey = key;
    target.markRead();
    return true;
  }

  /** Alt+1..9 / `/window N`: 1-based. */
  selectIndex(n: number): boolean {
    const target = this.ordered[n - 1];
    return target ? this.select(target.key) : false;
  }

  indexOf(key: string): number {
    return this.ordered.findIndex((b) => b.key === key) + 1;
  }

  /** Ctrl+N (+1) and Ctrl+P (-1), wrapping around. */
  cycle(step: 1 | -1): void {
    const i = this.ordered.findIndex((b) => b.key === this.currentKey);
    const n = this.ordered.length;
    const target = this.ordered[(((i + step) % n) + n) % n];
    if (target) this.select(target.key);
  }

  /** Buffers wanting attention: highest level first, then the one waiting longest. */
  hotlist(): ChatBuffer[] {
    return this.ordered
      .filter((b) => b.activity > ACTIVITY.none && b.key !== this.currentKey)
      .sort((a, b) => b.activity - a.activity || a.activitySince - b.activitySince);
  }

  /** Alt+A: to the most important activity; with none left, back where the jumping started. */
  jumpToActivity(): void {
    const target = this.hotlist()[0];
    if (target) {
      this.returnKey ??= this.currentKey;
      this.select(target.key);
      return;
    }
    if (this.returnKey !== undefined) {
      const back = this.returnKey;
      this.returnKey = undefined;
      this.select(back);
    }
  }

  private compare(a: ChatBuffer, b: ChatBuffer): number {
    const kind = KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
    if (kind !== 0) return kind;
    if (a.kind === 'room') {
      if (a.key === '#general') return -1;
      if (b.key === '#general') return 1;
      return a.key.localeCompare(b.key);
    }
    return (this.createdAt.get(a.key) ?? 0) - (this.createdAt.get(b.key) ?? 0);
  }
}
