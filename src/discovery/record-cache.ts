// The querier's cache of other hosts' records (RFC 6762 §5.2, §10). Each entry belongs to the
// link it was heard on, because a peer's addresses are only reachable on that link. Times are
// milliseconds from the injected clock.
//  - refresh queries are due at 80, 85, 90 and 95 % of the TTL, each plus 0–2 % random (§5.2);
//  - an entry expires at 100 % of its TTL;
//  - a goodbye (TTL 0) is kept for one more second, then removed (§10.1); it is marked
//    `withdrawn` meanwhile, so that resolution can stop relying on it at once;
//  - a record with the cache-flush bit makes older copies of its rrset (received more than one
//    second earlier) expire one second later (§10.2);
//  - POOF (§10.5): after two queries that should have been answered by a record went
//    unanswered for ten seconds, the record is removed early.
// Lookups are indexed (by rrset, and by the name a PTR or SRV points to) and deadlines sit in a
// heap, so that handling one packet costs what the packet holds, not what the cache holds.
import type { Random } from './clock.js';
import { sameName } from './mdns-names.js';
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
  /** Its owner sent it with TTL 0 (§10.1): kept for the grace, but no longer vouched for. */
  withdrawn: boolean;
  /** POOF: unanswered queries seen for this record, and when the first one was seen. */
  unanswered: number;
  firstUnansweredAt: number;
  /** Position of this record in the cache (kept when the record is refreshed): iteration order. */
  order: number;
}

function entryKey(linkId: string, record: MdnsRecord): string {
  return `${linkId}|${recordKey(record)}`;
}

/** The lower-case name a PTR or SRV record points to (its referent), if any. */
function referentKey(record: MdnsRecord): string | undefined {
  if (record.type === 'PTR') return `PTR|${record.data.toLowerCase()}`;
  if (record.type === 'SRV') return `SRV|${record.data.target.toLowerCase()}`;
  return undefined;
}

/** When this entry next needs attention: refresh, expiry or POOF deadline. */
function deadlineOf(e: CacheEntry): number {
  let t = Math.min(e.expiresAt, e.refreshAt[0] ?? Infinity);
  if (e.unanswered >= POOF_QUERIES) t = Math.min(t, e.firstUnansweredAt + POOF_WINDOW_MS);
  return t;
}

interface HeapItem {
  at: number;
  key: string;
  entry: CacheEntry;
}

function addTo(index: Map<string, Map<string, CacheEntry>>, group: string, key: string, e: CacheEntry): void {
  let members = index.get(group);
  if (!members) {
    members = new Map();
    index.set(group, members);
  }
  members.set(key, e);
}

function removeFrom(index: Map<string, Map<string, CacheEntry>>, group: string, key: string): void {
  const members = index.get(group);
  if (!members) return;
  members.delete(key);
  if (members.size === 0) index.delete(group);
}

export class RecordCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** rrset key (name + type) → its entries on every link, in cache order. */
  private readonly rrsets = new Map<string, Map<string, CacheEntry>>();
  /** `PTR|name` / `SRV|target` → the PTR / SRV entries pointing at that name. */
  private readonly referents = new Map<string, Map<string, CacheEntry>>();
  /** Min-heap of deadlines; items whose entry was replaced or removed, or whose deadline moved,
   * are stale and skipped (every change of a deadline pushes a fresh item). */
  private heap: HeapItem[] = [];
  /** PTR owner name → lower-case targets → how many entries (any link) point there. */
  private readonly ptrTargets = new Map<string, Map<string, number>>();
  private nextOrder = 0;
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
    const members = this.rrsets.get(rrsetKey({ name, type }));
    if (!members) return [];
    const out: CacheEntry[] = [];
    for (const e of members.values()) if (linkId === undefined || e.linkId === linkId) out.push(e);
    return out;
  }

  /** PTR or SRV entries whose rdata points at `name` (a PTR's instance, an SRV's target). */
  pointingAt(name: string, type: 'PTR' | 'SRV'): CacheEntry[] {
    const members = this.referents.get(`${type}|${name.toLowerCase()}`);
    return members ? [...members.values()] : [];
  }

  /** How many distinct names the PTR records named `name` point at (service instances). */
  ptrTargetCount(name: string): number {
    return this.ptrTargets.get(name.toLowerCase())?.size ?? 0;
  }

  /** Whether a PTR record named `name` points at `target`. */
  hasPtrTarget(name: string, target: string): boolean {
    return this.ptrTargets.get(name.toLowerCase())?.has(target.toLowerCase()) ?? false;
  }

  has(linkId: string, record: MdnsRecord): boolean {
    return this.entries.has(entryKey(linkId, record));
  }

  get(linkId: string, record: MdnsRecord): CacheEntry | undefined {
    if (record.type === 'PTR') return this.getPtr(linkId, record);
    return this.entries.get(entryKey(linkId, record));
  }

  /** get() for a PTR, through the referent index instead of the record's key: every host looks up
   * each known answer of every browse (100 at 100) here, and keying each one (two lower-case
   * copies, two concatenations, a WeakMap entry for a record read once) cost as much as decoding
   * it. The same entry: same link, name (case-insensitive, §16) and target. The loop is short
   * whatever peers send: only PTRs named after our service are cached (querier.ts relevant), so a
   * target has one entry per link at most. */
  private getPtr(linkId: string, record: MdnsRecord & { type: 'PTR' }): CacheEntry | undefined {
    const members = this.referents.get(`PTR|${record.data.toLowerCase()}`);
    if (!members) return undefined;
    for (const e of members.values()) {
      if (e.linkId === linkId && e.record.type === 'PTR' && sameName(e.record.name, record.name)) return e;
    }
    return undefined;
  }

  /** Random offsets for the refresh points (one per point, each in [0, 1)), to share among the
   * records of one packet: see put. */
  refreshJitter(): number[] {
    return REFRESH_POINTS.map(() => this.random());
  }

  /** Adds or refreshes a record. TTL 0 turns an existing entry into a one-second goodbye.
   * `jitter` (refreshJitter) is shared by the records of one packet: SRV, A and AAAA that arrived
   * together then come due together, and one query asks for all three (one answer brings them);
   * with offsets drawn per record they went out as three queries and three answers, 0–2.4 s apart,
   * per peer, per family and per refresh: ≈ 3 packets per host and minute on a settled floor of
   * 50, whatever its size. */
  put(linkId: string, record: MdnsRecord, now: number, jitter?: readonly number[]): CacheEntry | undefined {
    const key = entryKey(linkId, record);
    const existing = this.entries.get(key);
    if (record.ttl === 0) {
      if (!existing) return undefined;
      existing.expiresAt = Math.min(existing.expiresAt, now + GOODBYE_GRACE_MS);
      existing.refreshAt = [];
      existing.goodbye = true;
      existing.withdrawn = true;
      this.schedule(key, existing);
      return existing;
    }
    const ttlMs = record.ttl * 1000;
    const entry: CacheEntry = {
      linkId,
      record,
      receivedAt: now,
      expiresAt: now + ttlMs,
      refreshAt: REFRESH_POINTS.map(
        (p, i) => now + ttlMs * (p + (jitter?.[i] ?? this.random()) * REFRESH_JITTER),
      ),
      goodbye: false,
      withdrawn: false,
      unanswered: 0,
      firstUnansweredAt: 0,
      order: existing?.order ?? this.nextOrder++,
    };
    this.entries.set(key, entry);
    // A refreshed record keeps its place in every index (same key, same referent).
    addTo(this.rrsets, rrsetKey(record), key, entry);
    const ref = referentKey(record);
    if (ref !== undefined) addTo(this.referents, ref, key, entry);
    if (!existing) this.countPtr(record, 1);
    this.schedule(key, entry);
    return entry;
  }

  /** §10.2: `record` arrived with the cache-flush bit; older members of its rrset on this link go. */
  flushRrset(linkId: string, record: MdnsRecord, now: number): void {
    const members = this.rrsets.get(rrsetKey(record));
    if (!members) return;
    const keep = recordKey(record);
    for (const [key, e] of members) {
      if (e.linkId !== linkId || recordKey(e.record) === keep) continue;
      if (now - e.receivedAt > FLUSH_GRACE_MS && e.expiresAt > now + FLUSH_GRACE_MS) {
        e.expiresAt = now + FLUSH_GRACE_MS;
        e.refreshAt = [];
        e.goodbye = true;
        this.schedule(key, e);
      }
    }
  }

  /** POOF bookkeeping: a query was sent or seen that this entry should answer. */
  noteUnanswered(entry: CacheEntry, now: number): void {
    if (entry.unanswered === 0) entry.firstUnansweredAt = now;
    entry.unanswered++;
    if (entry.unanswered === POOF_QUERIES) {
      const key = entryKey(entry.linkId, entry.record);
      if (this.entries.get(key) === entry) this.schedule(key, entry);
    }
  }

  removeLink(linkId: string): CacheEntry[] {
    const removed: CacheEntry[] = [];
    for (const [k, e] of this.entries) {
      if (e.linkId === linkId) {
        this.remove(k, e);
        removed.push(e);
      }
    }
    return removed;
  }

  /**
   * Removes expired entries and those POOF says are gone; returns them (in cache order).
   * `stalled`: our own event loop stood still until now (the caller's timer fired late). Node runs
   * a due timer before it reads the sockets, so the answers a POOF window waited for may be
   * waiting unread: that window says nothing, and starts again. At 100 at once on 2 cores, loops
   * stood still for up to 20 s, and every host flushed dozens of live peers' PTRs this way (a
   * traced one: its records' owner answered three times while it stood still; it read those
   * answers seconds after the flush).
   */
  expire(now: number, stalled = false): CacheEntry[] {
    const removed: CacheEntry[] = [];
    for (const [k, e] of this.takeDue(now)) {
      const poofed = e.unanswered >= POOF_QUERIES && now - e.firstUnansweredAt >= POOF_WINDOW_MS;
      if (poofed && stalled && e.expiresAt > now) {
        e.firstUnansweredAt = now;
        this.schedule(k, e);
      } else if (e.expiresAt <= now || poofed) {
        this.remove(k, e);
        removed.push(e);
      } else {
        this.schedule(k, e);
      }
    }
    return removed;
  }

  /** Entries with a refresh point reached; each point fires once. */
  dueRefresh(now: number): CacheEntry[] {
    const due: CacheEntry[] = [];
    for (const [k, e] of this.takeDue(now)) {
      if (e.refreshAt.length > 0 && (e.refreshAt[0] ?? Infinity) <= now) {
        while (e.refreshAt.length > 0 && (e.refreshAt[0] ?? Infinity) <= now) e.refreshAt.shift();
        due.push(e);
      }
      this.schedule(k, e);
    }
    return due;
  }

  /** The next time something needs doing (refresh, expiry, POOF deadline). */
  nextDeadline(): number | undefined {
    for (;;) {
      const top = this.heap[0];
      if (!top) return undefined;
      if (this.isLive(top)) return top.at;
      this.pop();
    }
  }

  clear(): void {
    this.entries.clear();
    this.rrsets.clear();
    this.referents.clear();
    this.ptrTargets.clear();
    this.heap = [];
  }

  private remove(key: string, e: CacheEntry): void {
    this.entries.delete(key);
    removeFrom(this.rrsets, rrsetKey(e.record), key);
    const ref = referentKey(e.record);
    if (ref !== undefined) removeFrom(this.referents, ref, key);
    this.countPtr(e.record, -1);
  }

  private countPtr(record: MdnsRecord, delta: 1 | -1): void {
    if (record.type !== 'PTR') return;
    const owner = record.name.toLowerCase();
    const target = record.data.toLowerCase();
    let targets = this.ptrTargets.get(owner);
    if (!targets) {
      targets = new Map();
      this.ptrTargets.set(owner, targets);
    }
    const n = (targets.get(target) ?? 0) + delta;
    if (n > 0) targets.set(target, n);
    else targets.delete(target);
    if (targets.size === 0) this.ptrTargets.delete(owner);
  }

  private isLive(item: HeapItem): boolean {
    return this.entries.get(item.key) === item.entry && deadlineOf(item.entry) === item.at;
  }

  /** Live entries whose deadline is reached, each once, in cache order; their heap items are
   * consumed, so the caller must `schedule` those it keeps. */
  private takeDue(now: number): [string, CacheEntry][] {
    const due = new Map<string, CacheEntry>();
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.pop();
      if (this.isLive(top)) due.set(top.key, top.entry);
    }
    return [...due].sort((a, b) => a[1].order - b[1].order);
  }

  private schedule(key: string, entry: CacheEntry): void {
    const at = deadlineOf(entry);
    if (at === Infinity) return;
    // Stale items pile up when deadlines move; rebuild once they outnumber live entries.
    if (this.heap.length > 2 * this.entries.size + 64) this.rebuild();
    this.push({ at, key, entry });
  }

  private rebuild(): void {
    const old = this.heap;
    this.heap = [];
    const seen = new Set<string>();
    for (const item of old) {
      if (!this.isLive(item) || seen.has(item.key)) continue;
      seen.add(item.key);
      this.push(item);
    }
  }

  private push(item: HeapItem): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as HeapItem;
      if (p.at <= item.at) break;
      h[i] = p;
      i = parent;
    }
    h[i] = item;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as HeapItem).at < (h[l] as HeapItem).at ? r : l;
      if ((h[c] as HeapItem).at >= last.at) break;
      h[i] = h[c] as HeapItem;
      i = c;
    }
    h[i] = last;
  }
}
