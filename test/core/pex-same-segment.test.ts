// Peer exchange between two peers that hear each other's mDNS (found by mDNS, one subnet of ours)
// is skipped; a peer that multicast may not reach (invite, remembered, another subnet) is still
// passed on. And the subnet test itself, over a host's interfaces.
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/connection/peer-link.js';
import { PeerExchange } from '../../src/core/peer-exchange.js';
import type { Peer, PeerTable } from '../../src/core/peer-table.js';
import { createSameSegment } from '../../src/discovery/same-segment.js';
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
  return { id, link, hint: { source, addresses: [address], port: 7475 }, sent } as unknown as Peer & {
    sent: WireMessage[];
  };
}

function exchange(
  online: Peer[],
  clock: FakeClock,
  sameSegment?: (a: string, b: string) => boolean,
): PeerExchange {
  return new PeerExchange({
    clock,
    peers: { online: () => online } as unknown as PeerTable,
    policy: { allowLinkLocal: false },
    selfId: 'self',
    blocked: () => false,
    learn: () => undefined,
    drop: () => {},
    warn: () => {},
    ...(sameSegment ? { sameSegment } : {}),
  });
}

const told = (p: { sent: WireMessage[] }) =>
  p.sent.flatMap((m) => (m.t === 'peers' ? m.peers.map((e) => e.key) : []));

describe('peer exchange on one segment', () => {
  const lan = (a: string, b: string) => a.startsWith('10.1.') && b.startsWith('10.1.');

  it('tells two mDNS peers of one subnet nothing about each other', () => {
    const clock = new FakeClock();
    const a = peer('A', '10.1.0.2', 'mdns');
    const b = peer('B', '10.1.0.3', 'mdns');
    const pex = exchange([a, b], clock, lan);
    pex.linkUp(b, b.link!);
    clock.advance(10_000);
    expect(told(a)).toEqual([]);
    expect(told(b)).toEqual([]);
  });

  it('still introduces a peer from another subnet, or one known only from an invite', () => {
    const clock = new FakeClock();
    const a = peer('A', '10.1.0.2', 'mdns');
    const far = peer('F', '10.2.0.9', 'mdns');
    const invited = peer('I', '10.1.0.7', 'invite');
    const pex = exchange([a, far, invited], clock, lan);
    pex.linkUp(a, a.link!);
    clock.advance(10_000);
    expect(told(a).sort()).toEqual(['F', 'I']);
    expect(told(far)).toEqual(['A']);
    expect(told(invited)).toEqual(['A']);
  });

  it('without a segment test, everybody is told (the behaviour before)', () => {
    const clock = new FakeClock();
    const a = peer('A', '10.1.0.2', 'mdns');
    const b = peer('B', '10.1.0.3', 'mdns');
    const pex = exchange([a, b], clock);
    pex.linkUp(b, b.link!);
    clock.advance(10_000);
    expect(told(a)).toEqual(['B']);
    expect(told(b)).toEqual(['A']);
  });
});

describe('createSameSegment', () => {
  const iface = (address: string, netmask: string, internal = false): NetworkInterfaceInfo => ({
    address,
    netmask,
    family: 'IPv4',
    mac: '00:00:00:00:00:00',
    internal,
    cidr: null,
  });
  const interfaces = () => ({
    lo: [iface('127.0.0.1', '255.0.0.0', true)],
    eth0: [iface('192.168.10.20', '255.255.255.0')],
    tun0: [iface('10.8.0.5', '255.255.255.255')],
  });

  it('says yes only for two addresses inside one subnet of ours', () => {
    const same = createSameSegment(interfaces, () => 0);
    expect(same('192.168.10.2', '192.168.10.250')).toBe(true);
    expect(same('192.168.10.2', '192.168.11.2')).toBe(false);
    expect(same('10.8.0.6', '10.8.0.7')).toBe(false); // a /32 tells nothing about neighbours
    expect(same('127.0.0.2', '127.0.0.3')).toBe(false); // loopback is skipped
    expect(same('fe80::1', 'fe80::2')).toBe(false); // IPv6: always passed on
    expect(same('not an address', '192.168.10.3')).toBe(false);
  });
});
