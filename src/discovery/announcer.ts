// RFC 6762 §8.3 announcing and §10.1 goodbyes. After probing, all our records are multicast in an
// unsolicited response, unique ones with the cache-flush bit, at least twice, one second apart.
// The same is repeated whenever a record changes (§8.4: new address, new TXT, new port). On a
// clean exit the records are sent once more with TTL 0 so peers drop us at once instead of after
// 75 minutes.
import type { TimerHandle } from './clock.js';
import type { EngineContext } from './engine-context.js';
import { emptyPacket, type MdnsPacket } from './mdns-packet.js';
import { allOwnRecords, type OwnRecordSet, withTtl } from './own-records.js';

export const ANNOUNCE_COUNT = 2;
export const ANNOUNCE_INTERVAL_MS = 1000;

export function announcementPacket(own: OwnRecordSet): MdnsPacket {
  const packet = emptyPacket('response');
  packet.answers.push(...allOwnRecords(own));
  return packet;
}

export function goodbyePacket(own: OwnRecordSet): MdnsPacket {
  const packet = emptyPacket('response');
  packet.answers.push(...allOwnRecords(own).map((r) => withTtl(r, 0)));
  return packet;
}

/** Goodbye for our instance records only, after a nick change: the host name and its addresses
 * stay valid, so they are not withdrawn. */
export function goodbyeForName(own: OwnRecordSet): MdnsPacket {
  const packet = emptyPacket('response');
  packet.answers.push(...[own.ptr, own.srv, own.txt].map((r) => withTtl(r, 0)));
  return packet;
}

export class Announcer {
  private readonly ctx: EngineContext;
  private readonly timers = new Set<TimerHandle>();

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
  }

  /** Sends the first announcement now on each link, the next ones 1 s apart. Resolves once the
   * first one has been handed to the sockets. */
  async announce(linkIds: readonly string[]): Promise<void> {
    const first = linkIds.map((id) => this.sendOnce(id));
    for (let i = 1; i < ANNOUNCE_COUNT; i++) {
      const timer = this.ctx.clock.setTimeout(() => {
        this.timers.delete(timer);
        for (const id of linkIds) void this.sendOnce(id);
      }, i * ANNOUNCE_INTERVAL_MS);
      this.timers.add(timer);
    }
    await Promise.all(first);
  }

  private async sendOnce(linkId: string): Promise<void> {
    const state = this.ctx.link(linkId);
    const own = this.ctx.ownRecords(linkId);
    if (!state?.announced || !own) return;
    await this.ctx.send(linkId, announcementPacket(own));
  }

  /** Sends goodbyes on every announced link and resolves when they are flushed. */
  async goodbye(): Promise<void> {
    this.cancel();
    const sends: Promise<void>[] = [];
    for (const state of this.ctx.links()) {
      const own = this.ctx.ownRecords(state.id);
      if (state.announced && own) sends.push(this.ctx.send(state.id, goodbyePacket(own)));
    }
    await Promise.all(sends);
  }

  /** Goodbye for one record set on one link (old name after a nick change). */
  async goodbyeOn(linkId: string, own: OwnRecordSet): Promise<void> {
    await this.ctx.send(linkId, goodbyePacket(own));
  }

  cancel(): void {
    for (const t of this.timers) this.ctx.clock.clearTimeout(t);
    this.timers.clear();
  }
}
