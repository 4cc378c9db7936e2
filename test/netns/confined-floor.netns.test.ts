// bench:scale --confined (scripts/bench-scale/confined.ts) measures what mDNS on a shared segment
// costs a floor by running it without: each host's mDNS on a private interface, the peers by --peer.
// That reading is only right if the confined floor still meets and really sends no mDNS on the
// segment, and if the private interfaces go again before the next floor is measured.
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addPrivateInterfaces,
  confinedArgs,
  identitiesFor,
  PRIVATE_INTERFACE,
  removePrivateInterfaces,
} from '../../scripts/bench-scale/confined.js';
import { Floor, missingPairs } from '../../scripts/bench-scale/floor.js';
import { createNetwork, type Network, netnsAvailable, REPO_ROOT } from './harness.js';
import { PacketCounter } from './mdns-counter.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping the confined floor test: ${netns.reason}`);

let network: Network | undefined;
afterAll(async () => {
  await network?.destroy();
});

describe.skipIf(!netns.ok)('bench:scale --confined', () => {
  it('meets over --peer and sends no mDNS on the shared segment; its private interfaces go again', async () => {
    network = await createNetwork({ hosts: 4 });
    const hosts = network.hosts.slice(0, 3);
    const counter = new PacketCounter(network, network.hosts[3]!);
    await counter.ready();
    await addPrivateInterfaces(network, hosts);
    const floor = new Floor(network, REPO_ROOT, 'confined');
    const ids = identitiesFor(
      REPO_ROOT,
      hosts.map((h, i) => floor.profileFor(h, i)),
    );
    await counter.mark();
    for (const [i, h] of hosts.entries()) floor.start(h, { args: confinedArgs(i, ids, hosts) });
    const deadline = performance.now() + 30_000;
    while (
      (floor.ready().length < hosts.length || missingPairs(floor.nodes) > 0) &&
      performance.now() < deadline
    )
      await delay(100);
    expect(floor.ready().map((n) => n.id)).toEqual(ids);
    expect(missingPairs(floor.nodes)).toBe(0);
    // Long enough for their probes, announcements and first browses (≈ 1–2 s in).
    await delay(2_500);
    const counts = await counter.mark();
    expect(hosts.map((h) => counts.byHost.get(h.name) ?? 0)).toEqual([0, 0, 0]);

    for (const n of floor.nodes) n.process.kill('SIGTERM');
    await Promise.all(floor.nodes.map((n) => n.process.exited));
    await removePrivateInterfaces(network, hosts);
    for (const h of hosts) {
      const left = await network.exec(h, ['ip', 'link', 'show', PRIVATE_INTERFACE], { allowFail: true });
      expect(left.code).not.toBe(0);
    }
  }, 90_000);
});
