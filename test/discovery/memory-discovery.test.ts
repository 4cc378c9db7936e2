import { MemoryDiscovery, MemoryDiscoveryBus } from '../../src/discovery/memory-discovery.js';
import { discoveryContract } from './discovery-contract.js';
import { flushMicrotasks } from './fake-clock.js';

discoveryContract('memory', () => {
  const bus = new MemoryDiscoveryBus();
  const all: MemoryDiscovery[] = [];
  return {
    create: () => {
      const d = new MemoryDiscovery(bus);
      all.push(d);
      return d;
    },
    settle: flushMicrotasks,
    close: async () => {
      await Promise.all(all.map((d) => d.stop()));
    },
  };
});
