// Self-test of the routed topology (two subnets joined by a router namespace): unicast crosses
// the router in both families, multicast (mDNS's groups) does not. Tests of cross-subnet features
// (invite codes, peer exchange, reflectors, unicast DNS-SD) are only meaningful if both hold.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BridgeInfo,
  createNetwork,
  type HostInfo,
  type Network,
  namespacesWithPrefix,
  netnsAvailable,
  REPO_ROOT,
} from './harness.js';
import type { JsonEvent, ProcessHandle } from './process-handle.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping routed harness tests: ${netns.reason}`);

const PROBE = join(REPO_ROOT, 'test/netns/fixtures/mcast-probe.mjs');
const PROBE_PORT = 5391;
const TCP_PORT = 5392;
const DEADLINE_MS = 5_000;

const isReady = (e: JsonEvent) => e.type === 'ready';
const received = (text: string) => (e: JsonEvent) => e.type === 'received' && e.data === text;

// A TCP server answering "hello from <host>" to anyone, on every address of the host.
const SERVER = `require('node:net').createServer((s) => s.end('hello from ' + process.argv[1]))
  .listen(${TCP_PORT}, '::', () => console.log(JSON.stringify({ type: 'ready' })));`;
// Connects to argv[1] and prints what it got, or the error code.
const CLIENT = `const s = require('node:net').connect(${TCP_PORT}, process.argv[1]); let got = '';
  s.on('data', (d) => { got += d; }); s.on('end', () => console.log(got));
  s.on('error', (e) => console.log('error ' + e.code)); s.setTimeout(4000, () => s.destroy(new Error('timeout')));`;

function probe(network: Network, host: HostInfo, family: 4 | 6): ProcessHandle {
  const args = ['node', PROBE, '--family', String(family), '--port', String(PROBE_PORT)];
  for (const i of host.interfaces) args.push('--iface', family === 4 ? (i.ipv4 ?? '') : i.name);
  return network.spawn(host, args, { label: `mcast-probe v${family}` });
}

describe.skipIf(!netns.ok)('netns harness: routed topology', () => {
  let network: Network;

  beforeAll(async () => {
    network = await createNetwork({ hosts: 6, routed: { subnets: 2 } });
  });

  afterAll(async () => {
    await network.destroy();
    expect(namespacesWithPrefix(network.prefix)).toEqual([]);
  });

  it('puts three hosts on each subnet and the router on both', () => {
    expect(network.hostsOnSubnet(0).map((h) => h.name)).toEqual(['h1', 'h2', 'h3']);
    expect(network.hostsOnSubnet(1).map((h) => h.name)).toEqual(['h4', 'h5', 'h6']);
    const router = network.router!;
    expect(router.interfaces.map((i) => i.bridge)).toEqual(['b0', 'b1']);
    const [a, b] = network.bridges as [BridgeInfo, BridgeInfo];
    expect(a.subnet).not.toBe(b.subnet);
    for (const h of network.hosts) {
      expect(h.interfaces[0]!.bridge).toBe(`b${h.subnet}`);
      expect(h.interfaces[0]!.ula).toMatch(/^fd/);
    }
  });

  it('forwards unicast IPv4 and IPv6 (ULA) between the subnets, both ways', async () => {
    const [h1] = network.hostsOnSubnet(0) as [HostInfo];
    const [h4] = network.hostsOnSubnet(1) as [HostInfo];
    const servers = [h1, h4].map((h) =>
      network.spawn(h, ['node', '-e', SERVER, h.name], { label: 'tcp server' }),
    );
    await Promise.all(servers.map((s) => s.waitFor(isReady, DEADLINE_MS)));
    for (const [from, to] of [
      [h1, h4],
      [h4, h1],
    ] as const) {
      for (const address of [to.interfaces[0]!.ipv4!, to.interfaces[0]!.ula!]) {
        const out = await network.exec(from, ['node', '-e', CLIENT, address]);
        expect(out.stdout.trim(), `${from.name} → ${address}`).toBe(`hello from ${to.name}`);
      }
    }
    // The router itself is reachable as a host (the doctor tests run services there).
    const viaRouter = await network.exec(network.router!, ['node', '-e', CLIENT, h4.interfaces[0]!.ipv4!]);
    expect(viaRouter.stdout.trim()).toBe('hello from h4');
    for (const s of servers) s.kill();
  });

  it('does not forward multicast: mDNS groups stay on their subnet (v4 and v6)', async () => {
    const [h1, h2, h3] = network.hostsOnSubnet(0) as [HostInfo, HostInfo, HostInfo];
    const other = network.hostsOnSubnet(1);
    for (const family of [4, 6] as const) {
      const sender = probe(network, h1, family);
      const sameSubnet = [h2, h3].map((h) => probe(network, h, family));
      const router = probe(network, network.router!, family);
      const across = other.map((h) => probe(network, h, family));
      const all = [sender, ...sameSubnet, router, ...across];
      await Promise.all(all.map((p) => p.waitFor(isReady, DEADLINE_MS)));
      for (let i = 0; i < 5; i++) sender.send(`send m${family}-${i}`);
      // The same-subnet hosts and the router (which sits on b0 too) hearing the last datagram is
      // the sync point: anything forwarded would have reached the far side by then.
      for (const p of [...sameSubnet, router]) await p.waitFor(received(`m${family}-4`), DEADLINE_MS);
      for (const p of across) expect(p.events.filter((e) => e.type === 'received')).toEqual([]);
      // And the other way: b1's multicast reaches b1 and the router, never b0.
      across[0]!.send(`send back${family}`);
      await across[1]!.waitFor(received(`back${family}`), DEADLINE_MS);
      await router.waitFor(received(`back${family}`), DEADLINE_MS);
      for (const p of [sender, ...sameSubnet]) expect(p.events.some(received(`back${family}`))).toBe(false);
      for (const p of all) p.kill();
    }
  });
});
