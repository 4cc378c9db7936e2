// Every multicast datagram of an office floor's start, by kind: N `lanchat --headless` nodes on one
// segment (network namespaces on one bridge), all at once or one every --stagger-ms, and one more
// host that only listens (test/netns/fixtures/mdns-capture.mjs), from the first start until 5 s
// after all-to-all. Prints one table: each kind on IPv4 and IPv6, per arrival, next to what
// RFC 6762 asks of one arrival. The README's capture figures come from it. Root only.
//   npx tsx scripts/floor-capture.ts [--nodes 100] [--stagger-ms 0] [--window 150] [--build DIR]
// --build DIR runs the nodes from DIR (a checkout with bin/, dist/ and node_modules, built) instead
// of a snapshot of this tree's build: the same capture of an older commit.
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { snapshotBuild } from '../test/netns/build-snapshot.js';
import { createNetwork, netnsAvailable, REPO_ROOT } from '../test/netns/harness.js';
import { Floor, missingPairs } from './bench-scale/floor.js';
import { type DatagramKind, datagramKind, KIND_ORDER } from './floor-capture/datagram-kind.js';
import { option } from './script-args.js';

const N = Number(option('--nodes', '100'));
const staggerMs = Number(option('--stagger-ms', '0'));
const windowMs = Number(option('--window', '150')) * 1000;
const build = option('--build', '');
const CAPTURE = join(REPO_ROOT, 'test/netns/fixtures/mdns-capture.mjs');

/** What RFC 6762 asks of one arrival on each family: three probes (§8.1), two announcements
 * (§8.3), and lanchat's one-shot query (§5.1); its browses (§5.2) come on top, fewer when
 * another host's browse stands in for them (§7.3). */
const RFC_PER_ARRIVAL: Partial<Record<DatagramKind, number>> = {
  'one-shot query': 2,
  probe: 6,
  announcement: 4,
};

async function main(): Promise<void> {
  const available = netnsAvailable();
  if (!available.ok) throw new Error(`floor-capture needs network namespaces: ${available.reason}`);
  const loadBefore = loadavg()[0]!;
  const network = await createNetwork({ hosts: N + 1, prefix: `lctcap${process.pid}` });
  try {
    const observer = network.hosts[N]!;
    const capture = network.spawn(
      observer,
      ['node', CAPTURE, '--iface', 'eth0', '--ipv4', observer.interfaces[0]!.ipv4!],
      { label: 'mdns-capture' },
    );
    await capture.waitFor((e) => e.type === 'ready', 10_000);
    const floor = new Floor(network, build || snapshotBuild('floor-capture'));
    const t0 = performance.now();
    for (const host of network.hosts.slice(0, N)) {
      floor.start(host);
      if (staggerMs > 0) await delay(staggerMs);
    }
    while (floor.ready().length < N && performance.now() - t0 < windowMs) await delay(100);
    while (missingPairs(floor.nodes) > 0 && performance.now() - t0 < windowMs) await delay(200);
    const converged = missingPairs(floor.nodes) === 0;
    const allToAllS = (performance.now() - t0) / 1000;
    await delay(5_000);
    const counts = new Map<DatagramKind, { v4: number; v6: number; bytes: number }>();
    for (const { event } of capture.timeline) {
      if (event.type !== 'packet') continue;
      const bytes = Buffer.from(String(event.bytes), 'base64');
      const kind = datagramKind(bytes, Number(event.port ?? 5353));
      const c = counts.get(kind) ?? { v4: 0, v6: 0, bytes: 0 };
      if (String(event.from).includes(':')) c.v6++;
      else c.v4++;
      c.bytes += bytes.length;
      counts.set(kind, c);
    }
    print(counts, { converged, allToAllS, windowS: (performance.now() - t0) / 1000, loadBefore });
    for (const n of floor.nodes) n.process.kill('SIGTERM');
    await Promise.all(floor.nodes.map((n) => n.process.exited));
    capture.kill('SIGTERM');
  } finally {
    await network.destroy();
  }
}

function print(
  counts: Map<DatagramKind, { v4: number; v6: number; bytes: number }>,
  run: { converged: boolean; allToAllS: number; windowS: number; loadBefore: number },
): void {
  const mode = staggerMs > 0 ? `one arrival every ${staggerMs} ms` : 'all started at once';
  console.log(
    `\nfloor-capture — ${N} nodes, ${mode}, dual-stack; ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ` +
      `Node ${process.version}, load average ${run.loadBefore.toFixed(2)} before; ` +
      `all-to-all ${run.converged ? `${run.allToAllS.toFixed(1)} s after the first start` : 'not reached'}, ` +
      `window ${run.windowS.toFixed(1)} s\n`,
  );
  console.log('| datagrams | IPv4 | IPv6 | KiB | per arrival | RFC 6762 per arrival |');
  console.log('|---|--:|--:|--:|--:|--:|');
  let total = 0;
  for (const kind of KIND_ORDER) {
    const c = counts.get(kind);
    if (!c) continue;
    total += c.v4 + c.v6;
    const rfc = RFC_PER_ARRIVAL[kind];
    const perArrival = ((c.v4 + c.v6) / N).toFixed(2);
    console.log(
      `| ${kind} | ${c.v4} | ${c.v6} | ${(c.bytes / 1024).toFixed(0)} | ${perArrival} | ${rfc ?? ''} |`,
    );
  }
  const floorMin = Object.values(RFC_PER_ARRIVAL).reduce((a, b) => a + (b ?? 0), 0);
  console.log(`| all | | | | ${(total / N).toFixed(2)} | ${floorMin} + browses |`);
}

await main();
