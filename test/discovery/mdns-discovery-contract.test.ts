// The contract against the real MdnsDiscovery: real encoded DNS packets on a fake wire, fake time.
import type { Discovery } from '../../src/discovery/discovery.js';
import { MdnsDiscovery } from '../../src/discovery/mdns-discovery.js';
import { discoveryContract } from './discovery-contract.js';
import { FakeClock } from './fake-clock.js';
import { FakeWire, fakeInterface } from './fake-wire.js';

discoveryContract('mDNS over a fake wire', () => {
  const clock = new FakeClock();
  const wire = new FakeWire(clock);
  const all: Discovery[] = [];
  let seeds = 0;
  return {
    create: () => {
      const address = `10.0.0.${all.length + 1}`;
      // Different random draws per node, as on real hosts.
      seeds += 0.37;
      let r = seeds;
      const d = new MdnsDiscovery({
        linkFactory: wire.factory(address),
        listInterfaces: () => [fakeInterface('eth0', address)],
        interfaceFacts: () => ({ virtual: false, up: true }),
        families: [4],
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
});
