// Messaging benchmark (issue 4): one markdown table from one run, every figure next to a baseline
// measured in the same run. Nodes run in child processes (scripts/bench-messaging/node-child.ts)
// over real TCP on 127.0.0.1 with the secure channel and SQLite WAL, found through static peers:
// no mDNS in the root namespace. Join-to-all-online runs real mDNS inside our own namespaces.
//   npm run bench:messaging -- [--dm 2000] [--flood 20000] [--fanout 200] [--fanout-procs 20]
//                              [--join-repeats 5] [--no-netns] [--adopt 100]
//   npm run bench:messaging -- --adopt-only [--adopt 100]   (link adoption CPU alone)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AdoptFigures, adoptRows, benchAdopt } from './bench-messaging/adopt-bench.js';
import { BenchChild, killAllChildren, startNodes } from './bench-messaging/child.js';
import { benchDrops, type DropFigures } from './bench-messaging/drops-bench.js';
import { benchCatchup, benchSearch, type HistoryFigures } from './bench-messaging/history-bench.js';
import { benchJoin, type JoinResult } from './bench-messaging/join-bench.js';
import { option } from './script-args.js';

const DM_COUNT = Number(option('--dm', '2000'));
const WARMUP = 200;
const ROUNDS = 4; // lanchat and raw alternate, so drift on the shared machine hits both alike
const FLOOD = Number(option('--flood', '20000'));
const FLOOD_CHUNK = 100; // sends per event-loop turn, like a bot's lines arriving on stdin
const FANOUT_MEMBERS = 20;
const FANOUT_COUNT = Number(option('--fanout', '200'));
const FANOUT_PROCS = Number(option('--fanout-procs', '20'));
const JOIN_PEERS = 20;
const JOIN_REPEATS = Number(option('--join-repeats', '5'));
const MEMORY_PEERS = 50;
const MEMORY_PROCS = 2;
const TEXT = 'x'.repeat(100); // 100-byte chat line, same body for lanchat and raw TCP
const ONLINE_TIMEOUT_MS = 60_000;

type Samples = [string, number, number][];

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const split = (total: number, parts: number) =>
  Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));

// ---- 1 + 2: two processes, DM latency and sustained rate ----

interface PairFigures {
  rtt: number[];
  oneWay: number[];
  rawRtt: number[];
  rawOneWay: number[];
  rate: number;
  receiverRate: number;
  rawRate: number;
}

async function benchPair(dir: string): Promise<PairFigures> {
  const a = new BenchChild('alice', dir);
  const b = new BenchChild('bob', dir);
  try {
    const [alice] = await startNodes(a, [{ nick: 'alice' }]);
    const [bob] = await startNodes(b, [{ nick: 'bob', peers: [{ key: alice!.key, port: alice!.port }] }]);
    await Promise.all([a, b].map((c) => c.call('wait-online', { min: 1, timeoutMs: ONLINE_TIMEOUT_MS })));
    const { port: rawPort } = await b.call<{ port: number }>('raw-listen');
    const f: PairFigures = {
      rtt: [],
      oneWay: [],
      rawRtt: [],
      rawOneWay: [],
      rate: 0,
      receiverRate: 0,
      rawRate: 0,
    };
    for (let r = 0; r < ROUNDS; r++) {
      const args = { count: DM_COUNT / ROUNDS, warmup: r === 0 ? WARMUP : 20, text: TEXT };
      const { samples } = await a.call<{ samples: Samples }>('dm-seq', { ...args, to: bob!.id });
      const { times } = await b.call<{ times: (number | null)[][] }>('received', {
        ids: samples.map((s) => s[0]),
      });
      samples.forEach(([, t0, t1], i) => {
        f.rtt.push(t1 - t0);
        f.oneWay.push((times[0]![i] ?? Number.NaN) - t0);
      });
      const raw = await a.call<{ samples: Samples }>('raw-seq', { ...args, ports: [rawPort] });
      const rawTimes = await b.call<{ times: number[][] }>('raw-received', {
        ids: raw.samples.map((s) => s[0]),
      });
      raw.samples.forEach(([, t0, t1], i) => {
        f.rawRtt.push(t1 - t0);
        f.rawOneWay.push((rawTimes.times[i]![0] ?? Number.NaN) - t0);
      });
    }
    process.stderr.write('pair: latency done; flooding\n');
    // Warm-up flood, then two rounds each, alternating; the better round of each is reported.
    await a.call('dm-flood', { to: bob!.id, count: 2_000, text: TEXT, chunk: FLOOD_CHUNK });
    await b.call('received-summary');
    for (let r = 0; r < 2; r++) {
      const fl = await a.call<{ t0: number; t1: number }>('dm-flood', {
        to: bob!.id,
        count: FLOOD,
        text: TEXT,
        chunk: FLOOD_CHUNK,
      });
      const rx = await b.call<{ count: number; last: number }>('received-summary');
      if (rx.count !== FLOOD) throw new Error(`flood: bob got ${rx.count} of ${FLOOD}`);
      f.rate = Math.max(f.rate, (FLOOD / (fl.t1 - fl.t0)) * 1000);
      f.receiverRate = Math.max(f.receiverRate, (FLOOD / (rx.last - fl.t0)) * 1000);
      const raw = await a.call<{ t0: number; t1: number }>('raw-flood', {
        port: rawPort,
        count: FLOOD,
        text: TEXT,
        chunk: FLOOD_CHUNK,
      });
      await b.call('raw-received-summary');
      f.rawRate = Math.max(f.rawRate, (FLOOD / (raw.t1 - raw.t0)) * 1000);
    }
    return f;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

// ---- 3: room fan-out to 20 members ----

async function benchFanout(dir: string): Promise<{ all: number[]; raw: number[] }> {
  const s = new BenchChild('fanout-sender', dir);
  const groups = split(FANOUT_MEMBERS, FANOUT_PROCS).map((_, i) => new BenchChild(`fanout-group${i}`, dir));
  try {
    const [sender] = await startNodes(s, [{ nick: 'sender' }]);
    const peers = [{ key: sender!.key, port: sender!.port }];
    let k = 0;
    const shares = split(FANOUT_MEMBERS, FANOUT_PROCS);
    await Promise.all(
      groups.map((g, i) =>
        startNodes(
          g,
          Array.from({ length: shares[i]! }, () => ({ nick: `member${++k}`, peers })),
        ),
      ),
    );
    await s.call('wait-online', { min: FANOUT_MEMBERS, timeoutMs: ONLINE_TIMEOUT_MS });
    const rawPorts = await Promise.all(groups.map((g) => g.call<{ port: number }>('raw-listen')));
    const ports = rawPorts.flatMap((p, i) => Array<number>(shares[i]!).fill(p.port));
    const all: number[] = [];
    const raw: number[] = [];
    for (let r = 0; r < 2; r++) {
      const args = { count: FANOUT_COUNT / 2, warmup: r === 0 ? 20 : 5, text: TEXT };
      const { samples } = await s.call<{ samples: Samples }>('room-seq', {
        ...args,
        room: '#general',
        members: FANOUT_MEMBERS,
      });
      const ids = samples.map((x) => x[0]);
      const per = await Promise.all(
        groups.map((g) => g.call<{ times: (number | null)[][] }>('received', { ids })),
      );
      samples.forEach(([, t0], i) => {
        const arrivals = per.flatMap((p) => p.times.map((node) => node[i] ?? Number.NaN));
        all.push(Math.max(...arrivals) - t0);
      });
      const rs = await s.call<{ samples: Samples }>('raw-seq', { ...args, ports });
      const rawIds = rs.samples.map((x) => x[0]);
      const rawPer = await Promise.all(
        groups.map((g) => g.call<{ times: number[][] }>('raw-received', { ids: rawIds })),
      );
      rs.samples.forEach(([, t0], i) => {
        const arrivals = rawPer.flatMap((p) => p.times[i]!);
        raw.push(arrivals.length === FANOUT_MEMBERS ? Math.max(...arrivals) - t0 : Number.NaN);
      });
    }
    return { all, raw };
  } finally {
    await Promise.all([s, ...groups].map((c) => c.close()));
  }
}

// ---- 5: memory of one node with 50 peers ----

async function benchMemory(dir: string): Promise<{ before: number; after: number; heap: number }> {
  const m = new BenchChild('measured', dir);
  const groups = split(MEMORY_PEERS, MEMORY_PROCS).map((_, i) => new BenchChild(`memory-group${i}`, dir));
  try {
    const before = await m.call<{ rss: number }>('memory', { gc: true });
    const [measured] = await startNodes(m, [{ nick: 'measured' }]);
    const peers = [{ key: measured!.key, port: measured!.port }];
    let k = 0;
    await Promise.all(
      groups.map((g, i) =>
        startNodes(
          g,
          Array.from({ length: split(MEMORY_PEERS, MEMORY_PROCS)[i]! }, () => ({
            nick: `peer${++k}`,
            peers,
          })),
        ),
      ),
    );
    await m.call('wait-online', { min: MEMORY_PEERS, timeoutMs: ONLINE_TIMEOUT_MS });
    await Promise.all([
      m.call('dm-all', { text: TEXT }),
      ...groups.map((g) => g.call('dm-all', { to: [measured!.id], text: TEXT })),
    ]);
    const after = await m.call<{ rss: number; heapUsed: number }>('memory', { gc: true });
    return { before: before.rss, after: after.rss, heap: after.heapUsed };
  } finally {
    await Promise.all([m, ...groups].map((c) => c.close()));
  }
}

// ---- the table ----

const ms = (x: number) =>
  x === Number.POSITIVE_INFINITY ? '> 30 s (deadline)' : Number.isFinite(x) ? `${x.toFixed(3)} ms` : 'n/a';
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toPrecision(3)}×` : 'n/a');
const yes = (ok: boolean) => (ok ? 'yes' : '**NO**');

function historyRows(h: HistoryFigures): string[][] {
  const rows: string[][] = [
    [
      `room catch-up: 1,000 missed messages from a member after the author left, start → catchup_done (${h.catchupReceived} shown, signatures checked)`,
      ms(h.catchupMs),
      `the same rows copied store → store in one transaction ${ms(h.copyFloorMs)}`,
      ratio(h.catchupMs, h.copyFloorMs),
      '≤ 1 s',
      yes(h.catchupMs <= 1000 && h.catchupReceived === 1000),
    ],
  ];
  if (h.drops) rows.push(dropRow(h.drops, h));
  for (const q of [50, 99]) {
    const [a, b] = [percentile(h.searchMs, q), percentile(h.likeMs, q)];
    rows.push([
      `/search over ${h.corpus.toLocaleString('en')} messages (CJK and Latin words), p${q} of ${h.searchMs.length}`,
      ms(a),
      `LIKE '%word%' scan of the same table p${q} ${ms(b)}`,
      ratio(a, b),
      '≤ 50 ms',
      yes(a <= 50),
    ]);
  }
  return rows;
}

/** Sealed drops (issue 18) next to the room catch-up of the same run. */
function dropRow(d: DropFigures, h: Pick<HistoryFigures, 'catchupMs' | 'catchupReceived'>): string[] {
  return [
    `sealed drops: recipient online → all ${d.drops.toLocaleString('en')} held DMs shown (${d.dropsShown} shown; opened, signatures checked, receipts signed; ${ms(d.dropsAfterMeetMs)} after its link to the holder)`,
    ms(d.dropsMs),
    `room catch-up of ${h.catchupReceived.toLocaleString('en')} messages, same run ${ms(h.catchupMs)}`,
    ratio(d.dropsMs, h.catchupMs),
    '≤ 2 s',
    yes(d.dropsMs <= 2000 && d.dropsShown === d.drops),
  ];
}

function table(
  p: PairFigures,
  fan: { all: number[]; raw: number[] },
  join: JoinResult,
  mem: Awaited<ReturnType<typeof benchMemory>>,
  history: HistoryFigures,
  adopt: AdoptFigures,
) {
  const rows: string[][] = [];
  const latency = (what: string, ours: number[], raw: number[], rawWhat: string) => {
    const [p50, r50, p99, r99] = [
      percentile(ours, 50),
      percentile(raw, 50),
      percentile(ours, 99),
      percentile(raw, 99),
    ];
    rows.push([
      `${what} p50`,
      ms(p50),
      `${rawWhat} p50 ${ms(r50)}`,
      ratio(p50, r50),
      '≤ 1 ms and ≤ 3× raw',
      yes(p50 <= 1 && p50 <= 3 * r50),
    ]);
    rows.push([
      `${what} p99`,
      ms(p99),
      `${rawWhat} p99 ${ms(r99)}`,
      ratio(p99, r99),
      '≤ 5 ms',
      yes(p99 <= 5),
    ]);
  };
  const n = p.rtt.length;
  latency(
    `DM send → delivered (ack round trip), 2 processes, ${n} sequential`,
    p.rtt,
    p.rawRtt,
    'raw TCP JSON ping-pong RTT',
  );
  latency(
    `DM send → receiver's message (one way), ${n} sequential`,
    p.oneWay,
    p.rawOneWay,
    'raw TCP one way',
  );
  rows.push([
    `sustained DMs/s, ${FLOOD} pipelined, SQLite WAL both sides (first send → last delivered; receiver side ${p.receiverRate.toFixed(0)}/s)`,
    `${p.rate.toFixed(0)} msg/s`,
    `raw TCP JSON with per-message ack ${p.rawRate.toFixed(0)} msg/s`,
    ratio(p.rate, p.rawRate),
    '≥ 20,000 msg/s',
    yes(p.rate >= 20_000),
  ]);
  const layout =
    FANOUT_PROCS >= FANOUT_MEMBERS
      ? '21 processes'
      : `sender process + 20 members in ${FANOUT_PROCS} process(es)`;
  for (const q of [50, 99]) {
    const [a, b] = [percentile(fan.all, q), percentile(fan.raw, q)];
    rows.push([
      `#general fan-out to ${FANOUT_MEMBERS} members (${layout}), send → all have it, p${q} of ${fan.all.length}`,
      ms(a),
      `raw TCP JSON to ${FANOUT_MEMBERS} sockets p${q} ${ms(b)}`,
      ratio(a, b),
      '— (none set)',
      '—',
    ]);
  }
  const joinWhat = `join-to-all-online, N = ${JOIN_PEERS} (netns, real mDNS), process start → ${JOIN_PEERS} peer_online`;
  if ('skipped' in join) rows.push([joinWhat, `skipped: ${join.skipped}`, '', '', '≤ 500 ms', '—']);
  else {
    for (const [label, f] of [
      ['p50', (x: number[]) => percentile(x, 50)],
      ['max', (x: number[]) => Math.max(...x)],
    ] as const) {
      const a = f(join.joins);
      const b = join.avahi ? f(join.avahi) : Number.NaN;
      rows.push([
        `${joinWhat}, ${label} of ${join.joins.length} fresh joiners`,
        ms(a),
        join.avahi
          ? `avahi-browse start → 1 service resolved, ${label} ${ms(b)}`
          : `no avahi: ${join.avahiNote}`,
        ratio(a, b),
        '≤ 500 ms',
        yes(a <= 500),
      ]);
    }
  }
  const mb = (x: number) => `${(x / 2 ** 20).toFixed(1)} MB`;
  rows.push([
    `RSS of one node with ${MEMORY_PEERS} peers online, one DM each way (own process; +${mb(mem.after - mem.before)} over baseline, heap used ${mb(mem.heap)})`,
    mb(mem.after),
    `same process before starting the node ${mb(mem.before)}`,
    ratio(mem.after, mem.before),
    '≤ 100 MB resident',
    yes(mem.after <= 100 * 2 ** 20),
  ]);
  rows.push(...historyRows(history));
  rows.push(...adoptRows(adopt));
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(['measurement', 'lanchat', 'baseline', 'ratio', 'target', 'met?']),
    line(['---', '--:', '---', '--:', '---', '---']),
    ...rows.map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lanchat-bench-msg-'));
  process.on('exit', () => {
    killAllChildren();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  const dropCount = Number(argValue('--drops') ?? 1000);
  const adoptPeers = Number(argValue('--adopt') ?? 100);
  if (process.argv.includes('--adopt-only')) {
    // Link adoption CPU alone, in this fresh process (its first round is the cold one).
    const rows = adoptRows(await benchAdopt(adoptPeers));
    process.stdout.write(`${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
    return;
  }
  if (process.argv.includes('--drops-only')) {
    // A quick check of the drops row: catch-up and drops only, e.g. --drops-only --drops 50.
    const catchup = await benchCatchup();
    process.stdout.write(`| ${dropRow(await benchDrops(dropCount), catchup).join(' | ')} |\n`);
    return;
  }
  // First, while this process is fresh: its first round is the cold figure.
  process.stderr.write(`adoption: ${adoptPeers} peers connect to one node…\n`);
  const adopt = await benchAdopt(adoptPeers);
  process.stderr.write(`history: catch-up, search and ${dropCount} held drops…\n`);
  const history: HistoryFigures = {
    ...(await benchCatchup()),
    ...benchSearch(),
    drops: await benchDrops(dropCount),
  };
  if (process.argv.includes('--history-only')) {
    process.stdout.write(
      `${historyRows(history)
        .map((r) => `| ${r.join(' | ')} |`)
        .join('\n')}\n`,
    );
    return;
  }
  process.stderr.write('memory: 1 node + 50 peers…\n');
  const mem = await benchMemory(dir);
  process.stderr.write('pair: DM latency and rate…\n');
  const pair = await benchPair(dir);
  process.stderr.write('fan-out…\n');
  const fan = await benchFanout(dir);
  process.stderr.write('join (netns)…\n');
  const joined: JoinResult = process.argv.includes('--no-netns')
    ? { skipped: '--no-netns' }
    : await benchJoin(JOIN_PEERS, JOIN_REPEATS, 5_000);
  process.stdout.write(`${table(pair, fan, joined, mem, history, adopt)}\n`);
  process.stdout.write(
    `\nnode ${process.version}, ${
      (await import('node:os')).cpus().length
    } cores, one run. Messages: ${TEXT.length}-byte text; raw TCP = newline-delimited JSON {t,id,ts,text,kind} with a JSON ack line, Nagle off, no crypto, no storage. ` +
      'Times are CLOCK_MONOTONIC across processes on one host; nodes found by static peers on 127.0.0.1 (no mDNS in the root namespace); ' +
      'each node has its own SQLite WAL database in a temp profile. Latency: 4 alternating rounds of lanchat and raw after warm-up. ' +
      'Rate: best of 2 alternating rounds after a 2,000-message warm-up.' +
      (!('skipped' in joined) && joined.avahiCold
        ? ` avahi from daemon start (cold): p50 ${ms(percentile(joined.avahiCold, 50))}.`
        : '') +
      '\n',
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench-messaging failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

function argValue(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
}
