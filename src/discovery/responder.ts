// RFC 6762 §6 answering. Unique records (SRV, TXT, A/AAAA) are answered at once; a query that
// asks for a shared record (our PTR) is answered after a random 20–120 ms so that the answers of
// many hosts do not collide, and answers for the same link are aggregated into one packet
// meanwhile. A record is multicast at most once per second per interface (probe defence: 250 ms).
// Known answers (§7.1) suppress records the querier already holds with at least half their TTL.
// Queries from a port other than 5353 are legacy unicast (§6.7): answered directly, at once, with
// the question echoed, no cache-flush bit and TTL ≤ 10 s.
import { BoundedCache } from '../crypto/bounded-cache.js';
import { randomBetween, type TimerHandle } from './clock.js';
import { type EngineContext, sourceKey } from './engine-context.js';
import { SERVICE_TYPE, SERVICES_META, sameName } from './mdns-names.js';
import {
  type Endpoint,
  emptyPacket,
  MDNS_PORT,
  type MdnsPacket,
  type MdnsQuestion,
  type MdnsRecord,
} from './mdns-packet.js';
import { forLegacyUnicast, type OwnRecordSet } from './own-records.js';
import { recordKey } from './record-order.js';

export const SHARED_DELAY_MIN_MS = 20;
export const SHARED_DELAY_MAX_MS = 120;
export const MULTICAST_MIN_INTERVAL_MS = 1000;
export const PROBE_DEFENSE_MIN_INTERVAL_MS = 250;
/** How long our unicast answer to a host's one-shot query stands in for a multicast answer to
 * that host's browse (see handleQuery). */
export const ONE_SHOT_ANSWER_COVERS_MS = 2_000;
const MAX_ONE_SHOT_ANSWERED = 4_096;
/** §7.2: a truncated query is answered after 400–500 ms, once its other packets are in. */
export const TRUNCATED_DELAY_MIN_MS = 400;
export const TRUNCATED_DELAY_MAX_MS = 500;
export const MAX_TRUNCATED = 1_024;

function typeMatches(question: MdnsQuestion, type: string): boolean {
  return question.type === 'ANY' || question.type === type;
}

/** Our records that answer one question, with whether they are shared (§2). */
export function answersFor(
  question: MdnsQuestion,
  own: OwnRecordSet,
  names: { instance: string; host: string },
) {
  const out: { record: MdnsRecord; shared: boolean }[] = [];
  if (sameName(question.name, SERVICE_TYPE) && typeMatches(question, 'PTR'))
    out.push({ record: own.ptr, shared: true });
  if (sameName(question.name, SERVICES_META) && typeMatches(question, 'PTR')) {
    out.push({ record: own.meta, shared: true });
  }
  if (sameName(question.name, names.instance)) {
    if (typeMatches(question, 'SRV')) out.push({ record: own.srv, shared: false });
    if (typeMatches(question, 'TXT')) out.push({ record: own.txt, shared: false });
  }
  if (sameName(question.name, names.host)) {
    for (const r of own.addresses) if (typeMatches(question, r.type)) out.push({ record: r, shared: false });
  }
  return out;
}

/** RFC 6763 §12: additional records that save the querier a round trip. */
function additionalsFor(answers: readonly MdnsRecord[], own: OwnRecordSet): MdnsRecord[] {
  const keys = new Set(answers.map(recordKey));
  const extra: MdnsRecord[] = [];
  const add = (r: MdnsRecord) => {
    const k = recordKey(r);
    if (!keys.has(k)) {
      keys.add(k);
      extra.push(r);
    }
  };
  for (const a of answers) {
    if (a === own.ptr) [own.srv, own.txt, ...own.addresses].forEach(add);
    if (a === own.srv) own.addresses.forEach(add);
  }
  return extra;
}

/** Same rdata, compared in place (record-order.ts's rdataKey, without building the keys). */
function sameRdata(a: MdnsRecord, b: MdnsRecord): boolean {
  switch (a.type) {
    case 'A':
    case 'AAAA':
    case 'PTR':
      return b.type === a.type && sameName(a.data, b.data);
    default:
      return recordKey(a) === recordKey(b);
  }
}

/**
 * §7.1: the querier lists this record with at least half its TTL left. A browse from a floor of N
 * lists N known answers and every host checks its own few records against them: compared in
 * place, not keyed. Keying each answer (two lowered copies and a concatenation, then a map) cost
 * each of 100 hosts ≈ 0.25 ms per browse, and a newcomer browses six times in its first minute.
 */
function knownToQuerier(record: MdnsRecord, knownAnswers: readonly MdnsRecord[]): boolean {
  for (const k of knownAnswers) {
    if (k.type !== record.type || k.ttl < record.ttl / 2) continue;
    if (sameRdata(k, record) && sameName(k.name, record.name)) return true;
  }
  return false;
}

/**
 * A probe (§8.1) whose records for our names (`proposed`) are only records we hold ourselves:
 * the loopback copy of our own probe, which a busy host reads after its probing ended (at 9:00 on
 * a floor of 100 on two cores, most hosts did, and each multicast its SRV, TXT and addresses to
 * the floor on each family: ≈ 1 in 8 of the start's datagrams), or a twin with identical data
 * (§8.2: no conflict). Answering either defends nothing.
 */
function proposesOurs(proposed: readonly MdnsRecord[], own: OwnRecordSet): boolean {
  const ours = [own.srv, own.txt, ...own.addresses];
  return proposed.every((r) =>
    ours.some((o) => o.type === r.type && sameName(o.name, r.name) && sameRdata(o, r)),
  );
}

/** Records may have changed (rename, new address) since the query: answer with the current ones. */
function currentOf(own: OwnRecordSet, records: readonly MdnsRecord[]): MdnsRecord[] {
  const current = new Map(
    [own.ptr, own.meta, own.srv, own.txt, ...own.addresses].map((r) => [recordKey(r), r] as const),
  );
  return records.flatMap((r) => current.get(recordKey(r)) ?? []);
}

/** A truncated query (§7.2) waiting for the rest of its known answers. */
interface Truncated {
  records: MdnsRecord[];
  minInterval: number;
  timer: TimerHandle;
}

export class Responder {
  private readonly ctx: EngineContext;
  private readonly pending = new Map<string, { records: Map<string, MdnsRecord>; timer: TimerHandle }>();
  /** `link|source address` → when we last gave that host our PTR by unicast (its one-shot query).
   * Bounded, the oldest out first (a flood of one-shot queries then only costs multicast answers). */
  private readonly oneShotAnswered = new BoundedCache<string, number>(MAX_ONE_SHOT_ANSWERED);
  /** `link|source address` → our answer to that host's truncated query, held for §7.2. At most
   * one per host and at most MAX_TRUNCATED hosts: a flood of truncated queries is answered at
   * once, as before TC was honoured, rather than held in memory. */
  private readonly truncated = new Map<string, Truncated>();

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
  }

  handleQuery(linkId: string, query: MdnsPacket, from: Endpoint): void {
    const state = this.ctx.link(linkId);
    const own = this.ctx.ownRecords(linkId);
    if (!state?.announced || !own) return;
    const names = this.ctx.ownNames();
    if (from.port === MDNS_PORT) this.moreKnownAnswers(linkId, query, from);
    const matched = query.questions.flatMap((q) => answersFor(q, own, names));
    if (matched.length === 0) return;
    const covered = from.port === MDNS_PORT && this.answeredOneShot(linkId, from);
    const wanted = matched.filter(
      (m) => !knownToQuerier(m.record, query.answers) && !(covered && m.record === own.ptr),
    );
    if (wanted.length === 0) return;

    if (from.port !== MDNS_PORT) {
      this.replyLegacy(
        linkId,
        query,
        from,
        own,
        wanted.map((m) => m.record),
      );
      return;
    }
    const proposed = query.authorities.filter(
      (r) => sameName(r.name, names.instance) || sameName(r.name, names.host),
    );
    const isProbe = proposed.length > 0;
    if (isProbe && proposesOurs(proposed, own)) return;
    const minInterval = isProbe ? PROBE_DEFENSE_MIN_INTERVAL_MS : MULTICAST_MIN_INTERVAL_MS;
    const fresh = wanted.filter((m) => this.mayMulticast(linkId, m.record, minInterval));
    if (fresh.length === 0) return;

    if (
      query.truncated &&
      !isProbe &&
      this.awaitKnownAnswers(
        linkId,
        from,
        fresh.map((m) => m.record),
        minInterval,
      )
    )
      return;

    if (fresh.every((m) => !m.shared)) {
      void this.sendResponse(
        linkId,
        own,
        fresh.map((m) => m.record),
        minInterval,
      );
      return;
    }
    this.aggregate(
      linkId,
      fresh.map((m) => m.record),
    );
  }

  /**
   * §7.2: a query with TC set has more known answers in the packets that follow from the same
   * host. We answer 400–500 ms later, with what those packets did not list. Without this wait, on a
   * floor big enough to need two packets of known answers, every host whose PTR was in the second
   * packet answered by multicast, and every host processed each of those answers.
   */
  private awaitKnownAnswers(
    linkId: string,
    from: Endpoint,
    records: MdnsRecord[],
    minInterval: number,
  ): boolean {
    const source = sourceKey(linkId, from);
    const waiting = this.truncated.get(source);
    if (waiting) {
      // A second truncated query from the host before the first was answered: one answer for both.
      for (const r of records) if (!waiting.records.includes(r)) waiting.records.push(r);
      waiting.minInterval = Math.min(waiting.minInterval, minInterval);
      return true;
    }
    if (this.truncated.size >= MAX_TRUNCATED) return false;
    const delay = randomBetween(this.ctx.random, TRUNCATED_DELAY_MIN_MS, TRUNCATED_DELAY_MAX_MS);
    const timer = this.ctx.clock.setTimeout(() => {
      const entry = this.truncated.get(source);
      this.truncated.delete(source);
      const own = this.ctx.ownRecords(linkId);
      if (!entry || !own || entry.records.length === 0) return;
      void this.sendResponse(linkId, own, currentOf(own, entry.records), entry.minInterval);
    }, delay);
    this.truncated.set(source, { records, minInterval, timer });
    return true;
  }

  /** Known answers in a packet that follows a truncated query from the same host (§7.2). */
  private moreKnownAnswers(linkId: string, query: MdnsPacket, from: Endpoint): void {
    if (query.answers.length === 0 || this.truncated.size === 0) return;
    const waiting = this.truncated.get(sourceKey(linkId, from));
    if (!waiting) return;
    waiting.records = waiting.records.filter((r) => !knownToQuerier(r, query.answers));
  }

  /**
   * A host browses a second after its one-shot query (querier.ts), listing as known answers what
   * the one-shot's answers taught it by then. Ours may still be on its way or unread: at 9:00 a
   * loaded host takes seconds to read them, and its browse then drew our PTR again by multicast,
   * which every host on the link had to process (≈ 1,700 of ≈ 3,400 packets per node on a floor of
   * 100 started at once). Our unicast answer stands in for that multicast for a while (§7.1 in
   * spirit: the querier holds the record, or will). If it never arrived (a firewall admitting only
   * port 5353), the host's next browse, a second later, is answered as usual.
   */
  private answeredOneShot(linkId: string, from: Endpoint): boolean {
    const at = this.oneShotAnswered.get(sourceKey(linkId, from));
    return at !== undefined && this.ctx.clock.now() - at < ONE_SHOT_ANSWER_COVERS_MS;
  }

  private mayMulticast(linkId: string, record: MdnsRecord, minInterval: number): boolean {
    const last = this.ctx.link(linkId)?.lastMulticast.get(recordKey(record));
    return last === undefined || this.ctx.clock.now() - last >= minInterval;
  }

  private aggregate(linkId: string, records: MdnsRecord[]): void {
    let entry = this.pending.get(linkId);
    if (!entry) {
      const delay = randomBetween(this.ctx.random, SHARED_DELAY_MIN_MS, SHARED_DELAY_MAX_MS);
      const timer = this.ctx.clock.setTimeout(() => this.flush(linkId), delay);
      entry = { records: new Map(), timer };
      this.pending.set(linkId, entry);
    }
    for (const r of records) entry.records.set(recordKey(r), r);
  }

  private flush(linkId: string): void {
    const entry = this.pending.get(linkId);
    this.pending.delete(linkId);
    const own = this.ctx.ownRecords(linkId);
    if (!entry || !own) return;
    void this.sendResponse(
      linkId,
      own,
      currentOf(own, [...entry.records.values()]),
      MULTICAST_MIN_INTERVAL_MS,
    );
  }

  private async sendResponse(linkId: string, own: OwnRecordSet, answers: MdnsRecord[], minInterval: number) {
    const fresh = answers.filter((r) => this.mayMulticast(linkId, r, minInterval));
    if (fresh.length === 0) return;
    const packet = emptyPacket('response');
    packet.answers.push(...fresh);
    packet.additionals.push(
      ...additionalsFor(fresh, own).filter((r) => this.mayMulticast(linkId, r, MULTICAST_MIN_INTERVAL_MS)),
    );
    await this.ctx.send(linkId, packet);
  }

  private replyLegacy(
    linkId: string,
    query: MdnsPacket,
    to: Endpoint,
    own: OwnRecordSet,
    answers: MdnsRecord[],
  ) {
    const packet = emptyPacket('response');
    packet.id = query.id;
    packet.questions.push(...query.questions);
    packet.answers.push(...answers.map(forLegacyUnicast));
    packet.additionals.push(...additionalsFor(answers, own).map(forLegacyUnicast));
    void this.ctx.send(linkId, packet, to);
    if (answers.includes(own.ptr)) {
      this.oneShotAnswered.set(sourceKey(linkId, to), this.ctx.clock.now());
    }
  }

  cancel(): void {
    for (const entry of this.pending.values()) this.ctx.clock.clearTimeout(entry.timer);
    this.pending.clear();
    for (const entry of this.truncated.values()) this.ctx.clock.clearTimeout(entry.timer);
    this.truncated.clear();
  }
}
