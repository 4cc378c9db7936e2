// Bookkeeping for our one-shot queries (sent by MdnsDiscovery at start and on new links, see
// one-shot-socket.ts): which responses answer one, and which names said goodbye while their
// answers may still be on the way.
import type { Clock, Random } from './clock.js';
import { ONE_SHOT_LISTEN_MS } from './mdns-link.js';
import { SERVICE_TYPE } from './mdns-names.js';
import { emptyPacket, type MdnsPacket, type MdnsRecord } from './mdns-packet.js';

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

  /** The answer without the names that said goodbye since: an answer that arrives after the
   * goodbye (over the other address family, say) is older news and must not bring them back. */
  withoutGoodbyes(packet: MdnsPacket): MdnsPacket {
    if (this.gone.size === 0) return packet;
    const alive = (r: MdnsRecord) =>
      !this.gone.has(r.name.toLowerCase()) && !(r.type === 'PTR' && this.gone.has(r.data.toLowerCase()));
    return {
      ...packet,
      answers: packet.answers.filter(alive),
      additionals: packet.additionals.filter(alive),
    };
  }
}
