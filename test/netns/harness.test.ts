// Self-tests of the namespace harness: if these fail, every netns test above them means nothing.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  avahiAvailable,
  createNetwork,
  type HostInfo,
  type Network,
  namespacesWithPrefix,
  netnsAvailable,
  REPO_ROOT,
} from './harness.js';
import type { JsonEvent, ProcessHandle } from './process-handle.js';

const netns = netnsAvailable();
const avahi = avahiAvailable();
if (!netns.ok) console.warn(`skipping netns harness tests: ${netns.reason}`);
else if (!avahi.ok) console.warn(`skipping avahi harness test: ${avahi.reason}`);

const PROBE = join(REPO_ROOT, 'test/netns/fixtures/mcast-probe.mjs');
// Not 5353: the self-tests must not depend on, or disturb, any mDNS stack.
const PROBE_PORT = 5390;
const DEADLINE_MS = 5_000;

function probe(network: Network, host: HostInfo, family: 4 | 6, ifaces?: string[]): ProcessHandle {
  const names =
    ifaces ?? host.interfaces.map((i) => (family === 4 ? (i.ipv4 ?? '') : i.name)).filter((x) => x !== '');
  const args = ['node', PROBE, '--family', String(family), '--port', String(PROBE_PORT)];
  for (const name of names) args.push('--iface', name);
  return network.spawn(host, args, { label: `mcast-probe v${family}` });
}

const isReady = (e: JsonEvent) => e.type === 'ready';
const received = (text: string) => (e: JsonEvent) => e.type === 'received' && e.data === text;

describe.skipIf(!netns.ok)('netns harness', () => {
  const networks: Network[] = [];
  let routed: Network;
  let isolated: Network;
  let multihomed: Network;

  beforeAll(async () => {
    routed = await createNetwork({ hosts: 3 });
    networks.push(routed);
    isolated = await createNetwork({ hosts: 2, defaultRoute: false });
    networks.push(isolated);
    multihomed = await createNetwork({ hosts: 3, multihomed: true });
    networks.push(multihomed);
  });

  afterAll(async () => {
    await Promise.all(networks.map((n) => n.destroy()));
    for (const n of networks) expect(namespacesWithPrefix(n.prefix)).toEqual([]);
  });

  it('carries IPv4 multicast across the bridge between hosts', async () => {
    const [h1, h2, h3] = routed.hosts as [HostInfo, HostInfo, HostInfo];
    const probes = [probe(routed, h1, 4), probe(routed, h2, 4), probe(routed, h3, 4)];
    await Promise.all(probes.map((p) => p.waitFor(isReady, DEADLINE_MS)));
    probes[0]!.send('send hello-v4');
    await probes[1]!.waitFor(received('hello-v4'), DEADLINE_MS);
    const got = await probes[2]!.waitFor(received('hello-v4'), DEADLINE_MS);
    expect(got.from).toBe(h1.interfaces[0]!.ipv4);
  });

  it('builds a topology without any default route, where multicast still works (v4 and v6)', async () => {
    for (const host of isolated.hosts) {
      const v4 = await isolated.exec(host, 'ip -4 route show default; ip -4 route show 224.0.0.0/4');
      const v6 = await isolated.exec(host, 'ip -6 route show default');
      expect(`${v4.stdout}${v6.stdout}`.trim()).toBe('');
    }
    const [h1, h2] = isolated.hosts as [HostInfo, HostInfo];
    for (const family of [4, 6] as const) {
      const a = probe(isolated, h1, family);
      const b = probe(isolated, h2, family);
      await Promise.all([a.waitFor(isReady, DEADLINE_MS), b.waitFor(isReady, DEADLINE_MS)]);
      a.send(`send isolated-v${family}`);
      const got = await b.waitFor(received(`isolated-v${family}`), DEADLINE_MS);
      const from = String(got.from).replace(/%.*$/, '');
      expect(from).toBe(family === 4 ? h1.interfaces[0]!.ipv4 : h1.interfaces[0]!.ipv6);
      a.kill();
      b.kill();
    }
  });

  it('reproduces the failure the no-route test exists for: bare multicast-dns cannot send there', async () => {
    const raw = join(REPO_ROOT, 'test/netns/fixtures/raw-multicast-dns.mjs');
    const sent = (e: JsonEvent) => e.type === 'sent';
    const routedSend = await routed.spawn('h3', ['node', raw]).waitFor(sent, DEADLINE_MS);
    expect(routedSend.error).toBeNull();
    const isolatedSend = await isolated.spawn('h2', ['node', raw]).waitFor(sent, DEADLINE_MS);
    expect(isolatedSend.error).toBe('ENETUNREACH');
  });

  it('gives the multihomed host two subnets and keeps each bridge to itself', async () => {
    const [h1, h2, h3] = multihomed.hosts as [HostInfo, HostInfo, HostInfo];
    expect(h1.interfaces.map((i) => i.bridge)).toEqual(['b0', 'b1']);
    const [eth0, eth1] = h1.interfaces as [HostInfo['interfaces'][0], HostInfo['interfaces'][0]];
    expect(eth0.ipv4!.split('.').slice(0, 3)).not.toEqual(eth1.ipv4!.split('.').slice(0, 3));
    expect(h2.interfaces[0]!.bridge).toBe('b0');
    expect(h3.interfaces[0]!.bridge).toBe('b1');

    const p1 = probe(multihomed, h1, 4);
    const p2 = probe(multihomed, h2, 4);
    const p3 = probe(multihomed, h3, 4);
    await Promise.all([p1, p2, p3].map((p) => p.waitFor(isReady, DEADLINE_MS)));
    // h1 hears both sides; once it has heard h2's last datagram, h3 (other bridge) must have none
    // of them — a condition to wait for, not a sleep.
    for (let i = 0; i < 5; i++) p2.send(`send from-b0-${i}`);
    p3.send('send from-b1');
    await p1.waitFor(received('from-b0-4'), DEADLINE_MS);
    await p1.waitFor(received('from-b1'), DEADLINE_MS);
    expect(p3.events.filter((e) => e.type === 'received')).toEqual([]);
    expect(p2.events.some(received('from-b1'))).toBe(false);
    // h1 sends through both interfaces: each side gets it from h1's address on its own subnet.
    p1.send('send from-h1');
    expect((await p2.waitFor(received('from-h1'), DEADLINE_MS)).from).toBe(eth0.ipv4);
    expect((await p3.waitFor(received('from-h1'), DEADLINE_MS)).from).toBe(eth1.ipv4);
  });

  it('cuts and restores a host link', async () => {
    const [h1, h2, h3] = routed.hosts as [HostInfo, HostInfo, HostInfo];
    const probes = [probe(routed, h1, 4), probe(routed, h2, 4), probe(routed, h3, 4)] as const;
    await Promise.all(probes.map((p) => p.waitFor(isReady, DEADLINE_MS)));
    await routed.cut(h2);
    expect((await routed.exec(h2, 'cat /sys/class/net/eth0/carrier')).stdout.trim()).toBe('0');
    for (let i = 0; i < 3; i++) probes[0].send(`send while-cut-${i}`);
    await probes[2].waitFor(received('while-cut-2'), DEADLINE_MS);
    expect(probes[1].events.filter((e) => e.type === 'received')).toEqual([]);
    await routed.restore(h2);
    // Carrier comes back asynchronously; keep sending until h2 hears one, with a deadline.
    const deadline = Date.now() + DEADLINE_MS;
    let n = 0;
    while (!probes[1].events.some((e) => e.type === 'received')) {
      if (Date.now() > deadline) throw new Error(`h2 heard nothing after restore\n${probes[1].describe()}`);
      probes[0].send(`send after-restore-${n++}`);
      await probes[1].waitFor((e) => e.type === 'received', 200).catch(() => undefined);
    }
  });

  it.skipIf(!avahi.ok)('runs avahi per namespace: a service published in h1 resolves in h2', async () => {
    const [h1, h2] = routed.hosts as [HostInfo, HostInfo];
    await Promise.all([routed.startAvahi(h1), routed.startAvahi(h2)]);
    const published = await routed.avahiPublish(h1, 'harness check', '_lctcheck._tcp', 4242, [
      'a=1',
      'b=two',
    ]);
    expect(published.name).toBe('harness check');
    const watch = routed.avahiWatch(h2, '_lctcheck._tcp');
    const found = await watch.waitFor((e) => e.op === '=' && e.name === 'harness check', DEADLINE_MS);
    expect(found).toMatchObject({ hostName: 'avahi-h1.local', port: 4242 });
    expect([h1.interfaces[0]!.ipv4, h1.interfaces[0]!.ipv6]).toContain(found.address);
    expect(await routed.avahiResolve(h2, 'avahi-h1.local', 4)).toBe(h1.interfaces[0]!.ipv4);
    expect(found.txt).toEqual(expect.arrayContaining(['a=1', 'b=two']));
    published.process.kill('SIGTERM');
    await watch.waitFor((e) => e.op === '-' && e.name === 'harness check', DEADLINE_MS);
  });

  it('builds an IPv4-only network: no IPv6 address in any host, IPv4 multicast works', async () => {
    const network = await createNetwork({ hosts: 2, ipv4Only: true });
    networks.push(network);
    const [h1, h2] = network.hosts as [HostInfo, HostInfo];
    for (const host of network.hosts) {
      expect(host.interfaces[0]!.ipv6).toBeNull();
      expect(host.interfaces[0]!.ipv4).toMatch(/^10\./);
      const v6 = await network.exec(host, 'ip -6 -o addr show');
      expect(v6.stdout.trim()).toBe('');
      const off = await network.exec(host, 'sysctl -n net.ipv6.conf.eth0.disable_ipv6');
      expect(off.stdout.trim()).toBe('1');
    }
    const a = probe(network, h1, 4);
    const b = probe(network, h2, 4);
    await Promise.all([a.waitFor(isReady, DEADLINE_MS), b.waitFor(isReady, DEADLINE_MS)]);
    a.send('send only-v4');
    expect((await b.waitFor(received('only-v4'), DEADLINE_MS)).from).toBe(h1.interfaces[0]!.ipv4);
  });

  it('gives each host a cache directory of its own, the same every time, unless the caller names one', async () => {
    const [h1, h2] = routed.hosts as [HostInfo, HostInfo];
    const cacheOf = async (host: HostInfo, env?: Record<string, string | undefined>) => {
      const p = routed.spawn(
        host,
        ['sh', '-c', 'printf \'{"type":"env","cache":"%s"}\\n\' "$XDG_CACHE_HOME"'],
        {
          ...(env ? { env } : {}),
        },
      );
      return String((await p.waitFor((e) => e.type === 'env', DEADLINE_MS)).cache);
    };
    const first = await cacheOf(h1);
    expect(first).toBe(routed.cacheDir(h1));
    expect(first.startsWith(routed.dir)).toBe(true); // not the home of whoever runs the tests
    expect(await cacheOf(h1)).toBe(first); // a restart on that host finds its cache again
    expect(await cacheOf(h2)).not.toBe(first); // another machine, another cache
    expect(await cacheOf(h1, { XDG_CACHE_HOME: '/tmp/elsewhere' })).toBe('/tmp/elsewhere');
    // Nor does a NODE_COMPILE_CACHE in the tester's shell put every host back in one directory.
    const saved = process.env.NODE_COMPILE_CACHE;
    process.env.NODE_COMPILE_CACHE = '/tmp/one-for-all';
    try {
      const p = routed.spawn(h1, [
        'sh',
        '-c',
        'printf \'{"type":"env","ncc":"%s"}\\n\' "$NODE_COMPILE_CACHE"',
      ]);
      expect((await p.waitFor((e) => e.type === 'env', DEADLINE_MS)).ncc).toBe('');
    } finally {
      if (saved === undefined) delete process.env.NODE_COMPILE_CACHE;
      else process.env.NODE_COMPILE_CACHE = saved;
    }
  });

  it('destroy() kills its processes and leaves no namespace with its prefix', async () => {
    const network = await createNetwork({ hosts: 2 });
    const p = probe(network, network.hosts[0]!, 4);
    await p.waitFor(isReady, DEADLINE_MS);
    expect(namespacesWithPrefix(network.prefix).length).toBe(3);
    await network.destroy();
    expect(p.exitStatus).toBeDefined();
    expect(namespacesWithPrefix(network.prefix)).toEqual([]);
  });
});
