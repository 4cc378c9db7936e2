// An office floor: 50 `lanchat --headless` processes in 50 namespaces on one bridge, all started
// at the same moment (9:00), must end up all-to-all online by themselves, without presence
// flapping and without a single failed handshake (issue 13: a busy peer is waited for, not
// given up on; the dialling side waits 30 s, and 50 converge in ≈ 8 s on two cores).
// Runs alone (vitest.scale.config.ts, after the main suite): 50 processes take the whole machine.
// Timings belong in `npm run bench:scale`; the deadline here only bounds a hang.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, type Network, netnsAvailable } from '../netns/harness.js';
import { HeadlessFleet, type HeadlessNode, onlinePeers } from '../netns/headless-node.js';
import type { JsonEvent } from '../netns/process-handle.js';

const NODES = 50;
const READY_MS = 120_000;
const CONVERGE_MS = 180_000;

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping the 50-node floor test: ${netns.reason}`);

let network: Network;
const fleet = new HeadlessFleet();

/** The only warning a floor in namespaces prints by design: its hosts only have veth interfaces. */
function expectedWarning(e: JsonEvent): boolean {
  return e.code === 'discovery-virtual-interfaces';
}

describe.skipIf(!netns.ok)(`a floor of ${NODES} nodes started at once`, () => {
  beforeAll(async () => {
    network = await createNetwork({ hosts: NODES });
  }, 120_000);
  afterAll(async () => {
    await fleet.stopAll();
    await network?.destroy();
  }, 60_000);

  it(
    'converges to all-to-all online, with no peer ever reported offline and no failure at all',
    async () => {
      const nodes: HeadlessNode[] = network.hosts.map((h, i) =>
        fleet.start(network, h, { nick: `desk${String(i + 1).padStart(2, '0')}` }),
      );
      const ids = await Promise.all(
        nodes.map(async (n) => {
          const ready = await n.process.waitFor((e) => e.type === 'ready', READY_MS, { what: 'ready' });
          return String(ready.id);
        }),
      );
      const missing = () =>
        nodes.reduce(
          (sum, n, i) => sum + ids.filter((id, j) => j !== i && !onlinePeers(n).has(id)).length,
          0,
        );
      await Promise.all(
        nodes.map((n, i) =>
          n.process.waitFor(() => ids.every((id, j) => j === i || onlinePeers(n).has(id)), CONVERGE_MS, {
            what: `${n.host.name} sees all ${NODES - 1} others online (floor-wide missing: ${missing()})`,
          }),
        ),
      );
      expect(missing()).toBe(0);
      for (const n of nodes) {
        expect(n.process.events.filter((e) => e.type === 'peer_offline')).toEqual([]);
        // Handshakes that timed out or were cut count too: none is expected any more.
        const unexpected = n.process.events.filter(
          (e) => (e.type === 'warning' || e.type === 'error') && !expectedWarning(e),
        );
        expect(unexpected).toEqual([]);
      }
    },
    READY_MS + CONVERGE_MS + 30_000,
  );
});
