// The office admin's standard fix for "multicast does not cross our subnets": avahi-daemon with
// enable-reflector=yes on the router. lanchat's records are plain DNS-SD, so peers on the two
// subnets find each other through it with no lanchat flag at all. Multicast itself does not cross
// this router (test/netns/harness-routed.test.ts proves it), so the reflector is what carries it.
import { describe, it } from 'vitest';
import { useFleetNetwork } from './fleet-network.js';
import { avahiAvailable, type HostInfo, type Network, netnsAvailable } from './harness.js';
import { HeadlessFleet, onlinePeers } from './headless-node.js';

const netns = netnsAvailable();
const avahi = avahiAvailable();
const skip = !netns.ok ? netns.reason : !avahi.ok ? avahi.reason : undefined;
if (skip) console.warn(`skipping avahi reflector netns tests: ${skip}`);

const MEET_MS = 20_000;
let network: Network;
const fleet = new HeadlessFleet();

describe.skipIf(skip !== undefined)('avahi reflector on the router', () => {
  useFleetNetwork({ hosts: 4, routed: { subnets: 2 } }, fleet, (created) => {
    network = created;
  });

  it('carries lanchat across the two subnets with no lanchat flag', async () => {
    await network.startAvahi(network.router as HostInfo, { reflector: true });
    const nodes = network.hosts.map((h, i) => fleet.start(network, h, { nick: `user${i + 1}` }));
    const ids = await Promise.all(nodes.map((n) => n.id()));
    await Promise.all(
      nodes.map((n, i) =>
        n.process.waitFor(() => ids.every((id, j) => j === i || onlinePeers(n).has(id)), MEET_MS, {
          what: `${n.host.name} (subnet ${n.host.subnet}) sees every other host`,
        }),
      ),
    );
  }, 90_000);
});
