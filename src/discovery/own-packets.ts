// Multicast loopback stays on (avahi and other lanchat processes on this host must hear us), so
// every packet we send comes back to every one of our sockets. Those echoes must not count as a
// conflict (§8.1), a duplicate question (§7.3) or a peer. We remember a fingerprint of each packet
// we sent for a few seconds and drop identical arrivals. Another host cannot produce the same
// fingerprint without sending our exact records, which a conflict check would not catch either.
import type { MdnsPacket, MdnsRecord } from './mdns-packet.js';
import { recordKey } from './record-order.js';

export const OWN_PACKET_MEMORY_MS = 5000;
const MAX_REMEMBERED = 512;

function recordPrint(r: MdnsRecord): string {
  return `${recordKey(r)}/${r.ttl}/${r.flush ? 1 : 0}`;
}

export function packetFingerprint(p: MdnsPacket): string {
  return [
    p.kind,
    p.id,
    p.questions.map((q) => `${q.name.toLowerCase()}|${q.type}`).join(';'),
    p.answers.map(recordPrint).join(';'),
    p.authorities.map(recordPrint).join(';'),
    p.additionals.map(recordPrint).join(';'),
  ].join('#');
}

export class OwnPackets {
  private readonly sent = new Map<string, number>();

  remember(packet: MdnsPacket, now: number): void {
    if (this.sent.size >= MAX_REMEMBERED) this.prune(now, true);
    this.sent.set(packetFingerprint(packet), now + OWN_PACKET_MEMORY_MS);
  }

  isOwn(packet: MdnsPacket, now: number): boolean {
    const until = this.sent.get(packetFingerprint(packet));
    return until !== undefined && until >= now;
  }

  private prune(now: number, force: boolean): void {
    for (const [k, until] of this.sent) if (until < now || force) this.sent.delete(k);
  }
}
