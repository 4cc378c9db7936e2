// Join-to-all-online on a namespace LAN with real mDNS: N `lanchat --headless --json` hosts settle,
// then fresh joiners (new host, new profile, new identity) start one at a time; each is timed from
// its process start until it has printed peer_online for all N. Baseline, interleaved in the same
// run on the same bridge: a freshly started avahi-daemon resolving one service published by
// another host's avahi (avahi-browse start → resolved IPv4 line).
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { avahiAvailable, createNetwork, type Network, netnsAvailable } from '../../test/netns/harness.js';
import { type HeadlessNode, onlinePeers, startHeadless } from '../../test/netns/headless-node.js';

const SETTLE_DEADLINE_MS = 120_000;
const JOIN_DEADLINE_MS = 30_000;
const AVAHI_TYPE = '_lctbench._tcp'; // not _lanchat._tcp: the lanchat nodes must not try to dial it

export type JoinResult =
  | { skipped: string }
  | { joins: number[]; avahi: number[] | undefined; avahiCold: number[] | undefined; avahiNote?: string };

/** performance.now() of the first stdout line after which `node` had every id in `ids` online. */
function allOnlineAt(node: HeadlessNode, ids: string[]): number | undefined {
  const online = new Set<string>();
  for (const { at, event } of node.process.timeline) {
    const peer = event.peer as { id?: string } | undefined;
    if (event.type === 'peer_online' && peer?.id) online.add(peer.id);
    if (event.type === 'peer_offline' && peer?.id) online.delete(peer.id);
    if (ids.every((id) => online.has(id))) return at;
  }
  return undefined;
}

async function poll(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await delay(20);
  }
}

async function avahiResolveOnce(network: Network, host: string): Promise<{ browse: number; cold: number }> {
  const daemon = await network.startAvahi(host);
  const browse = network.avahiWatch(host, AVAHI_TYPE);
  try {
    const resolved = await browse.waitFor((e) => e.op === '=' && e.protocol === 'IPv4', 20_000, {
      what: 'resolved service',
    });
    const at = browse.timeline.find((t) => t.event === resolved)!.at;
    return { browse: at - browse.startedAt, cold: at - daemon.startedAt };
  } finally {
    browse.kill('SIGKILL');
    await browse.exited;
    await network.stopAvahi(host);
  }
}

export async function benchJoin(n: number, repeats: number, settleMs: number): Promise<JoinResult> {
  const netns = netnsAvailable();
  if (!netns.ok) return { skipped: netns.reason };
  const avahi = avahiAvailable();
  // hosts: n settled nodes, one fresh host per joiner, avahi publisher + browser.
  const network = await createNetwork({ hosts: n + repeats + 2 });
  try {
    const hosts = network.hosts;
    const nodes = hosts.slice(0, n).map((h, i) => startHeadless(network, h, { nick: `node${i + 1}` }));
    const ids = await Promise.all(nodes.map((node) => node.id()));
    await poll(
      `all ${n} nodes seeing each other`,
      () => nodes.every((node, i) => ids.every((id, j) => j === i || onlinePeers(node).has(id))),
      SETTLE_DEADLINE_MS,
    );
    process.stderr.write(`join: ${n} nodes settled; waiting ${settleMs / 1000} s for announcements to end\n`);
    await delay(settleMs);

    const publisher = hosts[n + repeats]!;
    const browser = hosts[n + repeats + 1]!;
    if (avahi.ok) {
      await network.startAvahi(publisher);
      await network.avahiPublish(publisher, 'lanchat-bench', AVAHI_TYPE, 9, ['v=1']);
    }
    const joins: number[] = [];
    const avahiBrowse: number[] = [];
    const avahiCold: number[] = [];
    for (let r = 0; r < repeats; r++) {
      if (avahi.ok) {
        const a = await avahiResolveOnce(network, browser.name);
        avahiBrowse.push(a.browse);
        avahiCold.push(a.cold);
        await delay(1_000);
      }
      const joiner = startHeadless(network, hosts[n + r]!, { nick: `joiner${r + 1}` });
      // A joiner that misses the deadline counts as +Infinity (shown as "> 30 s"), not as a crash.
      const seen = await poll(
        'joiner seeing all nodes',
        () => allOnlineAt(joiner, ids) !== undefined,
        JOIN_DEADLINE_MS,
      )
        .then(() => true)
        .catch(() => false);
      joins.push(seen ? allOnlineAt(joiner, ids)! - joiner.process.startedAt : Number.POSITIVE_INFINITY);
      // A miss is a finding: keep what the joiner said, so it can be explained.
      if (!seen) process.stderr.write(`${joiner.process.describe()}\n`);
      process.stderr.write(
        `join ${r + 1}/${repeats}: ${seen ? `${joins.at(-1)!.toFixed(0)} ms` : `not all ${n} online within ${JOIN_DEADLINE_MS} ms (${onlinePeers(joiner).size} were)`}` +
          (avahi.ok ? ` (avahi browse → resolved ${avahiBrowse.at(-1)!.toFixed(0)} ms)` : '') +
          '\n',
      );
      joiner.process.send('/quit');
      await joiner.process.waitForExit(5_000).catch(() => joiner.process.kill('SIGKILL'));
      await delay(1_000);
    }
    if (!avahi.ok) return { joins, avahi: undefined, avahiCold: undefined, avahiNote: avahi.reason };
    return { joins, avahi: avahiBrowse, avahiCold };
  } finally {
    await network.destroy();
  }
}
