// The querier's cache of other hosts' records (RFC 6762 §5.2, §10). Each entry belongs to the
// link it was heard on, because a peer's addresses are only reachable on that link. Times are
// milliseconds from the injected clock.
//  - refresh queries are due at 80, 85, 90 and 95 % of the TTL, each plus 0–2 % random (§5.2);
//  - an entry expires at 100 % of its TTL;
//  - a goodbye (TTL 0) is kept for one more second, then removed (§10.1);
//  - a record with the cache-flush bit makes older copies of its rrset (received more than one
//    second earlier) expire one second later (§10.2);
//  - POOF (§10.5): after two queries that should have been answered by a record went
//    unanswered for ten seconds, the record is removed early.
import type { Random } from './clock.js';
import type { MdnsRecord } from './mdns-packet.js';
import { recordKey, rrsetKey } from './record-order.js';

export const REFRESH_POINTS = [0.8, 0.85, 0.9, 0.95];
export const REFRESH_JITTER = 0.02;
export const GOODBYE_GRACE_MS = 1000;
export const FLUSH_GRACE_MS = 1000;
export const POOF_QUERIES = 2;
export const POOF_WINDOW_MS = 10_000;

export interface CacheEntry {
  linkId: string;
  record: MdnsRecord;
  receivedAt: number;
  expiresAt: number;
  /** Absolute times of the refresh queries still to send. */
  refreshAt: number[];
  /** Removed because its owner said goodbye (or flushed it), not because it aged out. */
  goodbye: boolean;
  /** POOF: unanswered queries seen for this record, and when the first one was seen. */
  unanswered: number;
  firstUnansweredAt: number;
}

function entryKey(linkId: string, record: MdnsRecord): string {
  return `${linkId}|${recordKey(record)}`;
}

export class RecordCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly random: Random;

  constructor(random: Random) {
    this.random = random;
  }

  get size(): number {
    return this.entries.size;
  }

  all(): IterableIterator<CacheEntry> {
    return this.entries.values();
  }

  find(name: string, type: MdnsRecord['type'], linkId?: string): CacheEntry[] {
    const set = rrsetKey({ name, type });
    return [...this.entries.values()].filter(
      (e) => rrsetKey(e.record) === set && (linkId === undefined || e.linkId === linkId),
    );
  }

  has(linkId: string, record: MdnsRecord): boolean {
    return this.entries.has(entryKey(linkId, record));
  }

  /** Adds or refreshes a record. TTL 0 turns an existing entry into a one-second goodbye. */
  put(linkId: string, record: MdnsRecord, now: number): CacheEntry | undefined {
    const key = entryKey(linkId, record);
    const existing = this.entries.get(key);
    if (record.ttl === 0) {
      if (!existing) return undefined;
      existing.expiresAt = Math.min(existing.expiresAt, now + GOODBYE_GRACE_MS);
      existing.refreshAt = [];
      existing.goodbye = true;
      return existing;
    }
    const ttlMs = record.ttl * 1000;
    const entry: CacheEntry = {
      linkId,
      record,
      receivedAt: now,
      expiresAt: now + ttlMs,
      refreshAt: REFRESH_POINTS.map((p) => now + ttlMs * (p + this.random() * REFRESH_JITTER)),
      goodbye: false,
      unanswered: 0,
      firstUnansweredAt: 0,
    };
    this.entries.set(key, entry);
    return entry;
  }

  /** §10.2: `record` arrived with the cache-flush bit; older members of its rrset on this link go. */
  flushRrset(linkId: string, record: MdnsRecord, now: number): void {
    const set = rrsetKey(record);
    const keep = recordKey(record);
    for (const e of this.entries.values()) {
      if (e.linkId !== linkId || rrsetKey(e.record) !== set || recordKey(e.record) === keep) continue;
      if (now - e.receivedAt > FLUSH_GRACE_MS && e.expiresAt > now + FLUSH_GRACE_MS) {
        e.expiresAt = now + FLUSH_GRACE_MS;
        e.refreshAt = [];
        e.goodbye = true;
      }
    }
  }

  /** POOF bookkeeping: a query was sent or seen that this entry should answer. */
  noteUnanswered(entry: CacheEntry, now: number): void {
    if (entry.unanswered === 0) entry.firstUnansweredAt = now;
    entry.unanswered++;
  }

  removeLink(linkId: string): CacheEntry[] {
    const removed: CacheEntry[] = [];
    for (const [k, e] of this.entries) {
      if (e.linkId === linkId) {
        this.entries.delete(k);
        removed.push(e);
      }
    }
    return removed;
  }

  /** Removes expired entries and those POOF says are gone; returns them. */
  expire(now: number): CacheEntry[] {
    const removed: CacheEntry[] = [];
    for (const [k, e] of this.entries) {
      const poofed = e.unanswered >= POOF_QUERIES && now - e.firstUnansweredAt >= POOF_WINDOW_MS;
      if (e.expiresAt <= now || poofed) {
        this.entries.delete(k);
        removed.push(e);
      }
    }
    return removed;
  }

  /** Entries with a refresh point reached; each point fires once. */
  dueRefresh(now: number): CacheEntry[] {
    const due: CacheEntry[] = [];
    for (const e of this.entries.values()) {
      if (e.refreshAt.length > 0 && (e.refreshAt[0] ?? Infinity) <= now) {
        while (e.refreshAt.length > 0 && (e.refreshAt[0] ?? Infinity) <= now) e.refreshAt.shift();
        due.push(e);
      }
    }
    return due;
  }

  /** The next time something needs doing (refresh, expiry, POOF deadline). */
  nextDeadline(): number | undefined {
    let next: number | undefined;
    for (const e of this.entries.values()) {
      const times = [e.expiresAt, e.refreshAt[0] ?? Infinity];
      if (e.unanswered >= POOF_QUERIES) times.push(e.firstUnansweredAt + POOF_WINDOW_MS);
      for (const t of times) if (t < (next ?? Infinity)) next = t;
    }
    return next;
  }

  clear(): void {
    this.entries.clear();
  }
}
