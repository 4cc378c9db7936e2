// bench:scale --avahi (scripts/bench-scale/avahi-floor.ts) sets avahi-daemon's CPU for the mDNS of
// a floor next to lanchat's. That reading is only right if every host's daemon really publishes a
// lanchat-sized service that the others resolve, its CPU is read from the running daemon, and
// every daemon and bus is gone again before lanchat's floor is measured on the same hosts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { avahiFloor } from '../../scripts/bench-scale/avahi-floor.js';
import { avahiAvailable, createNetwork, type Network } from './harness.js';

const avahi = avahiAvailable();
if (!avahi.ok) console.warn(`skipping the avahi floor test: ${avahi.reason}`);

let network: Network;
beforeAll(async () => {
  if (avahi.ok) network = await createNetwork({ hosts: 3 });
}, 60_000);
afterAll(async () => {
  await network?.destroy();
});

describe.skipIf(!avahi.ok)('bench:scale --avahi', () => {
  it('publishes and resolves on every host, reads each daemon, and stops them all', async () => {
    const hosts = network.hosts;
    const figures = await avahiFloor(network, hosts, { staggerMs: 200, windowMs: 30_000, browse: true });
    expect(figures.started).toBe(3);
    expect(figures.browse?.foundAll).toBe(3);
    expect(figures.browse?.lastFoundAfterLastStartMs).toBeGreaterThan(0);
    // Read from live processes: a daemon already gone would read 0 (cpuSeconds undefined).
    expect(figures.cpuPerHost).toBeGreaterThan(0);
    expect(figures.browse?.cpuPerHost).toBeGreaterThan(0);
    for (const h of hosts) expect(() => network.avahiEnv(h)).toThrow(/not running/);
    // Nothing of avahi's is left on the hosts' port 5353, where lanchat's floor listens next (ss
    // lists the sockets of the host's own network namespace only).
    for (const h of hosts) {
      const left = await network.exec(h, ['ss', '-H', '-lunp', 'sport = :5353']);
      expect(left.stdout).not.toContain('avahi');
    }
  }, 90_000);

  it('without browsing, measures the daemons 10 s after the last start', async () => {
    const hosts = network.hosts.slice(0, 2);
    const figures = await avahiFloor(network, hosts, { staggerMs: 0, windowMs: 30_000, browse: false });
    expect(figures.started).toBe(2);
    expect(figures.browse).toBeUndefined();
    expect(figures.measuredAfterLastStartMs).toBeGreaterThanOrEqual(10_000);
    expect(figures.cpuPerHost).toBeGreaterThan(0);
  }, 60_000);
});
