// The contract against the real MdnsDiscovery: real encoded DNS packets on a fake wire, fake time.

import { discoveryKeyOf, networkKeyFromCode } from '../../src/crypto/network-key.js';
import type { Discovery } from '../../src/discovery/discovery.js';
import { MdnsDiscovery } from '../../src/discovery/mdns-discovery.js';
import { type ContractHarness, discoveryContract } from './discovery-contract.js';
import { FakeClock } from './fake-clock.js';
import { FakeWire, fakeInterface } from './fake-wire.js';

function mdnsHarness(networks?: { ours: Uint8Array; other: Uint8Array }): ContractHarness {
  const clock = new FakeClock();
  const wire = new FakeWire(clock);
  const all: Discovery[] = [];
  let seeds = 0;
  return {
    ...(networks ? { renamesTakenNicks: false } : {}),
    create: (network) => {
      const address = `10.0.0.${all.length + 1}`;
      // Different random draws per node, as on real hosts.
      seeds += 0.37;
      let r = seeds;
      const d = new MdnsDiscovery({
        linkFactory: wire.factory(address),
        listInterfaces: () => [fakeInterface('eth0', address)],
        interfaceFacts: () => ({ virtual: false, up: true }),
        families: [4],
        ...(networks ? { discoveryKey: network === 'other' ? networks.other : networks.ours } : {}),
        clock,
        random: () => {
          r = (r * 9301 + 0.49297) % 1;
          return r;
        },
      });
      all.push(d);
      return d;
    },
    settle: () => clock.advance(10_000),
    close: async () => {
      await Promise.all(all.map((d) => d.stop()));
    },
  };
}

discoveryContract('mDNS over a fake wire', () => mdnsHarness());

// A private network: sealed TXT (v=2), opaque instance and host names.
discoveryContract('mDNS over a fake wire, private network', () =>
  mdnsHarness({
    ours: discoveryKeyOf(networkKeyFromCode(new Uint8Array(16).fill(1))),
    other: discoveryKeyOf(networkKeyFromCode(new Uint8Array(16).fill(2))),
  }),
);
