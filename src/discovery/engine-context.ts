// What the responder, prober, announcer and querier share: the open links, our current records
// per link, a send function, time and randomness. Built by mdns-discovery.ts; faked in tests.
import type { Clock, Random } from './clock.js';
import { stripScope } from './ip-address.js';
import type { MdnsLink } from './mdns-link.js';
import type { Endpoint, MdnsPacket } from './mdns-packet.js';
import type { NetInterface } from './net-interfaces.js';
import type { OwnRecordSet } from './own-records.js';

/** One host as heard on one link (`link|address`, scope stripped): whom a one-shot answer, a held
 * truncated query or a multi-packet browse belongs to. */
export function sourceKey(linkId: string, from: Endpoint): string {
  return `${linkId}|${stripScope(from.address)}`;
}

export interface LinkState {
  id: string;
  iface: NetInterface;
  link: MdnsLink;
  /** RFC 6762 §8: we answer for our unique names on a link only once they are probed there. */
  announced: boolean;
  /** §6: when each of our records was last multicast here (record key → ms), for the
   * at-most-once-per-second rule. */
  lastMulticast: Map<string, number>;
}

export interface EngineContext {
  readonly clock: Clock;
  readonly random: Random;
  links(): LinkState[];
  link(id: string): LinkState | undefined;
  /** Our records as they go out on this link (its own addresses); undefined if not publishing. */
  ownRecords(linkId: string): OwnRecordSet | undefined;
  /** Our instance and host names, for conflict detection. */
  ownNames(): { instance: string; host: string };
  send(linkId: string, packet: MdnsPacket, to?: Endpoint): Promise<void>;
  warn(code: string, message: string): void;
}
