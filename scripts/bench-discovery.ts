// Discovery benchmark on a real namespace LAN: lanchat vs avahi-daemon, same hosts, same run.
// For N hosts: time from start until every other host is found, time from a clean exit until the
// others drop it, settled mDNS packets per host per minute, and the burst when one more host
// joins. Prints one markdown table. Root only; everything happens inside its own namespaces.
//   npm run bench:discovery -- [--sizes 3,20] [--window 60] [--settle 10] [--impl lanchat,avahi]
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_NETWORK_KEY, networkTag } from '../src/crypto/network-key.js';
import type { AvahiBrowseEvent } from '../test/netns/avahi.js';
import { snapshotBuild } from '../test/netns/build-snapshot.js';
import {
  avahiAvailable,
  createNetwork,
  type HostInfo,
  type Network,
  netnsAvailable,
} from '../test/netns/harness.js';
import { LanchatNode, peersFrom } from '../test/netns/lanchat-node.js';
import { PacketCounter, perHostPerMinute } from '../test/netns/mdns-counter.js';
import type { ProcessHandle } from '../test/netns/process-handle.js';
import { option } from './script-args.js';

const TYPE = '_lanchat._tcp';
const JOIN_WINDOW_MS = 5_000;
const FIND_DEADLINE_MS = 60_000;
const DROP_DEADLINE_MS = 15_000;

interface Figures {
  startup: number[]; // seconds, per host: process start → ready (avahi: daemon up and service established)
  findStart: number[]; // seconds, per host: start → all others found
  findReady: number[]; // seconds, per host: ready (lanchat) / browse start (avahi) → all found
  drop: number[]; // seconds, per remaining host: clean exit → dropped
  perHostPerMin: number;
  joinBurst: number;
}

const sizes = option('--sizes', '3,20').split(',').map(Number);
const windowMs = Number(option('--window', '60')) * 1000;
const settleMs = Number(option('--settle', '10')) * 1000;
const impls = option('--impl', 'lanchat,avahi').split(',');

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const build = snapshotBuild('bench-discovery');
let profiles = 0;

/** `lanchat discover --json` from the snapshot, with a fresh profile (as startDiscover does). */
function startDiscover(network: Network, host: HostInfo, options: { nick: string }): LanchatNode {
  const profile = join(network.dir, `profile-${host.name}-${++profiles}`);
  mkdirSync(profile, { recursive: true, mode: 0o700 });
  const argv = ['node', join(build, 'bin/lanchat.js'), 'discover', '--json', '--nick', options.nick];
  const env = { LANCHAT_NETWORK: undefined, LANCHAT_PROFILE: undefined };
  const process = network.spawn(host, [...argv, '--profile', profile], {
    env,
    label: `lanchat discover ${options.nick}`,
  });
  return new LanchatNode(host, process, options);
}

const total = (counts: { byHost: Map<string, number> }) =>
  [...counts.byHost.values()].reduce((a, b) => a + b, 0);

/** performance.now() of the first line after which `events` show every key in `keys`. */
function firstTimeAllFound(process: ProcessHandle, keys: string[]): number {
  for (let k = 1; k <= process.timeline.length; k++) {
    const peers = peersFrom(process.events.slice(0, k));
    if (keys.every((key) => peers.has(key))) return process.timeline[k - 1]!.at;
  }
  return Number.NaN;
}

async function benchLanchat(network: Network, n: number, counter: PacketCounter): Promise<Figures> {
  const hosts = network.hosts.slice(0, n);
  const nodes = hosts.map((h, i) => startDiscover(network, h, { nick: `node${i + 1}` }));
  try {
    const readies = await Promise.all(nodes.map((node) => node.ready(FIND_DEADLINE_MS)));
    const keys = readies.map((r) => r.publicKey);
    const others = (i: number) => keys.filter((_, j) => j !== i);
    await Promise.all(
      nodes.map((node, i) =>
        node.waitForPeers((m) => others(i).every((k) => m.has(k)), FIND_DEADLINE_MS, 'all peers'),
      ),
    );
    const found = nodes.map((node, i) => firstTimeAllFound(node.process, others(i)));
    const readyAt = nodes.map((node) => node.process.timeline.find((t) => t.event.type === 'ready')!.at);
    const findStart = found.map((at, i) => (at - nodes[i]!.process.startedAt) / 1000);
    const findReady = found.map((at, i) => (at - readyAt[i]!) / 1000);
    const startup = readyAt.map((at, i) => (at - nodes[i]!.process.startedAt) / 1000);

    await delay(settleMs); // measuring window starts once announcing and first queries are over
    await counter.mark();
    await delay(windowMs);
    const perHostPerMin = perHostPerMinute(await counter.mark(), hosts);

    const joiner = startDiscover(network, network.hosts[n]!, { nick: 'joiner' });
    nodes.push(joiner);
    await delay(JOIN_WINDOW_MS);
    const joinBurst = total(await counter.mark());

    const drop = await measureDrop(nodes[0]!, nodes.slice(1), keys[0]!);
    return { startup, findStart, findReady, drop, perHostPerMin, joinBurst };
  } finally {
    for (const node of nodes) node.process.kill('SIGKILL');
    await Promise.all(nodes.map((node) => node.process.exited));
  }
}

async function measureDrop(leaver: LanchatNode, stay: LanchatNode[], key: string): Promise<number[]> {
  const from = stay.map((s) => s.process.events.length);
  const t0 = performance.now();
  leaver.process.kill('SIGTERM');
  return Promise.all(
    stay.map(async (s, i) => {
      await s.process.waitFor((e) => e.type === 'peer_down' && e.publicKey === key, DROP_DEADLINE_MS, {
        fromIndex: from[i]!,
      });
      const t = s.process.timeline
        .slice(from[i]!)
        .find((x) => x.event.type === 'peer_down' && x.event.publicKey === key);
      return (t!.at - t0) / 1000;
    }),
  );
}

function publicKeyBase64(): string {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  return Buffer.from(String(jwk.x), 'base64url').toString('base64');
}

interface AvahiHost {
  daemon: ProcessHandle<string>;
  /** performance.now() once the daemon is up and our service is established. */
  readyAt: number;
  publish: ProcessHandle<string>;
  browse: ProcessHandle<AvahiBrowseEvent>;
}

async function startAvahiHost(network: Network, host: HostInfo, name: string): Promise<AvahiHost> {
  const daemon = await network.startAvahi(host);
  const txt = ['v=1', `pk=${publicKeyBase64()}`, `net=${networkTag(DEFAULT_NETWORK_KEY)}`];
  const { process: publish } = await network.avahiPublish(host, name, TYPE, 7475, txt);
  return { daemon, readyAt: performance.now(), publish, browse: network.avahiWatch(host, TYPE) };
}

/** performance.now() when `browse` had resolved every name in `names`. */
async function avahiFoundAll(browse: ProcessHandle<AvahiBrowseEvent>, names: string[]): Promise<number> {
  // Resolved on any protocol counts as found, as lanchat's first peer_up does.
  const resolved = (e: AvahiBrowseEvent) => e.op === '=';
  await browse.waitFor(
    () => names.every((nm) => browse.events.some((e) => resolved(e) && e.name === nm)),
    FIND_DEADLINE_MS,
    {
      what: `resolved ${names.length} services`,
    },
  );
  let at = 0;
  for (const nm of names)
    at = Math.max(at, browse.timeline.find((t) => resolved(t.event) && t.event.name === nm)!.at);
  return at;
}

async function benchAvahi(network: Network, n: number, counter: PacketCounter): Promise<Figures> {
  const hosts = network.hosts.slice(0, n);
  const names = hosts.map((_, i) => `node${i + 1}`);
  const started = await Promise.all(hosts.map((h, i) => startAvahiHost(network, h, names[i]!)));
  const found = await Promise.all(
    started.map((s, i) =>
      avahiFoundAll(
        s.browse,
        names.filter((_, j) => j !== i),
      ),
    ),
  );
  const findStart = found.map((at, i) => (at - started[i]!.daemon.startedAt) / 1000);
  const findReady = found.map((at, i) => (at - started[i]!.browse.startedAt) / 1000);
  const startup = started.map((s) => (s.readyAt - s.daemon.startedAt) / 1000);

  await delay(settleMs);
  await counter.mark();
  await delay(windowMs);
  const perHostPerMin = perHostPerMinute(await counter.mark(), hosts);

  const joinStart = performance.now();
  const joiner = await startAvahiHost(network, network.hosts[n]!, 'joiner');
  await delay(Math.max(0, JOIN_WINDOW_MS - (performance.now() - joinStart)));
  const joinBurst = total(await counter.mark());

  const stay = [...started.slice(1), joiner];
  const from = stay.map((s) => s.browse.events.length);
  const t0 = performance.now();
  started[0]!.publish.kill('SIGTERM'); // avahi withdraws the service with goodbyes
  const drop = await Promise.all(
    stay.map(async (s, i) => {
      const gone = (e: AvahiBrowseEvent) => e.op === '-' && e.name === names[0];
      await s.browse.waitFor(gone, DROP_DEADLINE_MS, { fromIndex: from[i]! });
      return (s.browse.timeline.slice(from[i]!).find((t) => gone(t.event))!.at - t0) / 1000;
    }),
  );
  await Promise.all([...hosts, network.hosts[n]!].map((h) => network.stopAvahi(h)));
  return { startup, findStart, findReady, drop, perHostPerMin, joinBurst };
}

const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

type Row = { n: number; lan: Figures | undefined; av: Figures | undefined };

function printTable(rows: Row[]): void {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const out = [
    line(['Figure', 'N', 'lanchat', 'avahi 0.8', 'lanchat / avahi', 'target']),
    line(['---', '--:', '--:', '--:', '--:', '---']),
  ];
  for (const { n, lan, av } of rows) {
    const row = (figure: string, f: (x: Figures) => number, target: string, digits = 2) => {
      const a = lan ? f(lan) : Number.NaN;
      const b = av ? f(av) : Number.NaN;
      out.push(line([figure, String(n), fmt(a, digits), fmt(b, digits), b ? fmt(a / b) : 'n/a', target]));
    };
    row('process start → ready, p50 (s)', (x) => percentile(x.startup, 50), '');
    row('find all others, p50 from process start (s)', (x) => percentile(x.findStart, 50), '');
    row('find all others, p95 from process start (s)', (x) => percentile(x.findStart, 95), '≤ 1.5 s');
    row('find all others, p95 from ready / browse start¹ (s)', (x) => percentile(x.findReady, 95), '');
    row('drop after clean exit², p50 (s)', (x) => percentile(x.drop, 50), '');
    row('drop after clean exit, p95 (s)', (x) => percentile(x.drop, 95), '≤ 1 s');
    row(`settled mDNS packets/host/min (${windowMs / 1000} s window)`, (x) => x.perHostPerMin, '≤ 2', 1);
    row(
      `join burst: packets in ${JOIN_WINDOW_MS / 1000} s after host ${n + 1} joins`,
      (x) => x.joinBurst,
      '',
      0,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<number> {
  const netns = netnsAvailable();
  if (!netns.ok) {
    process.stderr.write(`bench-discovery: ${netns.reason}\n`);
    return 1;
  }
  const avahi = avahiAvailable();
  if (!avahi.ok) process.stderr.write(`bench-discovery: no avahi comparison (${avahi.reason})\n`);
  // Ctrl-C must still remove our namespaces: exiting runs the harness's exit hook.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

  const rows: Row[] = [];
  const loadAtStart = loadavg()[0]!.toFixed(1);
  for (const n of sizes) {
    // n nodes, one joiner, one passive observer that counts packets.
    const network = await createNetwork({ hosts: n + 2 });
    try {
      const counter = new PacketCounter(network, network.hosts[n + 1]!);
      await counter.ready();
      process.stderr.write(`N=${n}: lanchat…\n`);
      const lan = impls.includes('lanchat') ? await benchLanchat(network, n, counter) : undefined;
      process.stderr.write(`N=${n}: avahi…\n`);
      const av = avahi.ok && impls.includes('avahi') ? await benchAvahi(network, n, counter) : undefined;
      rows.push({ n, lan, av });
    } finally {
      await network.destroy();
    }
  }
  printTable(rows);
  process.stdout.write(
    `\nN hosts start at once on ${cpus().length} CPU cores (load average at start ${loadAtStart}, at end ` +
      `${loadavg()[0]!.toFixed(1)}: other work on the machine slows start-up); p50/p95 are over hosts (nearest rank). ` +
      `Settled window ${windowMs / 1000} s, starting ${settleMs / 1000} s after every host had found every other; ` +
      'packets are multicast datagrams (IPv4 + IPv6) counted by a passive listener on the bridge. ' +
      'avahi: avahi-daemon + avahi-publish + avahi-browse per host, timed from daemon start.\n' +
      '¹ avahi-browse starts after its daemon is up and has cached what it heard meanwhile, so this row favours avahi; ' +
      'the rows from process start are the fair comparison.\n' +
      '² RFC 6762 §10.1: a goodbye (TTL 0) is kept in the cache for 1 s before the record is deleted; both implementations ' +
      'do so, but lanchat reports the peer down as soon as the goodbye of its SRV or PTR arrives, while avahi-browse ' +
      'reports the removal when its cache drops the record (~1 s).\n' +
      'lanchat nodes run a copy of dist/ taken right after the build, so a rebuild in the tree during the run cannot mix versions.\n',
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench-discovery failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
