// Builds MdnsDiscovery nodes on a fake wire with a fake clock, and scripted foreign packets.

import type dnsPacket from 'dns-packet';
import type { DiscoveryEvent, LocalService } from '../../src/discovery/discovery.js';
import { MdnsDiscovery, type MdnsDiscoveryOptions } from '../../src/discovery/mdns-discovery.js';
import type { Endpoint } from '../../src/discovery/mdns-packet.js';
import type { NetInterface } from '../../src/discovery/net-interfaces.js';
import { FakeClock } from './fake-clock.js';
import { FakeWire, fakeInterface } from './fake-wire.js';

export const NET_TAG = '0123456789abcdef';
export const FOREIGN = { address: '10.0.0.99', port: 5353 };

export function keyOf(n: number): Uint8Array {
  return new Uint8Array(32).fill(n);
}

export function b64(n: number): string {
  return Buffer.from(keyOf(n)).toString('base64');
}

export interface TestNode {
  discovery: MdnsDiscovery;
  events: DiscoveryEvent[];
  local: LocalService;
  address: string;
  interfaces: NetInterface[];
}

export class MdnsKit {
  readonly clock = new FakeClock();
  readonly wire = new FakeWire(this.clock);
  random: () => number = () => 0.5;

  async node(
    address: string,
    nick: string,
    options: {
      key?: number;
      tag?: string;
      port?: number;
      extra?: Partial<MdnsDiscoveryOptions>;
      /** The interface's prefix (default /24): /16 admits tens of thousands of on-link sources. */
      prefixLength?: number;
    } = {},
  ): Promise<TestNode> {
    const interfaces = [fakeInterface('eth0', address, options.prefixLength)];
    const discovery = new MdnsDiscovery({
      linkFactory: this.wire.factory(() => interfaces[0]?.addresses[0]?.address ?? address),
      listInterfaces: () => interfaces,
      interfaceFacts: () => ({ virtual: false, up: true }),
      families: [4],
      clock: this.clock,
      random: () => this.random(),
      ...options.extra,
    });
    const events: DiscoveryEvent[] = [];
    discovery.subscribe((e) => events.push(e));
    const local: LocalService = {
      nick,
      port: options.port ?? 7475,
      publicKey: keyOf(options.key ?? Number(address.split('.').at(-1))),
      networkTag: options.tag ?? NET_TAG,
    };
    await discovery.start(local);
    return { discovery, events, local, address, interfaces };
  }

  /** Injects a packet given as a dns-packet object (loosely typed: tests write odd ones). */
  inject(packet: object | Buffer, from = FOREIGN, to?: string | Endpoint): void {
    this.wire.inject(packet, from, to);
  }
}

/** A complete DNS-SD answer set for a foreign lanchat peer. */
export function peerResponse(options: {
  nick: string;
  key: number;
  address: string;
  port?: number;
  tag?: string;
  ttl?: { ptr?: number; srv?: number; txt?: number; a?: number };
}): dnsPacket.Packet {
  const instance = `${options.nick}._lanchat._tcp.local`;
  const host = `peer-${options.key}.local`;
  const ttl = { ptr: 4500, srv: 120, txt: 4500, a: 120, ...options.ttl };
  return {
    type: 'response',
    flags: 1 << 10,
    answers: [
      { name: '_lanchat._tcp.local', type: 'PTR', ttl: ttl.ptr, data: instance },
      {
        name: instance,
        type: 'SRV',
        ttl: ttl.srv,
        flush: true,
        data: { target: host, port: options.port ?? 7475, priority: 0, weight: 0 },
      },
      {
        name: instance,
        type: 'TXT',
        ttl: ttl.txt,
        flush: true,
        data: ['v=1', `pk=${b64(options.key)}`, `net=${options.tag ?? NET_TAG}`],
      },
      { name: host, type: 'A', ttl: ttl.a, flush: true, data: options.address },
    ],
  };
}

export function typesOf(events: DiscoveryEvent[]): string[] {
  return events.map((e) => e.type);
}
