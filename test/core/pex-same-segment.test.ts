// Peer exchange between two peers that hear each other's mDNS (found by mDNS, one subnet of ours)
// is skipped; a peer that multicast may not reach (invite, remembered, another subnet) is still
// passed on. And the subnet test itself, over a host's interfaces.
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/connection/peer-link.js';
import { PeerExchange } from '../../src/core/peer-exchange.js';
import type { Peer, PeerTable } from '../../src/core/peer-table.js';
import { createSegmentOf } from '../../src/discovery/segment-of.js';
import type { WireMessage } from '../../src/protocol/messages.js';
import { FakeClock } from './fake-clock.js';

function peer(id: string, address: string, source: 'mdns' | 'invite'): Peer & { sent: WireMessage[] } {
  const sent: WireMessage[] = [];
  const link = {
    remoteAddress: address,
    remoteHello: { caps: ['pex'], port: 7475 },
    isClosed: false,
    send: (m: WireMessage) => sent.push(m) > 0,
  } as unknown as PeerLink;
  return {
    id,
    link,
    hint: { source, addresses: [address], port: 7475 },
    heardViaMdns: source === 'mdns',
    sent,
  } as unknown as Peer & {
    sent: WireMessage[];
  };
}

/** A node whose links to the peers of `online` other than `newcomer` came up earlier (what they
 * told each other then is forgotten): the test then brings the newcomer's link up. */
function exchange(
  online: Peer[],
  clock: FakeClock,
  segmentOf: ((address: string) => string | undefined) | undefined,
  newcomer: Peer,
): PeerExchange {
  const pex = new PeerExchange({
    clock,
    peers: {
      online: () => online,
      get: (id: string) => online.find((p) => p.id === id),
    } as unknown as PeerTable,
    policy: { allowLinkLocal: false },
    selfId: 'self',
    blocked: () => false,
    learn: () => undefined,
    drop: () => {},
    warn: () => {},
    ...(segmentOf ? { segmentOf } : {}),
  });
  for (const p of online) if (p !== newcomer) pex.linkUp(p, p.link!);
  clock.advance(10_000);
  for (const p of online) (p as Peer & { sent: WireMessage[] }).sent.length = 0;
  return pex;
}

/** `newcomer`'s link comes up on a node already linked to the rest of `online`; what each peer was
 * told is in its `sent` once the sender's pacing has run (10 s). */
function arrive(
  online: Peer[],
  newcomer: Peer,
  segmentOf: ((address: string) => string | undefined) | undefined,
): void {
  const clock = new FakeClock();
  exchange(online, clock, segmentOf, newcomer).linkUp(newcomer, newcomer.link!);
  clock.advance(10_000);
}

const told = (p: { sent: WireMessage[] }) =>
  p.sent.flatMap((m) => (m.t === 'peers' ? m.peers.map((e) => e.key) : []));

describe('peer exchange on one segment', () => {
  const lan = (address: string) =>
    address.startsWith('10.1.') ? 'lan' : address.startsWith('10.2.') ? 'far' : undefined;

  it('tells two mDNS peers of one subnet nothing about each other', () => {
    const a = peer('A', '10.1.0.2', 'mdns');
    const b = peer('B', '10.1.0.3', 'mdns');
    arrive([a, b], b, lan);
    expect(told(a)).toEqual([]);
    expect(told(b)).toEqual([]);
  });

  it('still introduces a peer from another subnet, or one on no subnet of ours', () => {
    const a = peer('A', '10.1.0.2', 'mdns');
    const far = peer('F', '10.2.0.9', 'mdns');
    const routed = peer('R', '10.9.0.7', 'invite');
    arrive([a, far, routed], a, lan);
    expect(told(a).sort()).toEqual(['F', 'R']);
    expect(told(far)).toEqual(['A']);
    expect(told(routed)).toEqual(['A']);
  });

  it('skips a newcomer not heard yet on a segment where mDNS works (it dials before it announces)', () => {
    const a = peer('A', '10.1.0.2', 'mdns');
    const b = peer('B', '10.1.0.3', 'invite');
    b.heardViaMdns = false;
    arrive([a, b], b, lan);
    expect(told(a)).toEqual([]);
    expect(told(b)).toEqual([]);
  });

  it('passes on peers of a segment where nobody was heard by mDNS (a switch that drops multicast)', () => {
    const a = peer('A', '10.1.0.2', 'invite');
    const b = peer('B', '10.1.0.3', 'invite');
    arrive([a, b], b, lan);
    expect(told(a)).toEqual(['B']);
    expect(told(b)).toEqual(['A']);
  });

  it('an arrival on a floor of 300 on one mDNS segment looks at none of them (O(1) per host)', () => {
    const clock = new FakeClock();
    const floor = Array.from({ length: 300 }, (_, i) =>
      peer(`P${i}`, `10.1.${i >> 8}.${(i & 255) + 2}`, 'mdns'),
    );
    const far = peer('F', '10.2.0.9', 'mdns');
    const newcomer = peer('N', '10.1.9.9', 'mdns');
    const pex = exchange([...floor, far, newcomer], clock, lan, newcomer);
    let looked = 0;
    for (const p of floor) {
      const link = p.link;
      Object.defineProperty(p, 'link', {
        get: () => {
          looked++;
          return link;
        },
      });
    }
    pex.linkUp(newcomer, newcomer.link!);
    clock.advance(10_000);
    expect(looked).toBe(0);
    // Still told across segments, both ways.
    expect(told(newcomer)).toEqual(['F']);
    expect(told(far)).toEqual(['N']);
  });

  it('a peer whose link closed is neither passed on nor told; a replaced link counts once', () => {
    const clock = new FakeClock();
    const far = peer('F', '10.2.0.9', 'mdns');
    const routed = peer('R', '10.9.0.7', 'invite');
    const a = peer('A', '10.1.0.2', 'mdns');
    const pex = exchange([far, routed, a], clock, lan, a);
    pex.linkUp(routed, routed.link!); // its link replaced by a new one: indexed once
    pex.linkDown(far);
    clock.advance(10_000);
    for (const p of [far, routed]) p.sent.length = 0;
    pex.linkUp(a, a.link!);
    clock.advance(10_000);
    expect(told(a)).toEqual(['R']);
    expect(told(routed)).toEqual(['A']);
    expect(told(far)).toEqual([]);
  });

  it('without a segment test, everybody is told (the behaviour before)', () => {
    const a = peer('A', '10.1.0.2', 'mdns');
    const b = peer('B', '10.1.0.3', 'mdns');
    arrive([a, b], b, undefined);
    expect(told(a)).toEqual(['B']);
    expect(told(b)).toEqual(['A']);
  });
});

describe('createSegmentOf', () => {
  const iface = (address: string, netmask: string, internal = false): NetworkInterfaceInfo =>
    address.includes(':')
      ? { address, netmask, family: 'IPv6', mac: '00:00:00:00:00:00', internal, cidr: null, scopeid: 0 }
      : { address, netmask, family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: null };
  const interfaces = () => ({
    lo: [iface('127.0.0.1', '255.0.0.0', true)],
    eth0: [
      iface('192.168.10.20', '255.255.255.0'),
      iface('fe80::20', 'ffff:ffff:ffff:ffff::'),
      iface('fd00:10::20', 'ffff:ffff:ffff:ffff::'),
    ],
    tun0: [iface('10.8.0.5', '255.255.255.255')],
  });

  it('names the subnet or link of ours an address is on; two peers on one name share it', () => {
    const segmentOf = createSegmentOf(interfaces, () => 0);
    const same = (a: string, b: string) => segmentOf(a) !== undefined && segmentOf(a) === segmentOf(b);
    expect(same('192.168.10.2', '192.168.10.250')).toBe(true);
    expect(same('192.168.10.2', '192.168.11.2')).toBe(false);
    expect(same('10.8.0.6', '10.8.0.7')).toBe(false); // a /32 tells nothing about neighbours
    expect(same('127.0.0.2', '127.0.0.3')).toBe(false); // loopback is skipped
    expect(same('fe80::1%eth0', 'fe80::2%eth0')).toBe(true); // one link
    expect(same('fe80::1%eth0', 'fe80::2%eth1')).toBe(false); // two links
    expect(same('fe80::1', 'fe80::2')).toBe(false); // no scope: cannot tell
    expect(same('fd00:10::1', 'fd00:10::2')).toBe(true); // our /64
    expect(same('fd00:11::1', 'fd00:11::2')).toBe(false); // a /64 we are not on
    expect(same('fd00:10::1', '192.168.10.3')).toBe(false);
    expect(same('not an address', '192.168.10.3')).toBe(false);
  });
});
