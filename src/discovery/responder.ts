// RFC 6762 §6 answering. Unique records (SRV, TXT, A/AAAA) are answered at once; a query that
// asks for a shared record (our PTR) is answered after a random 20–120 ms so that the answers of
// many hosts do not collide, and answers for the same link are aggregated into one packet
// meanwhile. A record is multicast at most once per second per interface (probe defence: 250 ms).
// Known answers (§7.1) suppress records the querier already holds with at least half their TTL.
// Queries from a port other than 5353 are legacy unicast (§6.7): answered directly, at once, with
// the question echoed, no cache-flush bit and TTL ≤ 10 s.
import { BoundedCache } from '../crypto/bounded-cache.js';
import { randomBetween, type TimerHandle } from './clock.js';
import type { EngineContext } from './engine-context.js';
import { stripScope } from './ip-address.js';
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

/** Known answers of a query (§7.1) by record key, with the longest TTL listed for each. */
function knownAnswerTtls(knownAnswers: readonly MdnsRecord[]): Map<string, number> {
  const ttls = new Map<string, number>();
  for (const k of knownAnswers) {
    const key = recordKey(k);
    ttls.set(key, Math.max(k.ttl, ttls.get(key) ?? 0));
  }
  return ttls;
}

/** §7.1: the querier already has this record with at least half its TTL left. */
function knownToQuerier(record: MdnsRecord, known: ReadonlyMap<string, number>): boolean {
  const ttl = known.get(recordKey(record));
  return ttl !== undefined && ttl >= record.ttl / 2;
}

export class Responder {
  private readonly ctx: EngineContext;
  private readonly pending = new Map<string, { records: Map<string, MdnsRecord>; timer: TimerHandle }>();
  /** `link|source address` → when we last gave that host our PTR by unicast (its one-shot query).
   * Bounded, the oldest out first (a flood of one-shot queries then only costs multicast answers). */
  private readonly oneShotAnswered = new BoundedCache<string, number>(MAX_ONE_SHOT_ANSWERED);

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
  }

  handleQuery(linkId: string, query: MdnsPacket, from: Endpoint): void {
    const state = this.ctx.link(linkId);
    const own = this.ctx.ownRecords(linkId);
    if (!state?.announced || !own) return;
    const names = this.ctx.ownNames();
    const matched = query.questions.flatMap((q) => answersFor(q, own, names));
    if (matched.length === 0) return;
    // One pass over the known answers (a browse query from a LAN of N lists N of them).
    const known = knownAnswerTtls(query.answers);
    const covered = from.port === MDNS_PORT && this.answeredOneShot(linkId, from);
    const wanted = matched.filter(
      (m) => !knownToQuerier(m.record, known) && !(covered && m.record === own.ptr),
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
    const isProbe = query.authorities.some(
      (r) => sameName(r.name, names.instance) || sameName(r.name, names.host),
    );
    const minInterval = isProbe ? PROBE_DEFENSE_MIN_INTERVAL_MS : MULTICAST_MIN_INTERVAL_MS;
    const fresh = wanted.filter((m) => this.mayMulticast(linkId, m.record, minInterval));
    if (fresh.length === 0) return;

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
   * A host browses a second after its one-shot query (querier.ts), listing as known answers what
   * the one-shot's answers taught it by then. Ours may still be on its way or unread: at 9:00 a
   * loaded host takes seconds to read them, and its browse then drew our PTR again by multicast,
   * which every host on the link had to process (≈ 1,700 of ≈ 3,400 packets per node on a floor of
   * 100 started at once). Our unicast answer stands in for that multicast for a while (§7.1 in
   * spirit: the querier holds the record, or will). If it never arrived (a firewall admitting only
   * port 5353), the host's next browse, a second later, is answered as usual.
   */
  private answeredOneShot(linkId: string, from: Endpoint): boolean {
    const at = this.oneShotAnswered.get(`${linkId}|${stripScope(from.address)}`);
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
    // Records may have changed (rename, new address) since the query: answer with the current ones.
    const current = new Map(
      [own.ptr, own.meta, own.srv, own.txt, ...own.addresses].map((r) => [recordKey(r), r] as const),
    );
    const answers = [...entry.records.keys()].flatMap((k) => current.get(k) ?? []);
    void this.sendResponse(linkId, own, answers, MULTICAST_MIN_INTERVAL_MS);
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
      this.oneShotAnswered.set(`${linkId}|${stripScope(to.address)}`, this.ctx.clock.now());
    }
  }

  cancel(): void {
    for (const entry of this.pending.values()) this.ctx.clock.clearTimeout(entry.timer);
    this.pending.clear();
  }
}
