// A fake multicast link that carries real DNS packets: every send is encoded as the real link encodes
// it (wire-encoder.ts), and every receiver gets dns-packet's decoding of those bytes, like a real
// socket. Delivery is a 0 ms timer on the fake clock. Multicast loops back to the sender, as on a
// real host; all packets are logged for assertions.
import dnsPacket from 'dns-packet';
import type { LinkFactory, LinkHandlers, MdnsLink } from '../../src/discovery/mdns-link.js';
import { type Endpoint, MDNS_PORT, type MdnsPacket } from '../../src/discovery/mdns-packet.js';
import type { NetInterface } from '../../src/discovery/net-interfaces.js';
import { encodePacket } from '../../src/discovery/wire-encoder.js';
import { guardPacket } from './dns-packet-guard.js';
import type { FakeClock } from './fake-clock.js';

export interface SentPacket {
  at: number;
  from: string;
  fromPort: number;
  to: Endpoint | 'multicast';
  interfaceName: string;
  bytes: Buffer;
  decoded: dnsPacket.Packet;
  /** The packet as lanchat's guard reads it. */
  packet: MdnsPacket;
}

interface Attached {
  readonly address: string;
  /** 5353 for a link; an ephemeral port for a one-shot query's socket. */
  port: number;
  iface: NetInterface;
  family: 4 | 6;
  handlers: LinkHandlers;
  closed: boolean;
}

export class FakeWire {
  readonly sent: SentPacket[] = [];
  private readonly attached: Attached[] = [];
  private readonly clock: FakeClock;
  private nextEphemeralPort = 49_152;
  /** How long a one-shot query's socket listens (as ONE_SHOT_LISTEN_MS). */
  oneShotListenMs = 15_000;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  /** A LinkFactory for a host whose link address is `address` (a getter: addresses change), and
   * `ipv6` on its IPv6 links, if it has any. */
  factory(address: string | (() => string), ipv6?: string): LinkFactory {
    const v4 = typeof address === 'string' ? () => address : address;
    return async (iface, family, handlers) => {
      const current = family === 6 && ipv6 !== undefined ? () => ipv6 : v4;
      const me: Attached = {
        get address() {
          return current();
        },
        port: MDNS_PORT,
        iface,
        family,
        handlers,
        closed: false,
      };
      this.attached.push(me);
      const link: MdnsLink = {
        interfaceName: iface.name,
        family,
        send: async (packet, to) => this.transmit(me, encodePacket(packet), to),
        sendOneShot: async (packet) => {
          const shot: Attached = {
            get address() {
              return current();
            },
            port: this.nextEphemeralPort++,
            iface,
            family,
            handlers,
            closed: false,
          };
          this.attached.push(shot);
          this.clock.setTimeout(() => {
            shot.closed = true;
          }, this.oneShotListenMs);
          this.transmit(shot, encodePacket(packet));
        },
        close: async () => {
          me.closed = true;
        },
      };
      return link;
    };
  }

  /** Puts a raw dns-packet object (or raw bytes) on the wire as if `from` had sent it. */
  inject(value: object | Buffer, from: Endpoint, to?: string | Endpoint): void {
    const bytes = Buffer.isBuffer(value) ? value : dnsPacket.encode(value as dnsPacket.Packet);
    this.deliver(bytes, from, to);
  }

  private transmit(sender: Attached, bytes: Buffer, to?: Endpoint): void {
    const decoded = dnsPacket.decode(bytes);
    const guarded = guardPacket(decoded, bytes.length);
    if (!guarded.ok) throw new Error(`lanchat sent a packet it would itself reject: ${guarded.reason}`);
    this.sent.push({
      at: this.clock.now(),
      from: sender.address,
      fromPort: sender.port,
      to: to ?? 'multicast',
      interfaceName: sender.iface.name,
      bytes,
      decoded,
      packet: guarded.packet,
    });
    this.deliver(bytes, { address: sender.address, port: sender.port }, to);
  }

  /** A unicast datagram this returns true for is lost (a host firewall, say). */
  dropUnicast: (to: Endpoint) => boolean = () => false;

  /** Multicast reaches every link of the sender's address family (port 5353), unicast only the
   * socket at `to`. */
  private deliver(bytes: Buffer, from: Endpoint, to?: Endpoint | string): void {
    const target = typeof to === 'string' ? { address: to, port: MDNS_PORT } : to;
    if (target !== undefined && this.dropUnicast(target)) return;
    const family = from.address.includes(':') ? 6 : 4;
    for (const a of this.attached) {
      if (a.closed || a.family !== family) continue;
      if (
        target === undefined ? a.port !== MDNS_PORT : a.address !== target.address || a.port !== target.port
      ) {
        continue;
      }
      this.clock.setTimeout(() => {
        if (!a.closed) a.handlers.onMessage(bytes, from);
      }, 0);
    }
  }

  /** Packets sent by `address` (optionally only since `since`). */
  from(address: string, since = 0): SentPacket[] {
    return this.sent.filter((p) => p.from === address && p.at >= since);
  }
}

export function fakeInterface(name: string, address: string, prefixLength = 24): NetInterface {
  return { name, addresses: [{ address, family: address.includes(':') ? 6 : 4, prefixLength }] };
}
