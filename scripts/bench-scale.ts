// Scale benchmark: an office floor of N `lanchat --headless` processes on one LAN segment
// (network namespaces on one bridge), started at once or one every --stagger-ms, next to the
// baseline of the same N processes doing nothing but a raw TCP mesh (fixtures/tcp-mesh.mjs, one
// connection a pair) in the same run, and a second baseline: that mesh with lanchat's Secret
// Handshake and box-stream on every connection (--secure), what the secure channel alone costs;
// then the next morning (everyone quits and starts again: same profiles, warm compile cache).
// Prints two markdown tables (a third with --confined, another with --avahi). Root only;
// everything happens in its own namespaces.
//   npm run bench:scale -- [--nodes 50] [--stagger-ms 0] [--window 120] [--settle 200] [--ipv4-only]
//                          [--joiners 3] [--confined] [--avahi] [--avahi-browse]
// --ipv4-only turns IPv6 off in every host: the same floor without its second address family, the
// bound that what dual-stack costs is measured against (run it next to a run without).
// --confined also runs the floor once with mDNS confined to each host (a private interface) and
// the peers given by --peer, no peer exchange: what mDNS on the shared segment costs the floor.
// --avahi also runs the same arrivals with avahi-daemon per host publishing one service, nothing
// else (avahi-floor.ts): what RFC mDNS costs each host here with an implementation no one here
// wrote; --avahi-browse adds avahi-browse -r per host (finding everyone the usual avahi way; at
// 100 on two cores it takes the machine for the whole --window).
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { snapshotBuild } from '../test/netns/build-snapshot.js';
import {
  avahiAvailable,
  createNetwork,
  type HostInfo,
  type Network,
  netnsAvailable,
  REPO_ROOT,
} from '../test/netns/harness.js';
import { PacketCounter, perHostPerMinute } from '../test/netns/mdns-counter.js';
import type { JsonEvent, ProcessHandle } from '../test/netns/process-handle.js';
import { type AvahiFloorFigures, avahiFloor } from './bench-scale/avahi-floor.js';
import {
  addPrivateInterfaces,
  confinedArgs,
  identitiesFor,
  removePrivateInterfaces,
} from './bench-scale/confined.js';
import { Floor, type FloorNode, missingPairs, sawAllAt, warningKinds } from './bench-scale/floor.js';
import { bundleMesh } from './bench-scale/mesh-bundle.js';
import { busyBetween, cpuSeconds, machineCpu, rssMb } from './bench-scale/proc-stats.js';
import { option } from './script-args.js';

const N = Number(option('--nodes', '50'));
const staggerMs = Number(option('--stagger-ms', '0'));
const windowMs = Number(option('--window', '120')) * 1000;
const ipv4Only = process.argv.includes('--ipv4-only');
/** Fresh joiners on the settled floor, one after another (≥ 1; the table gives their median). */
const JOINERS = Math.max(1, Number(option('--joiners', '3')));
/** Long enough for two rounds of cache refreshes: records with a host name live 120 s (RFC 6762
 * §10) and every peer's are asked for again at 80 % of that, ≈ every 96 s; a 30 s window that
 * fell between two rounds measured 0.1–0.4 packets per host and minute where the floor sends
 * ≈ 2–3 (a 240 s window: 5.0 before a refresh took one query per peer instead of three). */
const settleMs = Number(option('--settle', '200')) * 1000;
/** Also run the floor with mDNS confined to each host and peers given by --peer (confined.ts). */
const confined = process.argv.includes('--confined');
/** Also run the arrivals with avahi-daemon alone (avahi-floor.ts); with browsing too. */
const avahiBrowse = process.argv.includes('--avahi-browse');
const avahi = avahiBrowse || process.argv.includes('--avahi');
const MESH = join(REPO_ROOT, 'test/netns/fixtures/tcp-mesh.mjs');
const MESH_PORT = 7600;
const SAMPLES_S = [0, 5, 10, 15, 30, 60, 120];
/** The settled window starts once the youngest node is this old (and 5 s after all-to-all): a
 * node browses at ≈ 1, 2, 6, 14 and 30 s (RFC 6762 §5.2), which is its start, not the floor's
 * steady state. All started at once, all-to-all comes later than this anyway. */
const SETTLED_AGE_MS = 40_000;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
const ms = (x: number) => (Number.isNaN(x) ? 'never' : `${x.toFixed(1)} ms`);
const s = (ms: number | undefined) =>
  ms === undefined || Number.isNaN(ms) ? 'never' : `${(ms / 1000).toFixed(2)} s`;
/** "a / b×", or "—" where either figure is missing or never came. */
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b <= 0
    ? '—'
    : `${(a / b).toFixed(1)}×`;
const p50p95max = (xs: number[]) =>
  `${s(percentile(xs, 50))} / ${s(percentile(xs, 95))} / ${s(Math.max(...xs))}`;
/** The median (nearest rank) of figures where undefined means "never" and ranks last. */
function medianOf(xs: (number | undefined)[]): number | undefined {
  const m = percentile(
    xs.map((x) => x ?? Number.POSITIVE_INFINITY),
    50,
  );
  return Number.isFinite(m) ? m : undefined;
}
/** "median (min–max)" of several figures, or the one figure. */
function spread(xs: (number | undefined)[], show: (x: number) => string): string {
  const shown = (x: number | undefined) => (x === undefined ? 'never' : show(x));
  if (xs.length === 1) return shown(xs[0]);
  const ranked = xs.map((x) => x ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  const finite = (x: number) => (Number.isFinite(x) ? x : undefined);
  return `${shown(medianOf(xs))} (${shown(finite(ranked[0]!))}–${shown(finite(ranked.at(-1)!))})`;
}

async function startEach<T>(hosts: HostInfo[], start: (host: HostInfo) => T): Promise<T[]> {
  const out: T[] = [];
  for (const host of hosts) {
    out.push(start(host));
    if (staggerMs > 0) await delay(staggerMs);
  }
  return out;
}

const FANOUT_MESSAGES = 20;

/**
 * One sender, everyone else receives: `send(i)` sends message i, `got(event, i)` recognises it in
 * a receiver's output. Returns one latency per (message, receiver), from the moment the bench
 * wrote the command to the moment the receiver's line arrived (both ends pay the same pipes).
 */
async function fanout(
  receivers: ProcessHandle[],
  send: (i: number) => void,
  got: (event: JsonEvent, i: number) => boolean,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < FANOUT_MESSAGES; i++) {
    const from = receivers.map((r) => r.timeline.length);
    const t0 = performance.now();
    send(i);
    const deadline = t0 + 10_000;
    const arrival = (r: ProcessHandle, k: number) =>
      r.timeline.slice(from[k]).find((t) => got(t.event, i))?.at;
    while (receivers.some((r, k) => arrival(r, k) === undefined) && performance.now() < deadline) {
      await delay(5);
    }
    receivers.forEach((r, k) => {
      const at = arrival(r, k);
      latencies.push(at === undefined ? Number.NaN : at - t0);
    });
    await delay(200);
  }
  return latencies;
}

interface MeshFigures {
  lastReadyMs: number;
  allToAllAfterLastStartMs: number | undefined;
  /** ms from each process's ready until all hosts started before it had greeted it. */
  arrivals: number[];
  allToAllMs: number | undefined; // after the last ready
  cpuPerNode: number;
  machineBusy: number;
  rssPerNode: number;
  /** Its joiners: from ready until all already there greeted it, and their own CPU until then. */
  joins: { ms: number | undefined; cpuS: number | undefined }[];
  fanout: number[];
}

/** Which baseline: the raw TCP mesh, or the same with lanchat's Secret Handshake and box-stream on
 * every connection (`script`: the fixture bundled, see mesh-bundle.ts). */
interface MeshKind {
  script: string;
  secure: boolean;
}

/** A baseline: N mesh processes, then as many joiners as the lanchat floor gets. */
async function rawMesh(
  network: Network,
  hosts: HostInfo[],
  joinerHosts: HostInfo[],
  kind: MeshKind,
): Promise<MeshFigures> {
  const addressOf = (h: HostInfo) => h.interfaces[0]!.ipv4!;
  const label = kind.secure ? 'shs-mesh' : 'tcp-mesh';
  // Each dials the hosts started before it (one connection a pair, opened by the later one, as an
  // arrival does) and expects all the others: never a dial to a host that is not running yet.
  const mesh = (h: HostInfo, earlier: HostInfo[], expect: number, suffix = '') =>
    network.spawn(
      h,
      [
        'node',
        kind.script,
        '--port',
        String(MESH_PORT),
        '--dial',
        earlier.map(addressOf).join(','),
        '--expect',
        String(expect),
        ...(kind.secure ? ['--secure', '--self', addressOf(h)] : []),
      ],
      { label: label + suffix },
    );
  const t0 = performance.now();
  const machine0 = machineCpu();
  let started = 0;
  const procs = await startEach(hosts, (h) => mesh(h, hosts.slice(0, started++), N - 1));
  const at = (p: ProcessHandle, type: string) => p.timeline.find((t) => t.event.type === type)?.at;
  const deadline = performance.now() + windowMs;
  while (procs.some((p) => at(p, 'all') === undefined) && performance.now() < deadline) await delay(100);
  // Measured at all-to-all, like the floor's, not after the fan-out and the joiners below.
  const cpuPerNode = mean(procs.map((p) => cpuSeconds(p.pid!) ?? 0));
  const machineBusy = busyBetween(machine0, machineCpu());
  const lastReady = Math.max(...procs.map((p) => at(p, 'ready') ?? Number.NaN));
  const lastStart = Math.max(...procs.map((p) => p.startedAt));
  const alls = procs.map((p) => at(p, 'all'));
  const done = alls.some((a) => a === undefined) ? undefined : Math.max(...(alls as number[]));
  // An arrival has met everyone already there when all it dialled have greeted it.
  const arrivals = procs.map((p) => {
    const dialled = at(p, 'dialled');
    const ready = at(p, 'ready');
    return dialled === undefined || ready === undefined ? Number.NaN : dialled - ready;
  });
  const fanoutMs = await fanout(
    procs.slice(1),
    (i) => procs[0]!.send(`fanout ${i}`),
    (e, i) => e.type === 'fanout' && e.n === i,
  );
  const floor = procs.slice();
  const joins: { ms: number | undefined; cpuS: number | undefined }[] = [];
  for (const host of joinerHosts) {
    const joiner = mesh(host, hosts.concat(joinerHosts).slice(0, floor.length), floor.length, ' joiner');
    floor.push(joiner);
    await joiner.waitFor((e) => e.type === 'all', 30_000).catch(() => undefined);
    const seen = at(joiner, 'all');
    const ready = at(joiner, 'ready');
    joins.push({
      ms: seen === undefined || ready === undefined ? undefined : seen - ready,
      cpuS: seen === undefined ? undefined : cpuSeconds(joiner.pid!),
    });
  }
  const figures = {
    lastReadyMs: lastReady - t0,
    allToAllMs: done === undefined ? undefined : done - lastReady,
    allToAllAfterLastStartMs: done === undefined ? undefined : done - lastStart,
    arrivals,
    cpuPerNode,
    machineBusy,
    rssPerNode: mean(procs.map((p) => rssMb(p.pid!) ?? 0)),
    joins,
    fanout: fanoutMs,
  };
  for (const p of floor) p.kill('SIGKILL');
  await Promise.all(floor.map((p) => p.exited));
  return figures;
}

interface FloorFigures {
  lastReadyMs: number;
  lastStartMs: number;
  allToAllMs: number | undefined; // after the last ready
  allToAllAfterLastStartMs: number | undefined;
  missing: [number, number][]; // [seconds after last ready, directed pairs missing]
  arrivals: number[]; // ms from each node's ready until it saw everyone ready before it
  cpuToAllToAll: number;
  /** Fraction of the machine's CPU (all cores) busy from the first start to all-to-all. */
  machineBusy: number;
  startPacketsPerHost: number;
  settledPerHostPerMin: number;
  idleCpuPercent: number[];
  rss: number[];
  flaps: number;
  /** Warnings by kind: the first day until the floor was told to quit, while it quit (a node
   * stopping hangs up on handshakes under way), and the next morning. */
  warnings: { day: Map<string, number>; quitting: Map<string, number>; morning: Map<string, number> };
  joins: JoinFigures[];
  morning: MorningFigures;
  fanout: number[];
}

interface JoinFigures {
  /** From its ready until it saw every node already there online; undefined: not within 30 s. */
  ms: number | undefined;
  /** Its own CPU from its start until then. */
  cpuS: number | undefined;
  /** What its arrival cost each node already there, mean, above that node's idle. */
  costMs: number;
}

/** One fresh joiner on the settled floor: how soon it sees everyone, and at what CPU. */
async function arrival(floor: Floor, host: HostInfo, idlePercent: number[]): Promise<JoinFigures> {
  const there = floor.nodes.slice();
  const cpuBefore = there.map((n) => cpuSeconds(n.process.pid!) ?? 0);
  // A colleague arriving later in the morning: their machine ran this build yesterday, so its
  // compile cache is warm (as it was when every node shared the bench's one cache directory).
  const warmFrom = there[0]!.host;
  const j0 = performance.now();
  const joiner = floor.start(host, { warmFrom });
  const everyone = new Set(there.map((n) => n.id!));
  const deadline = performance.now() + 30_000;
  let seen: number | undefined;
  let cpuS: number | undefined;
  while (performance.now() < deadline) {
    seen = joiner.id ? sawAllAt(joiner, everyone) : undefined;
    if (seen !== undefined) {
      cpuS = cpuSeconds(joiner.process.pid!);
      break;
    }
    await delay(20);
  }
  await delay(3_000);
  const windowS = (performance.now() - j0) / 1000;
  // Earlier joiners have no idle figure of their own: the floor's mean stands in.
  const idleOf = (i: number) => (idlePercent[i] ?? mean(idlePercent)) / 100;
  const cost = there.map(
    (n, i) => ((cpuSeconds(n.process.pid!) ?? 0) - cpuBefore[i]! - idleOf(i) * windowS) * 1000,
  );
  return {
    ms: seen === undefined || joiner.readyAt === undefined ? undefined : seen - joiner.readyAt,
    cpuS,
    costMs: mean(cost),
  };
}

async function lanchatFloor(
  network: Network,
  hosts: HostInfo[],
  joinerHosts: HostInfo[],
  counter: PacketCounter,
): Promise<FloorFigures> {
  const build = snapshotBuild('bench-scale');
  const floor = new Floor(network, build);
  await counter.mark();
  const t0 = performance.now();
  const machine0 = machineCpu();
  await startEach(hosts, (h) => floor.start(h));
  const lastStart = Math.max(...floor.nodes.map((n) => n.spawnedAt));
  const { lastReady, allToAll: firstComplete } = await convergence(floor, '');
  const cpuToAllToAll = mean(floor.nodes.map((n) => cpuSeconds(n.process.pid!) ?? 0));
  const machineBusy = busyBetween(machine0, machineCpu());
  const startPackets = await counter.mark();
  const missing: [number, number][] = SAMPLES_S.filter((x) => lastReady + x * 1000 <= performance.now()).map(
    (x) => [x, missingPairs(floor.nodes, lastReady + x * 1000)],
  );
  const arrivals = arrivalsOf(floor);

  // Settled: packets and idle CPU over a quiet window.
  await delay(Math.max(5_000, lastStart + SETTLED_AGE_MS - performance.now()));
  await counter.mark();
  const cpu0 = floor.nodes.map((n) => cpuSeconds(n.process.pid!) ?? 0);
  const w0 = performance.now();
  await delay(settleMs);
  const settled = await counter.mark();
  const cpu1 = floor.nodes.map((n) => cpuSeconds(n.process.pid!) ?? 0);
  const windowS = (performance.now() - w0) / 1000;
  const idle = cpu1.map((c, i) => ((c - cpu0[i]!) / windowS) * 100);
  const rss = floor.nodes.map((n) => rssMb(n.process.pid!) ?? 0);
  const flaps = flapsOf(floor);

  // #general fan-out from one member to all the others, on the settled floor.
  const sender = floor.nodes[0]!;
  const tag = `fanout-${process.pid}`;
  const fanoutMs = await fanout(
    floor.nodes.slice(1).map((n) => n.process),
    (i) => sender.process.send(`${tag} ${i}`),
    (e, i) => e.type === 'message' && e.room === '#general' && e.text === `${tag} ${i}`,
  );

  // Fresh joiners on the settled floor, one after another (each stays), and what each arrival
  // cost the nodes already there (measured from here: the fan-out's own CPU must not count as the
  // arrival's). Several, because one arrival is one sample of a noisy machine.
  await delay(2_000);
  const joins: JoinFigures[] = [];
  for (const host of joinerHosts) joins.push(await arrival(floor, host, idle));
  const quitAt = performance.now();
  const morning = await nextMorning(network, floor, build);

  return {
    lastReadyMs: lastReady - t0,
    lastStartMs: lastStart - t0,
    allToAllMs: firstComplete === undefined ? undefined : firstComplete - lastReady,
    allToAllAfterLastStartMs: firstComplete === undefined ? undefined : firstComplete - lastStart,
    missing,
    arrivals,
    cpuToAllToAll,
    machineBusy,
    startPacketsPerHost: hosts.reduce((sum, h) => sum + (startPackets.byHost.get(h.name) ?? 0), 0) / N,
    settledPerHostPerMin: perHostPerMinute(settled, hosts),
    idleCpuPercent: idle,
    rss,
    flaps,
    warnings: {
      day: warningKinds(floor.nodes, (at) => at < quitAt),
      quitting: warningKinds(floor.nodes, (at) => at >= quitAt),
      morning: morning.warnings,
    },
    joins,
    fanout: fanoutMs,
    morning,
  };
}

interface MorningFigures {
  lastReadyMs: number;
  allToAllMs: number | undefined;
  cpuToAllToAll: number;
  flaps: number;
  warnings: Map<string, number>;
}

/** Per node, ms from its ready until it saw every node that was ready before it (NaN: never). */
function arrivalsOf(floor: Floor): number[] {
  return floor.nodes.map((n) => {
    const before = new Set(floor.nodes.filter((m) => m !== n && m.readyAt! < n.readyAt!).map((m) => m.id!));
    const at = sawAllAt(n, before);
    return at === undefined ? Number.NaN : at - n.readyAt!;
  });
}

interface ConfinedFigures {
  allToAllAfterLastStartMs: number | undefined;
  arrivals: number[];
  cpuPerNode: number;
  machineBusy: number;
}

/** The floor once more, with mDNS confined to each host and the peers given by --peer (see
 * confined.ts); its private interfaces go again afterwards, or the floor measured next would run
 * its mDNS on them too. */
async function confinedFloor(network: Network, hosts: HostInfo[]): Promise<ConfinedFigures> {
  const build = snapshotBuild('bench-scale-confined');
  await addPrivateInterfaces(network, hosts);
  try {
    const floor = new Floor(network, build, 'confined');
    const ids = identitiesFor(
      build,
      hosts.map((h, i) => floor.profileFor(h, i)),
    );
    const machine0 = machineCpu();
    let started = 0;
    await startEach(hosts, (h) => floor.start(h, { args: confinedArgs(started++, ids, hosts) }));
    const lastStart = Math.max(...floor.nodes.map((n) => n.spawnedAt));
    const { allToAll } = await convergence(floor, 'mDNS confined: ');
    const figures = {
      allToAllAfterLastStartMs: allToAll === undefined ? undefined : allToAll - lastStart,
      arrivals: arrivalsOf(floor),
      cpuPerNode: mean(floor.nodes.map((n) => cpuSeconds(n.process.pid!) ?? 0)),
      machineBusy: busyBetween(machine0, machineCpu()),
    };
    for (const n of floor.nodes) n.process.kill('SIGTERM');
    await Promise.all(floor.nodes.map((n) => n.process.exited));
    return figures;
  } finally {
    await removePrivateInterfaces(network, hosts);
    await delay(3_000);
  }
}

/**
 * The next morning: everyone quits (each says goodbye) and the same N start again the same way,
 * with what a real office has on its second day: the same profiles (each remembers yesterday's
 * peers and addresses and dials them at once) and V8's compile cache warm (the same build: the
 * first day's nodes wrote it 20 s after their start). The first day is the worst case, after an
 * install or an upgrade; this is every other day.
 */
async function nextMorning(network: Network, yesterday: Floor, build: string): Promise<MorningFigures> {
  const members = yesterday.nodes.slice(0, N);
  for (const n of yesterday.nodes) n.process.kill('SIGTERM');
  await Promise.all(yesterday.nodes.map((n) => n.process.exited));
  await delay(3_000);
  const floor = new Floor(network, build);
  const t0 = performance.now();
  await startEach(
    members.map((n) => n.host),
    (h) => floor.start(h, { again: members.find((n) => n.host === h) }),
  );
  const { lastReady, allToAll: done } = await convergence(floor, 'next morning: ');
  const cpuToAllToAll = mean(floor.nodes.map((n) => cpuSeconds(n.process.pid!) ?? 0));
  await delay(5_000); // a flap right after all-to-all counts too
  const figures = {
    lastReadyMs: lastReady - t0,
    allToAllMs: done === undefined ? undefined : done - lastReady,
    cpuToAllToAll,
    flaps: flapsOf(floor),
    warnings: warningKinds(floor.nodes),
  };
  // Gone before anything measured after it (--avahi's daemons would share port 5353 with them).
  for (const n of floor.nodes) n.process.kill('SIGTERM');
  await Promise.all(floor.nodes.map((n) => n.process.exited));
  return figures;
}

/**
 * Waits for all N nodes to be ready (else throws, `what` first), then for all-to-all, each for
 * at most --window. `allToAll`: when the last missing pair came online, from the nodes' own lines
 * (the loop only polls); undefined if it did not within the window.
 */
async function convergence(
  floor: Floor,
  what: string,
): Promise<{ lastReady: number; allToAll: number | undefined }> {
  const deadline = performance.now() + windowMs;
  while (floor.ready().length < N && performance.now() < deadline) await delay(100);
  if (floor.ready().length < N)
    throw new Error(`${what}only ${floor.ready().length} of ${N} nodes became ready`);
  const lastReady = Math.max(...floor.nodes.map((n) => n.readyAt!));
  while (performance.now() < lastReady + windowMs) {
    if (missingPairs(floor.nodes) === 0)
      return { lastReady, allToAll: completionTime(floor.nodes, lastReady, performance.now()) };
    await delay(100);
  }
  return { lastReady, allToAll: undefined };
}

/** `peer_offline` lines the floor's nodes printed (presence flaps, on a floor nobody leaves). */
function flapsOf(floor: Floor): number {
  return floor.nodes.reduce(
    (sum, n) => sum + n.process.events.filter((e) => e.type === 'peer_offline').length,
    0,
  );
}

/** When the last missing pair came online (from the nodes' lines), between `from` and `to`. */
function completionTime(nodes: FloorNode[], from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (hi - lo > 5) {
    const mid = (lo + hi) / 2;
    if (missingPairs(nodes, mid) === 0) hi = mid;
    else lo = mid;
  }
  return hi;
}

async function main(): Promise<void> {
  const available = netnsAvailable();
  if (!available.ok) throw new Error(`bench:scale needs network namespaces: ${available.reason}`);
  const loadBefore = loadavg()[0]!;
  const network = await createNetwork({ hosts: N + 1 + JOINERS, prefix: `lctscale${process.pid}`, ipv4Only });
  try {
    const hosts = network.hosts.slice(0, N);
    const counter = new PacketCounter(network, network.hosts[N + 1]!);
    const joinerHosts = [network.hosts[N]!, ...network.hosts.slice(N + 2)];
    await counter.ready();
    const mesh = await rawMesh(network, hosts, joinerHosts, { script: MESH, secure: false });
    await delay(3_000); // let the machine calm down between two floors
    const shs = await rawMesh(network, hosts, joinerHosts, { script: await bundleMesh(MESH), secure: true });
    await delay(3_000);
    const without = confined ? await confinedFloor(network, hosts) : undefined;
    const f = await lanchatFloor(network, hosts, joinerHosts, counter);
    // Last, so that lanchat's floor is measured exactly as in a run without --avahi.
    const av = avahi ? await avahiBaseline(network, hosts) : undefined;
    print(mesh, f, loadBefore);
    printAuthenticated(mesh, shs, f);
    if (without) printConfined(shs, without, f);
    if (av) printAvahi(shs, av, without, f);
    printWarnings(f);
  } finally {
    await network.destroy();
  }
}

/**
 * One arrival's CPU on a full floor (the joiner's own plus what it costs each of the N others)
 * next to what the machine's cores offer between two arrivals: above 100 %, a floor arriving at
 * that pace on this machine queues for CPU and falls further behind with every arrival.
 */
function arrivalBudget(f: FloorFigures): string[][] {
  const joinerCpuS = medianOf(f.joins.map((j) => j.cpuS));
  if (joinerCpuS === undefined) return [];
  const perArrival = joinerCpuS + (N * (medianOf(f.joins.map((j) => j.costMs)) ?? 0)) / 1000;
  const rows = [
    [
      `CPU one arrival costs on a floor of ${N} (joiner + ${N} × member)`,
      `${perArrival.toFixed(2)} s`,
      '',
      '',
    ],
  ];
  if (staggerMs > 0) {
    const offered = (cpus().length * staggerMs) / 1000;
    rows.push([
      `… against the CPU ${cpus().length} cores offer per ${staggerMs} ms between arrivals`,
      `${((100 * perArrival) / offered).toFixed(0)} % of ${offered.toFixed(2)} s`,
      '',
      '',
    ]);
  }
  return rows;
}

function print(mesh: MeshFigures, f: FloorFigures, loadBefore: number): void {
  const arrivals = f.arrivals.slice(1);
  const joinersNote = f.joins.length > 1 ? `, median (range) of ${f.joins.length} one after another` : '';
  const rows: string[][] = [
    [
      'start → last process ready',
      s(f.lastReadyMs),
      s(mesh.lastReadyMs),
      ratio(f.lastReadyMs, mesh.lastReadyMs),
    ],
    [
      'last ready → all-to-all online',
      s(f.allToAllMs),
      s(mesh.allToAllMs),
      ratio(f.allToAllMs, mesh.allToAllMs),
    ],
    [
      'last start → all-to-all online',
      s(f.allToAllAfterLastStartMs),
      s(mesh.allToAllAfterLastStartMs),
      ratio(f.allToAllAfterLastStartMs, mesh.allToAllAfterLastStartMs),
    ],
    [
      'directed pairs missing after last ready',
      f.missing.map(([t, m]) => `+${t}s: ${m}`).join(', '),
      `of ${N * (N - 1)}`,
      '',
    ],
    [
      'each arrival sees everyone already there, p50 / p95 / max',
      p50p95max(arrivals),
      p50p95max(mesh.arrivals.slice(1)),
      ratio(percentile(arrivals, 95), percentile(mesh.arrivals.slice(1), 95)),
    ],
    [
      'CPU per node until all-to-all',
      `${f.cpuToAllToAll.toFixed(2)} s`,
      `${mesh.cpuPerNode.toFixed(2)} s`,
      ratio(f.cpuToAllToAll, mesh.cpuPerNode),
    ],
    [
      `machine CPU busy, first start → all-to-all (${cpus().length} cores)`,
      `${(f.machineBusy * 100).toFixed(0)} %`,
      `${(mesh.machineBusy * 100).toFixed(0)} %`,
      '',
    ],
    ['mDNS packets per host during the start', f.startPacketsPerHost.toFixed(1), '', ''],
    ['settled: mDNS packets per host per minute', f.settledPerHostPerMin.toFixed(2), '', ''],
    [
      'settled: idle CPU per node, mean / max',
      `${mean(f.idleCpuPercent).toFixed(2)} % / ${Math.max(...f.idleCpuPercent).toFixed(2)} %`,
      '',
      '',
    ],
    [
      'RSS per node, mean / max',
      `${mean(f.rss).toFixed(0)} / ${Math.max(...f.rss).toFixed(0)} MB`,
      `${mesh.rssPerNode.toFixed(0)} MB`,
      ratio(mean(f.rss), mesh.rssPerNode),
    ],
    ['peer_offline lines (presence flaps)', String(f.flaps), '', ''],
    [
      `fresh joiner on the settled floor: sees all already there${joinersNote}`,
      spread(
        f.joins.map((j) => j.ms),
        s,
      ),
      spread(
        mesh.joins.map((j) => j.ms),
        s,
      ),
      ratio(medianOf(f.joins.map((j) => j.ms)), medianOf(mesh.joins.map((j) => j.ms))),
    ],
    [
      'CPU its arrival costs each node already there',
      spread(
        f.joins.map((j) => j.costMs),
        (x) => `${x.toFixed(1)} ms`,
      ),
      '',
      '',
    ],
    [
      "the joiner's own CPU, from its start until it sees all",
      spread(
        f.joins.map((j) => j.cpuS),
        (x) => `${x.toFixed(2)} s`,
      ),
      spread(
        mesh.joins.map((j) => j.cpuS),
        (x) => `${x.toFixed(2)} s`,
      ),
      ratio(medianOf(f.joins.map((j) => j.cpuS)), medianOf(mesh.joins.map((j) => j.cpuS))),
    ],
    ...arrivalBudget(f),
    [
      `#general fan-out to ${N - 1} members, p50 / p99 (${FANOUT_MESSAGES} messages)`,
      `${ms(percentile(f.fanout, 50))} / ${ms(percentile(f.fanout, 99))}`,
      `${ms(percentile(mesh.fanout, 50))} / ${ms(percentile(mesh.fanout, 99))}`,
      ratio(percentile(f.fanout, 50), percentile(mesh.fanout, 50)),
    ],
    [
      'fan-out deliveries missing after 10 s',
      String(f.fanout.filter((x) => Number.isNaN(x)).length),
      String(mesh.fanout.filter((x) => Number.isNaN(x)).length),
      '',
    ],
    [
      'the next morning (same profiles, warm compile cache): start → last ready',
      s(f.morning.lastReadyMs),
      s(mesh.lastReadyMs),
      ratio(f.morning.lastReadyMs, mesh.lastReadyMs),
    ],
    [
      '… last ready → all-to-all online',
      s(f.morning.allToAllMs),
      s(mesh.allToAllMs),
      ratio(f.morning.allToAllMs, mesh.allToAllMs),
    ],
    [
      '… CPU per node until all-to-all; presence flaps',
      `${f.morning.cpuToAllToAll.toFixed(2)} s; ${f.morning.flaps}`,
      `${mesh.cpuPerNode.toFixed(2)} s`,
      ratio(f.morning.cpuToAllToAll, mesh.cpuPerNode),
    ],
  ];
  const mode =
    (staggerMs > 0 ? `one arrival every ${staggerMs} ms` : 'all started at once') +
    (ipv4Only ? ', IPv6 off in every host (--ipv4-only)' : ', dual-stack (IPv4 and IPv6 link-local)');
  console.log(
    `\nbench:scale — ${N} nodes on one segment, ${mode}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ` +
      `Node ${process.version}, load average ${loadBefore.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after\n`,
  );
  console.log('| measurement | lanchat | raw TCP mesh, same processes | ratio |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

/**
 * The second baseline next to the first and lanchat: what an authenticated full mesh costs on this
 * machine with lanchat's own secure channel and nothing else. Where it alone misses a target, no
 * design that gives every pair its own Secret Handshake can meet it here; what lanchat costs
 * above it is everything else a node does (discovery, storage, hello, presence, catch-up).
 */
function printAuthenticated(raw: MeshFigures, shs: MeshFigures, f: FloorFigures): void {
  const cpu = (x: number | undefined) => (x === undefined ? 'never' : `${x.toFixed(2)} s`);
  const tail = (xs: number[]) => xs.slice(1);
  const joinMs = (m: { joins: { ms: number | undefined }[] }) => m.joins.map((j) => j.ms);
  const joinCpu = (m: { joins: { cpuS: number | undefined }[] }) => m.joins.map((j) => j.cpuS);
  // [measurement, raw, authenticated, lanchat] as numbers (for the ratios) and as shown.
  const rows: [
    string,
    number | undefined,
    number | undefined,
    number | undefined,
    (x: number | undefined) => string,
  ][] = [
    ['start → last process ready', raw.lastReadyMs, shs.lastReadyMs, f.lastReadyMs, s],
    ['last ready → all-to-all', raw.allToAllMs, shs.allToAllMs, f.allToAllMs, s],
    [
      'last start → all-to-all',
      raw.allToAllAfterLastStartMs,
      shs.allToAllAfterLastStartMs,
      f.allToAllAfterLastStartMs,
      s,
    ],
    ['CPU per node until all-to-all', raw.cpuPerNode, shs.cpuPerNode, f.cpuToAllToAll, cpu],
    [
      'machine CPU busy, first start → all-to-all',
      raw.machineBusy * 100,
      shs.machineBusy * 100,
      f.machineBusy * 100,
      (x) => (x === undefined ? '—' : `${x.toFixed(0)} %`),
    ],
    [
      'RSS per node (mean)',
      raw.rssPerNode,
      shs.rssPerNode,
      mean(f.rss),
      (x) => (x === undefined ? '—' : `${x.toFixed(0)} MB`),
    ],
    [
      'fresh joiner sees all already there (median)',
      medianOf(joinMs(raw)),
      medianOf(joinMs(shs)),
      medianOf(joinMs(f)),
      s,
    ],
    [
      "the joiner's own CPU until then (median)",
      medianOf(joinCpu(raw)),
      medianOf(joinCpu(shs)),
      medianOf(joinCpu(f)),
      cpu,
    ],
    [
      'fan-out to everyone else, p50',
      percentile(raw.fanout, 50),
      percentile(shs.fanout, 50),
      percentile(f.fanout, 50),
      (x) => (x === undefined ? '—' : ms(x)),
    ],
  ];
  console.log(
    '\nthe same processes with an authenticated mesh (tcp-mesh.mjs --secure: one connection a pair, ' +
      "lanchat's Secret Handshake and a box-stream greeting on each, nothing else):\n",
  );
  console.log('| measurement | raw TCP mesh | authenticated mesh | × raw | lanchat | × authenticated |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, r, a, l, show] of rows)
    console.log(`| ${name} | ${show(r)} | ${show(a)} | ${ratio(a, r)} | ${show(l)} | ${ratio(l, a)} |`);
  console.log(
    `| each arrival sees everyone already there, p50 / p95 / max | ${p50p95max(tail(raw.arrivals))} | ` +
      `${p50p95max(tail(shs.arrivals))} | ${ratio(percentile(tail(shs.arrivals), 95), percentile(tail(raw.arrivals), 95))} | ` +
      `${p50p95max(tail(f.arrivals))} | ${ratio(percentile(tail(f.arrivals), 95), percentile(tail(shs.arrivals), 95))} |`,
  );
}

/** --confined: lanchat without mDNS on the shared segment, between the authenticated mesh and
 * lanchat itself (both from the same run). */
function printConfined(shs: MeshFigures, without: ConfinedFigures, f: FloorFigures): void {
  const cpu = (x: number) => `${x.toFixed(2)} s`;
  const busy = (x: number) => `${(x * 100).toFixed(0)} %`;
  console.log(
    '\nthe same floor with mDNS confined to each host (--interface on a private veth pair, the peers by --peer, --no-peer-exchange): what mDNS on the shared segment costs:\n',
  );
  console.log('| measurement | authenticated mesh | lanchat, mDNS confined | lanchat |');
  console.log('|---|---|---|---|');
  console.log(
    `| last start → all-to-all | ${s(shs.allToAllAfterLastStartMs)} | ${s(without.allToAllAfterLastStartMs)} | ${s(f.allToAllAfterLastStartMs)} |`,
  );
  console.log(
    `| each arrival sees everyone already there, p50 / p95 / max | ${p50p95max(shs.arrivals.slice(1))} | ` +
      `${p50p95max(without.arrivals.slice(1))} | ${p50p95max(f.arrivals.slice(1))} |`,
  );
  console.log(
    `| CPU per node until all-to-all | ${cpu(shs.cpuPerNode)} | ${cpu(without.cpuPerNode)} | ${cpu(f.cpuToAllToAll)} |`,
  );
  console.log(
    `| machine CPU busy, first start → all-to-all | ${busy(shs.machineBusy)} | ${busy(without.machineBusy)} | ${busy(f.machineBusy)} |`,
  );
}

/** --avahi: the arrivals once more with avahi-daemon alone, when avahi is installed. */
async function avahiBaseline(network: Network, hosts: HostInfo[]): Promise<AvahiFloorFigures | undefined> {
  const available = avahiAvailable();
  if (!available.ok) {
    process.stderr.write(`bench:scale: no avahi baseline (${available.reason})\n`);
    return undefined;
  }
  await delay(3_000); // the machine calms down after lanchat's floor
  return avahiFloor(network, hosts, { staggerMs, windowMs, browse: avahiBrowse });
}

/**
 * --avahi: what mDNS alone costs each host with avahi-daemon, next to what it costs lanchat (the
 * confined floor's difference, with --confined), and what an authenticated mesh plus avahi's
 * mDNS would cost a node: the least a node that must both find its peers by RFC 6762 and secure
 * each link could spend here, before any chat, storage or presence.
 */
function printAvahi(
  shs: MeshFigures,
  av: AvahiFloorFigures,
  without: ConfinedFigures | undefined,
  f: FloorFigures,
): void {
  const cpu = (x: number | undefined) => (x === undefined ? '—' : `${x.toFixed(2)} s`);
  const share = without ? f.cpuToAllToAll - without.cpuPerNode : undefined;
  console.log(
    `\nmDNS alone: avahi-daemon on the same hosts, arriving the same way (${av.started} of ${N} started), each ` +
      "publishing one _lanchat._tcp service: probing, announcing, caching the others' announcements" +
      `${av.browse ? ', and avahi-browse -r resolving them all' : ', nothing else'}; measured ${s(av.measuredAfterLastStartMs)} after the last start:\n`,
  );
  console.log('| measurement | avahi-daemon | lanchat | ratio |');
  console.log('|---|---|---|---|');
  console.log(
    `| mDNS CPU per host (lanchat: its floor − the confined floor) | ${cpu(av.cpuPerHost)} | ${cpu(share)} | ${ratio(share, av.cpuPerHost)} |`,
  );
  const floorOf = shs.cpuPerNode + av.cpuPerHost;
  console.log(
    `| CPU per node: authenticated mesh + avahi's mDNS, against lanchat's | ${cpu(floorOf)} | ${cpu(f.cpuToAllToAll)} | ${ratio(f.cpuToAllToAll, floorOf)} |`,
  );
  console.log(`| machine CPU busy while avahi ran | ${(av.machineBusy * 100).toFixed(0)} % | | |`);
  if (av.browse) {
    const b = av.browse;
    console.log(
      `| with avahi-browse -r on every host: hosts that resolved all ${N} | ${b.foundAll} | ${N} | |`,
    );
    console.log(
      `| … the last of them, after the last start (lanchat: all-to-all) | ${b.lastFoundAfterLastStartMs === undefined ? 'not all' : s(b.lastFoundAfterLastStartMs)} | ${s(f.allToAllAfterLastStartMs)} | |`,
    );
    console.log(
      `| … CPU per host: daemon + avahi-browse | ${cpu(av.cpuPerHost + b.cpuPerHost)} | ${cpu(f.cpuToAllToAll)} | ${ratio(f.cpuToAllToAll, av.cpuPerHost + b.cpuPerHost)} |`,
    );
  }
}

function printWarnings(f: FloorFigures): void {
  const phases: [string, Map<string, number>][] = [
    ['the first day, until the floor was told to quit', f.warnings.day],
    ['while it quit', f.warnings.quitting],
    ['the next morning', f.warnings.morning],
  ];
  console.log('\nwarnings and errors the nodes printed, by kind (addresses and numbers taken out):');
  for (const [phase, warnings] of phases) {
    console.log(`\n${phase}:\n`);
    const kinds = [...warnings].sort((a, b) => b[1] - a[1]);
    if (kinds.length === 0) console.log('  none');
    for (const [kind, count] of kinds.slice(0, 12)) console.log(`${String(count).padStart(7)}  ${kind}`);
  }
}

await main();
