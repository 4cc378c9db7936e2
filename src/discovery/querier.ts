// RFC 6762 §5.2 continuous querying for `_lanchat._tcp.local` PTR, plus the cache upkeep that
// goes with it. First query after 20–120 ms, then 1 s, 2 s, 4 s… apart up to one hour (after a
// start-up one-shot query: 1 s + 20–120 ms, then 1 s, 4 s, 8 s…, see skipStep): after the first
// few, new peers are learned from their own announcements, not from our polling (periodic polls
// would cost O(N²) packets). Known answers ride along (§7.1, split with TC when long, §7.2);
// a question another host just asked with no fewer known answers is treated as ours (§7.3).
// Missing SRV/TXT/A/AAAA are asked for directly, with backoff, and cached records are refreshed at
// 80–95 % of their TTL (record-cache.ts).
import { BoundedCache } from '../crypto/bounded-cache.js';
import { randomBetween, type TimerHandle } from './clock.js';
import { type EngineContext, sourceKey } from './engine-context.js';
import { labelOfInstance, SERVICE_TYPE, sameName } from './mdns-names.js';
import type { Endpoint, MdnsPacket, MdnsRecord } from './mdns-packet.js';
import type { Missing } from './peer-table.js';
import { type CacheEntry, REFRESH_POINTS, type RecordCache } from './record-cache.js';
import { recordKey, retimed } from './record-order.js';
import { ONE_SHOT_ANSWER_COVERS_MS } from './responder.js';
import { fitQuery } from './wire-encoder.js';

export const FIRST_QUERY_MIN_MS = 20;
export const FIRST_QUERY_MAX_MS = 120;
export const INITIAL_INTERVAL_MS = 1000;
export const MAX_INTERVAL_MS = 60 * 60 * 1000;
/**
 * Each interval is this many times the one before (§5.2: at least two). Three, Apple's
 * mDNSResponder's step, saves a newcomer two browses in its first minute (each read by every host
 * on the link), but measured on a floor of 100 started at once it moved the round in which hosts
 * that lost announcements in the storm learn the missing peers from 32 s to 41 s after start.
 */
export const INTERVAL_GROWTH = 2;
/** A timer this late means our own event loop was busy or stood still meanwhile, so datagrams may
 * be waiting unread (see RecordCache.expire). At 100 at once on 2 cores, 1 s still let 1,785 early
 * removals (197 live peers reported down) through in a traced start; 250 ms: 335 (21). An idle
 * loop fires timers within milliseconds. */
export const LATE_TIMER_MS = 250;
/**
 * A browse whose timer fires more than LATE_TIMER_MS late waits this long, again and again while
 * the loop stays that late, at most MAX_BROWSE_POSTPONES times in a row. A late timer means
 * datagrams wait unread in our sockets (Node runs due timers before it reads them): the peers
 * they announce are missing from the browse's known answers (§7.1), and every one of them would
 * answer it by multicast, each answer handled by every host. At 100 started at once, 560–930 such
 * answers went out (captures, 2026-12-07), a quarter of what each host had to read, and most
 * answered browses listing a quarter to a half of the floor.
 */
export const BROWSE_POSTPONE_MS = 200;
export const MAX_BROWSE_POSTPONES = 40;
/** After a one-shot query, the first browse waits for its answers at most this long. */
export const ONE_SHOT_BROWSE_MAX_MS = 3_000;
/** The packets of one truncated query arrive within this long of its first (§7.2). */
const BROWSE_PACKETS_WITHIN_MS = 500;
/** Another host's question stands in for ours this long (§7.3: its answer is multicast). */
export const ASKED_BY_OTHERS_MS = 1_000;
const MAX_ASKED_BY_OTHERS = 4_096;
/** §11: the cache must be bounded; beyond this many instances new ones are dropped. */
export const MAX_INSTANCES = 1024;
export const MAX_ADDRESSES_PER_HOST = 16;
/** Distinct SRV or TXT records kept per service and link: one, plus room for a change in flight.
 * Without it a forger could attach unlimited distinct records to one of the 1024 services. */
export const MAX_RECORDS_PER_RRSET = 4;
/** Sixteen questions for peers' names (≤ 70 bytes each, compressed) fit one 1,232-byte packet. */
const QUESTIONS_PER_PACKET = 16;
/** Direct questions for missing records per round: a flood of bare PTRs (which the cache cap
 * already bounds) must not turn us into a query amplifier. */
const MISSING_PER_ROUND = 64;
const MISSING_MAX_TRIES = 4;

export interface QuerierHooks {
  /** The cache changed; `removed` lists entries that left it, `touched` those added, refreshed
   * or marked as goodbyes. */
  onCacheChange(removed: CacheEntry[], touched: CacheEntry[]): void;
  /** What resolution still lacks (peer-table.resolvePeers). */
  missing(): Missing[];
}

interface Instances {
  has(name: string): boolean;
  size(): number;
}

/** One question on one link, names compared case-insensitively (§16). */
function questionKey(linkId: string, name: string, type: string): string {
  return `${linkId}|${name.toLowerCase()}|${type}`;
}

/** A record's identity for §10.5's "listed as known": a PTR by its lower-case names (what recordKey
 * says, without building and memoising a key for each of a browse's 100 known answers), any other
 * record by recordKey. */
function knownKey(r: MdnsRecord): string {
  return r.type === 'PTR' ? `PTR\u0000${r.name.toLowerCase()}\u0000${r.data.toLowerCase()}` : recordKey(r);
}

const TYPE_ORDER: Record<MdnsRecord['type'], number> = { PTR: 0, SRV: 1, TXT: 2, A: 3, AAAA: 4, OTHER: 5 };

export class Querier {
  private readonly ctx: EngineContext;
  private readonly cache: RecordCache;
  private readonly hooks: QuerierHooks;
  private interval = INITIAL_INTERVAL_MS;
  private browseTimer: TimerHandle | undefined;
  private cacheTimer: TimerHandle | undefined;
  private cacheTimerAt = Infinity;
  private missingTimer: TimerHandle | undefined;
  private readonly asked = new Map<string, { tries: number; at: number }>();
  /** §7.3: links where another host asked our question since our last browse query. */
  private readonly suppressed = new Set<string>();
  private stopped = false;
  /**
   * After a one-shot query the browses go out 1 s, 4 s, 8 s … apart instead of 1 s, 2 s, 4 s …
   * (§5.2 holds: each interval at least twice the one before). The one-shot query has already
   * drawn every answer by unicast, the first browse catches a responder that missed it, the
   * second (past ONE_SHOT_ANSWER_COVERS_MS) a host whose firewall ate those answers; a third two
   * seconds later finds nothing new. On a settled floor each of a newcomer's browses lists the
   * whole floor as known answers (101 PTRs in two packets at 100) and every host reads all of it:
   * ≈ 0.85 ms of CPU per host per browse (perf, 10 arrivals on a floor of 100). One fewer in an
   * arrival's first 6 s; the later rounds, where hosts that lost announcements in a 9:00 storm
   * learn the rest, move earlier (6, 14, 30 s instead of 4, 8, 16, 32 s).
   */
  private skipStep = false;
  /** True until the first browse query of the current schedule has gone out. */
  private firstPending = false;
  /** When the pending browse goes out, and the latest the first one may be postponed to. */
  private browseAt = Infinity;
  private firstBrowseLatest = Infinity;
  /** How many times in a row the due browse waited for our own loop to catch up. */
  private postponed = 0;
  /** §7.3 for direct questions: `link|name|type` → when another host last asked it (QM) with no
   * known answer we lack. Bounded, the oldest out first (a flood of questions only costs us asking). */
  private readonly askedByOthers = new BoundedCache<string, number>(MAX_ASKED_BY_OTHERS);
  /** §7.3 across a truncated browse's packets: `link|source` → whether every known answer so far
   * is one we would list. Bounded like askedByOthers. */
  private readonly browsesHeard = new BoundedCache<string, { allKnown: boolean; until: number }>(
    MAX_ASKED_BY_OTHERS,
  );

  /** `link|source` → when that host last sent a one-shot browse (not from 5353): see handleQuery. */
  private readonly oneShotsHeard = new BoundedCache<string, number>(MAX_ASKED_BY_OTHERS);

  constructor(ctx: EngineContext, cache: RecordCache, hooks: QuerierHooks) {
    this.ctx = ctx;
    this.cache = cache;
    this.hooks = hooks;
  }

  /** (Re)starts the browse schedule from the first query, e.g. when a link comes up.
   * `afterOneShot`: a one-shot query (§5.1) just went out on the new links (mdns-discovery.ts). */
  start(afterOneShot = false): void {
    this.stopped = false;
    this.interval = INITIAL_INTERVAL_MS;
    this.skipStep = afterOneShot;
    this.postponed = 0;
    this.firstPending = true;
    const first = randomBetween(this.ctx.random, FIRST_QUERY_MIN_MS, FIRST_QUERY_MAX_MS);
    this.firstBrowseLatest = this.ctx.clock.now() + ONE_SHOT_BROWSE_MAX_MS;
    // The one-shot query is this schedule's first query: every responder must answer it (§6.7),
    // by unicast to us alone. A browse 20–120 ms later went out before those answers were in, so
    // with no known answers, and drew a multicast answer from every peer that every peer then had
    // to process: at 9:00 on a floor of 100, a third of all mDNS traffic (≈ 1,000 of ≈ 2,900
    // packets each node handled). The browse keeps its role, a second later (§5.2: ≥ 1 s between
    // the first two queries), for answers the one-shot socket could not receive (a host firewall
    // that admits only port 5353).
    this.scheduleBrowse(afterOneShot ? INITIAL_INTERVAL_MS + first : first);
  }

  /**
   * An answer to our one-shot query arrived: while they keep coming (a busy floor answers over
   * seconds) the first browse waits a second more, so that it lists what they taught us as known
   * answers (§7.1) instead of drawing the same records again by multicast. Bounded: it goes out at
   * the latest ONE_SHOT_BROWSE_MAX_MS after the schedule started.
   */
  postponeFirstBrowse(): void {
    if (!this.firstPending || this.stopped) return;
    const now = this.ctx.clock.now();
    const at = Math.min(
      now + INITIAL_INTERVAL_MS + randomBetween(this.ctx.random, FIRST_QUERY_MIN_MS, FIRST_QUERY_MAX_MS),
      this.firstBrowseLatest,
    );
    if (at <= this.browseAt) return;
    this.scheduleBrowse(at - now);
  }

  stop(): void {
    this.stopped = true;
    for (const t of [this.browseTimer, this.cacheTimer, this.missingTimer])
      if (t) this.ctx.clock.clearTimeout(t);
    this.browseTimer = this.cacheTimer = this.missingTimer = undefined;
    this.cacheTimerAt = Infinity;
  }

  private scheduleBrowse(ms: number): void {
    if (this.browseTimer) this.ctx.clock.clearTimeout(this.browseTimer);
    this.browseAt = this.ctx.clock.now() + ms;
    this.browseTimer = this.ctx.clock.setTimeout(() => {
      this.browseTimer = undefined;
      if (this.ctx.clock.now() - this.browseAt > LATE_TIMER_MS && this.postponed < MAX_BROWSE_POSTPONES) {
        this.postponed++;
        this.scheduleBrowse(BROWSE_POSTPONE_MS);
        return;
      }
      this.postponed = 0;
      this.firstPending = false;
      this.browse();
      this.scheduleBrowse(this.interval);
      const growth = this.skipStep ? INTERVAL_GROWTH * INTERVAL_GROWTH : INTERVAL_GROWTH;
      this.skipStep = false;
      this.interval = Math.min(this.interval * growth, MAX_INTERVAL_MS);
    }, ms);
  }

  private browse(): void {
    for (const state of this.ctx.links()) {
      if (this.suppressed.delete(state.id)) continue;
      if (this.browsedOnSibling(state.id)) continue;
      this.sendQuestions(state.id, [{ name: SERVICE_TYPE, type: 'PTR' }]);
    }
  }

  /**
   * An IPv6 link whose interface also speaks IPv4 where we have heard peers: its browse would ask
   * the same wire again, and every dual-stack peer would handle it and answer it a second time
   * (each browse carries the known answers of the whole floor). Measured at 100 started at once,
   * back to back: an IPv4-only floor reached all-to-all in 44.4 s with 1.23 s of CPU per node,
   * the dual-stack one in 62.2 s with 1.55 s. An IPv6-only peer still meets us: we announce and
   * answer on IPv6, so its own browse finds us and it dials; and while IPv4 has heard nobody on
   * the interface (IPv4 multicast filtered), IPv6 browses as before.
   */
  private browsedOnSibling(linkId: string): boolean {
    if (this.ctx.link(linkId)?.link.family !== 6) return false;
    const sibling = this.sibling(linkId);
    return sibling !== undefined && this.cache.find(SERVICE_TYPE, 'PTR', sibling).some((e) => !e.goodbye);
  }

  /** §7.1: our cached answers with more than half their TTL left. */
  private knownAnswers(linkId: string, name: string, type: string): MdnsRecord[] {
    const now = this.ctx.clock.now();
    return this.knownEntries(linkId, name, type, now)
      .map((e) => retimed(e.record, Math.max(0, Math.floor((e.expiresAt - now) / 1000))))
      .concat(this.ownKnownAnswer(linkId, name, type));
  }

  /** Whether `knownAnswers` would list this record (§7.3): one cache lookup, not the whole list,
   * for each known answer of every browse query another host sends. */
  private wouldList(linkId: string, r: MdnsRecord, now: number): boolean {
    const e = this.cache.get(linkId, r);
    if (e) return !e.goodbye && (e.expiresAt - now) / 1000 > e.record.ttl / 2;
    return this.ownKnownAnswer(linkId, r.name, r.type).some((own) => recordKey(own) === recordKey(r));
  }

  private knownEntries(linkId: string, name: string, type: string, now: number): CacheEntry[] {
    return this.cache
      .find(name, type as MdnsRecord['type'], linkId)
      .filter((e) => !e.goodbye && (e.expiresAt - now) / 1000 > e.record.ttl / 2);
  }

  /** Our own PTR rides along as a known answer so that our own responder, which hears this query
   * through multicast loopback, does not answer it (§7.1) — other hosts ignore it. */
  private ownKnownAnswer(linkId: string, name: string, type: string): MdnsRecord[] {
    const own = this.ctx.link(linkId)?.announced ? this.ctx.ownRecords(linkId)?.ptr : undefined;
    return own && sameName(name, own.name) && type === 'PTR' ? [own] : [];
  }

  private sendQuestions(linkId: string, questions: { name: string; type: string }[]): void {
    // Keep each packet small (well under 9000 bytes, RFC 6762 §17).
    for (let i = QUESTIONS_PER_PACKET; i < questions.length; i += QUESTIONS_PER_PACKET) {
      this.sendQuestions(linkId, questions.slice(i, i + QUESTIONS_PER_PACKET));
    }
    if (questions.length > QUESTIONS_PER_PACKET) questions = questions.slice(0, QUESTIONS_PER_PACKET);
    const known = questions.flatMap((q) => this.knownAnswers(linkId, q.name, q.type));
    // §7.2 and §17: as many MTU-sized packets as the known answers need, TC on all but the last.
    const asked = questions.map((q) => ({ ...q, unicastResponse: false }));
    for (const p of fitQuery(asked, known)) void this.ctx.send(linkId, p);
    // POOF (§10.5): cached records this query should draw out count one unanswered query.
    const knownKeys = new Set(known.map(recordKey));
    const now = this.ctx.clock.now();
    for (const q of questions) {
      for (const e of this.cache.find(q.name, q.type as MdnsRecord['type'], linkId)) {
        if (!knownKeys.has(recordKey(e.record))) this.cache.noteUnanswered(e, now);
      }
    }
    this.scheduleCache();
  }

  handleQuery(linkId: string, query: MdnsPacket, from: Endpoint): void {
    const now = this.ctx.clock.now();
    this.followBrowse(linkId, query, from, now);
    for (const q of query.questions) {
      if (!q.unicastResponse && !query.truncated) this.noteAskedByOthers(linkId, q, query, now);
    }
    // POOF (§10.5) counts queries that should draw a cached record. A truncated query's other
    // known answers are still to come (§7.2), so it says nothing about any one record.
    if (query.truncated) return;
    // Built only for a question that needs it: the last packet of a truncated browse (§7.2) asks
    // nothing and carries half a floor of known answers.
    let theirKnown: Set<string> | undefined;
    // Responders do not multicast their PTR to a host whose one-shot browse they have just
    // answered by unicast (responder.ts, ONE_SHOT_ANSWER_COVERS_MS): its browse that follows draws
    // no PTR, and counting it flushed live peers. One of two causes of the PTR removals at 100 at
    // once on 2 cores (thousands a start, hundreds of live peers reported down on every host);
    // RecordCache.expire has the other, the larger.
    const heardAt = this.oneShotsHeard.get(sourceKey(linkId, from));
    const covered = heardAt !== undefined && now - heardAt < ONE_SHOT_ANSWER_COVERS_MS;
    for (const q of query.questions) {
      if (q.type === 'ANY' || (covered && q.type === 'PTR')) continue;
      for (const e of this.cache.find(q.name, q.type as MdnsRecord['type'], linkId)) {
        theirKnown ??= new Set(query.answers.map(knownKey));
        if (!theirKnown.has(knownKey(e.record))) this.cache.noteUnanswered(e, now);
      }
    }
    this.scheduleCache();
  }

  /** Another host's one-shot query (§5.1, not from 5353): it is answered by unicast, which fills
   * no cache here, and it covers that host's next browse (see handleQuery). */
  handleOneShotQuery(linkId: string, query: MdnsPacket, from: Endpoint): void {
    const browses = query.questions.some((q) => q.type === 'PTR' && sameName(q.name, SERVICE_TYPE));
    if (browses) this.oneShotsHeard.set(sourceKey(linkId, from), this.ctx.clock.now());
  }

  /**
   * §7.3 for our browse: another host's query counts as ours only if its known answers hold
   * nothing we would not list ourselves. Responders stay silent about what they list; a newcomer
   * that knows nobody would otherwise wait a whole query interval for answers never sent. Our own
   * PTR is on our list (see knownAnswers), and every peer that knows us lists it too: leaving it
   * out made every settled host's query look new to every other, so none was ever suppressed and
   * a LAN of N sent N browse queries per round instead of one. On a floor whose known answers take
   * more than one packet (TC, §7.2) the verdict waits for the last packet from that host: judged
   * on the first alone, or not at all, every host browsed every round again.
   */
  private followBrowse(linkId: string, query: MdnsPacket, from: Endpoint, now: number): void {
    const source = sourceKey(linkId, from);
    const asks = query.questions.some(
      (q) => q.type === 'PTR' && !q.unicastResponse && sameName(q.name, SERVICE_TYPE),
    );
    // A packet asking our question starts a browse; the packets that follow from that host carry
    // the rest of its known answers.
    const browse = asks
      ? { allKnown: true, until: now + BROWSE_PACKETS_WITHIN_MS }
      : this.browsesHeard.get(source);
    if (!browse || browse.until < now) return;
    if (asks) this.browsesHeard.set(source, browse);
    browse.allKnown &&= query.answers.every(
      (r) => r.type !== 'PTR' || !sameName(r.name, SERVICE_TYPE) || this.wouldList(linkId, r, now),
    );
    if (query.truncated) return;
    this.browsesHeard.delete(source);
    if (browse.allKnown) this.suppressed.add(linkId);
  }

  /**
   * §7.3 for the direct questions askMissing sends (SRV, TXT, A, AAAA of one peer): another host
   * asked the same, listing no answer we lack, so the answer will be multicast and reach us too.
   * A host that missed an announcement under load is rarely alone: at 9:00 on a floor of 100,
   * ≈ 40 hosts asked for one newcomer's SRV and TXT within a second, ≈ 400 questions in all, each
   * answered and each processed by every host.
   */
  private noteAskedByOthers(
    linkId: string,
    q: { name: string; type: string },
    query: MdnsPacket,
    now: number,
  ): void {
    if (q.type !== 'SRV' && q.type !== 'TXT' && q.type !== 'A' && q.type !== 'AAAA') return;
    const theirs = query.answers.filter((r) => r.type === q.type && sameName(r.name, q.name));
    if (!theirs.every((r) => this.wouldList(linkId, r, now))) return;
    this.askedByOthers.set(questionKey(linkId, q.name, q.type), now);
  }

  handleResponse(linkId: string, response: MdnsPacket, ownNames: { instance: string; host: string }): void {
    const now = this.ctx.clock.now();
    const records = [...response.answers, ...response.additionals].sort(
      (a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type],
    );
    for (const r of records) if (r.flush) this.cache.flushRrset(linkId, r, now);
    // Known instances: the cache's PTR targets, plus those this packet named without caching
    // (a goodbye for a PTR we never had still makes its SRV/TXT in the packet relevant).
    const named = new Set<string>();
    const instances: Instances = {
      has: (name) => this.cache.hasPtrTarget(SERVICE_TYPE, name) || named.has(name.toLowerCase()),
      size: () => this.cache.ptrTargetCount(SERVICE_TYPE) + named.size,
    };
    const touched: CacheEntry[] = [];
    const jitter = this.cache.refreshJitter();
    let dropped = 0;
    // Names compare case-insensitively (RFC 6762 §16): ours are lowered once per packet.
    const ownInstance = ownNames.instance.toLowerCase();
    const ownHost = ownNames.host.toLowerCase();
    for (const r of records) {
      const name = r.name.toLowerCase();
      if (name === ownInstance || name === ownHost) continue;
      // Our own PTR too: it comes back when our echo arrives after we stopped remembering the
      // packet (a loaded host lags for seconds) or a reflector repeats it. Cached, it made the
      // resolver ask the LAN for our own SRV and TXT, four times, on every busy host.
      if (r.type === 'PTR' && r.data.toLowerCase() === ownInstance) continue;
      if (!this.relevant(linkId, r, instances)) {
        if (r.type === 'PTR' && sameName(r.name, SERVICE_TYPE) && r.ttl > 0) dropped++;
        continue;
      }
      const entry = this.cache.put(linkId, r, now, jitter);
      if (entry) touched.push(entry);
      if (r.type === 'PTR') {
        if (this.cache.hasPtrTarget(SERVICE_TYPE, r.data)) named.delete(r.data.toLowerCase());
        else named.add(r.data.toLowerCase());
      }
    }
    if (dropped > 0) {
      this.ctx.warn('cache-full', `peer cache is full (${MAX_INSTANCES} services); ignored ${dropped} more`);
    }
    this.refreshSibling(linkId, touched, now, jitter);
    if (touched.length > 0) {
      this.hooks.onCacheChange([], touched);
      this.scheduleCache();
    }
  }

  private relevant(linkId: string, r: MdnsRecord, instances: Instances): boolean {
    switch (r.type) {
      case 'PTR':
        if (!sameName(r.name, SERVICE_TYPE) || labelOfInstance(r.data) === undefined) return false;
        return instances.has(r.data) || instances.size() < MAX_INSTANCES;
      case 'SRV':
      case 'TXT':
        if (!instances.has(r.name)) return false;
        return (
          this.cache.has(linkId, r) || this.cache.find(r.name, r.type, linkId).length < MAX_RECORDS_PER_RRSET
        );
      case 'A':
      case 'AAAA': {
        if (this.cache.pointingAt(r.name, 'SRV').length === 0) return false;
        if (this.cache.has(linkId, r)) return true;
        const count =
          this.cache.find(r.name, 'A', linkId).length + this.cache.find(r.name, 'AAAA', linkId).length;
        return count < MAX_ADDRESSES_PER_HOST;
      }
      case 'OTHER':
        return false;
    }
  }

  /** Asks directly for records resolution still lacks, each at most 4 times with backoff. */
  askMissing(): void {
    if (this.stopped) return;
    const now = this.ctx.clock.now();
    const missing = this.hooks.missing();
    const live = new Set<string>();
    const byLink = new Map<string, { name: string; type: string }[]>();
    let nextRetry = Infinity;
    let budget = MISSING_PER_ROUND;
    for (const m of missing) {
      const key = questionKey(m.linkId, m.name, m.type);
      live.add(key);
      const state = this.asked.get(key) ?? { tries: 0, at: -Infinity };
      const due = state.at + INITIAL_INTERVAL_MS * 2 ** Math.max(0, state.tries - 1);
      if (state.tries >= MISSING_MAX_TRIES) continue;
      if (due > now || budget <= 0) {
        nextRetry = Math.min(nextRetry, Math.max(due, now + INITIAL_INTERVAL_MS));
        continue;
      }
      const askedAt = this.askedByOthers.get(key);
      if (askedAt !== undefined && now - askedAt < ASKED_BY_OTHERS_MS) {
        // Treated as sent (§7.3): a try like our own, so a peer nobody can reach still ends.
        this.asked.set(key, { tries: state.tries + 1, at: askedAt });
        nextRetry = Math.min(nextRetry, askedAt + INITIAL_INTERVAL_MS * 2 ** state.tries);
        continue;
      }
      budget--;
      this.asked.set(key, { tries: state.tries + 1, at: now });
      nextRetry = Math.min(nextRetry, now + INITIAL_INTERVAL_MS * 2 ** state.tries);
      const list = byLink.get(m.linkId) ?? [];
      list.push({ name: m.name, type: m.type });
      byLink.set(m.linkId, list);
    }
    for (const key of this.asked.keys()) if (!live.has(key)) this.asked.delete(key);
    for (const [linkId, questions] of byLink)
      if (this.ctx.link(linkId)) this.sendQuestions(linkId, questions);
    if (this.missingTimer) this.ctx.clock.clearTimeout(this.missingTimer);
    this.missingTimer = undefined;
    if (nextRetry !== Infinity) {
      this.missingTimer = this.ctx.clock.setTimeout(() => this.askMissing(), Math.max(0, nextRetry - now));
    }
  }

  /** The link of the other address family on the same interface: the same wire. */
  private sibling(linkId: string): string | undefined {
    const state = this.ctx.link(linkId);
    if (!state) return undefined;
    return this.ctx.links().find((l) => l !== state && l.iface.name === state.iface.name)?.id;
  }

  /**
   * A record heard again on one family of an interface is fresh on the other family of the same
   * interface too: one wire, one sender, identical bytes. Only records that link already holds are
   * refreshed there (what is new is learned on each link from its own packets), never a goodbye,
   * and only once past half their TTL there. With this, the cache refreshes of a dual-stack floor
   * need asking on one family only (leftToSibling). `touched`: this packet's entries on `linkId`.
   */
  private refreshSibling(
    linkId: string,
    touched: CacheEntry[],
    now: number,
    jitter: readonly number[],
  ): void {
    const sibling = this.sibling(linkId);
    if (!sibling) return;
    const also: CacheEntry[] = [];
    for (const e of touched) {
      if (e.record.ttl === 0) continue;
      const there = this.cache.get(sibling, e.record);
      if (!there || there.goodbye || there.withdrawn) continue;
      // Fresh there already (an announcement goes out on both families): nothing to gain, and
      // at 9:00 every response would be put twice.
      if (now - there.receivedAt < (there.record.ttl * 1000) / 2) continue;
      const refreshed = this.cache.put(sibling, e.record, now, jitter);
      if (refreshed) also.push(refreshed);
    }
    touched.push(...also);
  }

  /**
   * Whether a due refresh on an IPv6 link can leave the asking to the IPv4 link of the same
   * interface, which holds the same record: its answer refreshes both (refreshSibling). Only at
   * the first refresh point (80 %): if IPv4 gets no answer, IPv6 asks from the second point on.
   * A dual-stack floor asked on both families: a query and an answer per peer per family every
   * ≈ 96 s, ≈ 2.6 packets per host and minute however big the floor (RFC 6762 §10's 120 s for
   * records with host names); asking on one family halves that.
   */
  private leftToSibling(e: CacheEntry): boolean {
    if (e.refreshAt.length !== REFRESH_POINTS.length - 1) return false;
    if (this.ctx.link(e.linkId)?.link.family !== 6) return false;
    const sibling = this.sibling(e.linkId);
    const there = sibling === undefined ? undefined : this.cache.get(sibling, e.record);
    return there !== undefined && !there.goodbye && !there.withdrawn;
  }

  /** Runs expiry and refresh now, then re-arms the single cache timer. `stalled`: that timer fired
   * more than LATE_TIMER_MS late (see RecordCache.expire). */
  tick(stalled = false): void {
    if (this.stopped) return;
    const now = this.ctx.clock.now();
    const removed = this.cache.expire(now, stalled);
    const due = this.cache.dueRefresh(now).filter((e) => !this.leftToSibling(e));
    const byLink = new Map<string, Map<string, { name: string; type: string }>>();
    for (const e of due) {
      const q = { name: e.record.name, type: e.record.type };
      const list = byLink.get(e.linkId) ?? new Map();
      list.set(`${q.name.toLowerCase()}|${q.type}`, q);
      byLink.set(e.linkId, list);
    }
    for (const [linkId, qs] of byLink)
      if (this.ctx.link(linkId)) this.sendQuestions(linkId, [...qs.values()]);
    if (removed.length > 0) this.hooks.onCacheChange(removed, []);
    this.scheduleCache();
  }

  scheduleCache(): void {
    if (this.stopped) return;
    const next = this.cache.nextDeadline();
    if (next === undefined || next >= this.cacheTimerAt) return;
    if (this.cacheTimer) this.ctx.clock.clearTimeout(this.cacheTimer);
    this.cacheTimerAt = next;
    this.cacheTimer = this.ctx.clock.setTimeout(
      () => {
        this.cacheTimer = undefined;
        this.cacheTimerAt = Infinity;
        this.tick(this.ctx.clock.now() - next > LATE_TIMER_MS);
      },
      Math.max(0, next - this.ctx.clock.now()),
    );
  }
}
