// Bookkeeping for our one-shot queries (sent by MdnsDiscovery at start and on new links, see
// one-shot-socket.ts): which responses answer one, and which names said goodbye while their
// answers may still be on the way.
import type { Clock, Random } from './clock.js';
import { ONE_SHOT_LISTEN_MS } from './mdns-link.js';
import { SERVICE_TYPE } from './mdns-names.js';
import { emptyPacket, type MdnsPacket, type MdnsRecord } from './mdns-packet.js';
import { HOST_TTL, LEGACY_MAX_TTL, OTHER_TTL } from './own-records.js';

export class OneShotQueries {
  private readonly ids = new Set<number>();
  /** Lower-case names that said goodbye while a one-shot query was open. */
  private readonly gone = new Set<string>();

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  /** A new one-shot PTR query for our service; its answers are recognised for a while. */
  query(): MdnsPacket {
    const packet = emptyPacket('query');
    packet.id = 1 + Math.floor(this.random() * 0xfffe); // §6.7: the answer echoes it
    packet.questions.push({ name: SERVICE_TYPE, type: 'PTR', unicastResponse: false });
    const id = packet.id;
    this.ids.add(id);
    this.clock.setTimeout(() => {
      this.ids.delete(id);
      if (this.ids.size === 0) this.gone.clear();
    }, ONE_SHOT_LISTEN_MS);
    return packet;
  }

  /** Multicast responses carry id 0 (§18.1); answers to a one-shot query echo its id. */
  answers(packet: MdnsPacket): boolean {
    return packet.id !== 0 && this.ids.has(packet.id);
  }

  noteGoodbye(record: MdnsRecord): void {
    if (this.ids.size === 0) return;
    this.gone.add(record.name.toLowerCase());
    if (record.type === 'PTR') this.gone.add(record.data.toLowerCase());
  }

  /**
   * An answer to our one-shot query, made fit for the cache:
   * - without the names that said goodbye since: an answer that arrives after the goodbye (over
   *   the other address family, say) is older news and must not bring them back;
   * - with the TTLs the records carry when multicast. Responders cap TTLs at 10 s in answers to
   *   a port other than 5353 (§6.7, meant for resolvers that never hear goodbyes). Cached with
   *   10 s, the records are worthless as known answers (§7.1 wants at least half the true TTL),
   *   so our first browse drew a multicast answer from EVERY peer, which every peer then had to
   *   process: O(N) packets and O(N²) work on the floor per arrival, the largest cost of a
   *   morning start (measured: 49 answers × 2 families per joiner at N = 50). We are an mDNS
   *   cache that does hear goodbyes, so the capped TTL does not apply to us.
   */
  forCache(packet: MdnsPacket): MdnsPacket {
    const keep = (r: MdnsRecord) =>
      this.gone.size === 0 ||
      (!this.gone.has(r.name.toLowerCase()) && !(r.type === 'PTR' && this.gone.has(r.data.toLowerCase())));
    const restore = (r: MdnsRecord): MdnsRecord =>
      r.ttl > 0 && r.ttl <= LEGACY_MAX_TTL ? { ...r, ttl: multicastTtl(r) } : r;
    return {
      ...packet,
      answers: packet.answers.filter(keep).map(restore),
      additionals: packet.additionals.filter(keep).map(restore),
    };
  }
}

/** RFC 6762 §10: host-naming records (SRV, A, AAAA) live 120 s, the others 75 minutes. */
function multicastTtl(record: MdnsRecord): number {
  return record.type === 'SRV' || record.type === 'A' || record.type === 'AAAA' ? HOST_TTL : OTHER_TTL;
}
