// Hostile-peer benchmark (issue 15): what one attacker on the LAN costs a victim, next to the same
// figure without the attack, all in one run on 127.0.0.1. The victim runs alone in a child process
// (plain node on dist/, so its RSS is its own); the attackers and an honest peer, alice, run here.
//   - catch-up flood: an authenticated peer joins a room of 1,000 × 4 KB messages, stops reading
//     and asks for its history 40 times;
//   - slowloris: 300 authenticated connections drip their hello one byte every 500 ms;
//   - maximal prefixes: 300 authenticated connections announce a 1 MiB frame and send no more.
// During each, alice sends DMs to the victim and times send → delivered (the ack round trip).
//   npm run bench:hostile
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import nacl from 'tweetnacl';
import ts from 'typescript';
import { ACCEPT_TO_HELLO_MS } from '../src/connection/link-factory.js';
import type { NodeEvent } from '../src/core/events.js';
import { LanchatNode } from '../src/core/node.js';
import { DEFAULT_NETWORK_KEY } from '../src/crypto/network-key.js';
import { StaticPeers } from '../src/discovery/static-peers.js';
import { MAX_FRAME_PAYLOAD_BYTES } from '../src/protocol/frame-codec.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { createTcpTransport } from '../src/transport/tcp-transport.js';
import {
  type Attacker,
  dripHellos,
  handshake,
  handshakes,
  joinAndStopReading,
  keepAlive,
  messageFrame,
  type Target,
} from '../test/limits/tcp-attacker.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 300;
const FLOOD_REQUESTS = 40;
const DMS = 10;
const MB = 1024 * 1024;
const ROOM = '#big';

// ---- the victim process ----

class Victim {
  private readonly child: ChildProcess;
  private readonly replies: ((line: string) => void)[] = [];
  readonly ready: Promise<Target>;

  constructor(dir: string) {
    // The victim runs on the built dist/ (as users run lanchat), so it and the room seeding it
    // shares with the tests are transpiled next to it, their imports of src/ pointed at dist/.
    const compiled = resolve(HERE, '../dist/bench-hostile/victim.js');
    mkdirSync(dirname(compiled), { recursive: true });
    const transpile = (source: string, target: string) => {
      const out = ts.transpileModule(readFileSync(source, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        fileName: source,
      });
      const code = out.outputText
        .replaceAll("'../../src/", "'../")
        .replaceAll("'../../test/limits/seed-room.js'", "'./seed-room.js'");
      writeFileSync(target, code);
    };
    transpile(join(HERE, '../test/limits/seed-room.ts'), resolve(HERE, '../dist/bench-hostile/seed-room.js'));
    transpile(join(HERE, 'bench-hostile/victim.ts'), compiled);
    this.child = spawn(process.execPath, [compiled, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: this.child.stdout! });
    this.ready = new Promise((resolveReady) => {
      lines.once('line', (line) => {
        const { port, publicKey } = JSON.parse(line) as { port: number; publicKey: string };
        resolveReady({ port, publicKey: new Uint8Array(Buffer.from(publicKey, 'base64')) });
        lines.on('line', (l) => this.replies.shift()?.(l));
      });
    });
  }

  /** The longest event-loop stall of the victim seen by rss() calls since takeLag(), ms. */
  private maxLagMs = 0;

  async takeLag(): Promise<number> {
    await this.rss();
    const lag = this.maxLagMs;
    this.maxLagMs = 0;
    return lag;
  }

  /** The victim's resident set size, MB. */
  rss(): Promise<number> {
    return new Promise((resolveRss) => {
      this.replies.push((line) => {
        const { rss, lagMs } = JSON.parse(line) as { rss: number; lagMs: number };
        this.maxLagMs = Math.max(this.maxLagMs, lagMs);
        resolveRss(rss / MB);
      });
      this.child.stdin!.write('rss\n');
    });
  }

  stop(): void {
    this.child.stdin!.end();
    setTimeout(() => this.child.kill('SIGKILL'), 3_000).unref();
  }
}

// ---- the honest peer ----

async function startAlice(dir: string, victim: Target): Promise<{ node: LanchatNode; events: NodeEvent[] }> {
  const store = openSqliteStore({ path: join(dir, 'alice.db') });
  const node = new LanchatNode(
    {
      identity: nacl.sign.keyPair(),
      networkKey: DEFAULT_NETWORK_KEY,
      transport: createTcpTransport(),
      discovery: new StaticPeers([{ publicKey: victim.publicKey, host: '127.0.0.1', port: victim.port }], {
        lookup: async (host) => [host],
      }),
      store,
    },
    { nick: 'alice', port: 0, host: '127.0.0.1' },
  );
  const events: NodeEvent[] = [];
  node.subscribe((e) => events.push(e));
  await node.start();
  await until('alice online with the victim', () => node.peerList().some((p) => p.online), 30_000);
  return { node, events };
}

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** `count` DMs one after the other; each timed from send to its delivered event. */
async function dmRoundTrips(
  alice: { node: LanchatNode; events: NodeEvent[] },
  count: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const id = alice.node.sendDirect('victim', `ping ${i}`);
    await until('delivered', () => alice.events.some((e) => e.type === 'delivered' && e.id === id), 30_000);
    times.push(performance.now() - start);
  }
  return times;
}

async function sampledPeak(victim: Victim, during: Promise<unknown>): Promise<number> {
  let peak = await victim.rss();
  let done = false;
  void during.finally(() => {
    done = true;
  });
  while (!done) {
    peak = Math.max(peak, await victim.rss());
    await new Promise((r) => setTimeout(r, 50));
  }
  return Math.max(peak, await victim.rss());
}

// ---- the attacks ----

async function catchupFlood(victim: Victim, target: Target, alice: Awaited<ReturnType<typeof startAlice>>) {
  const attacker = await handshake(target);
  await joinAndStopReading(attacker, [ROOM]);
  keepAlive(attacker, 4_000);
  for (let i = 0; i < FLOOD_REQUESTS; i++) {
    attacker.session.write(messageFrame({ t: 'catchup_req', room: ROOM, since: 0, limit: 1_000 }));
  }
  let dms: number[] = [];
  const peak = await sampledPeak(
    victim,
    (async () => {
      dms = await dmRoundTrips(alice, DMS);
      // Keep sampling a while after the DMs: the victim may still be answering.
      await new Promise((r) => setTimeout(r, 3_000));
    })(),
  );
  attacker.socket.destroy();
  return { peak, dms };
}

async function slowloris(target: Target, alice: Awaited<ReturnType<typeof startAlice>>) {
  const attackers: Attacker[] = [];
  const stopDrip = dripHellos(attackers);
  while (attackers.length < CONNECTIONS) {
    attackers.push(...(await handshakes(target, Math.min(30, CONNECTIONS - attackers.length))));
  }
  const dms = await dmRoundTrips(alice, DMS);
  await until(
    'every dripping connection closed',
    () => attackers.every((a) => a.closedAt !== undefined),
    120_000,
  );
  stopDrip();
  const lifetimes = attackers.map((a) => (a.closedAt ?? Number.NaN) - a.connectedAt);
  return { longest: Math.max(...lifetimes), dms };
}

async function maxPrefix(victim: Victim, target: Target, alice: Awaited<ReturnType<typeof startAlice>>) {
  const before = await victim.rss();
  const header = Buffer.alloc(5);
  header.writeUInt32BE(MAX_FRAME_PAYLOAD_BYTES, 0);
  header[4] = 1;
  const attackers: Attacker[] = [];
  while (attackers.length < CONNECTIONS) {
    const batch = await handshakes(target, Math.min(30, CONNECTIONS - attackers.length));
    for (const a of batch) a.session.write(header);
    attackers.push(...batch);
  }
  const dms = await dmRoundTrips(alice, DMS);
  const after = await victim.rss();
  const open = attackers.filter((a) => a.closedAt === undefined).length;
  for (const a of attackers) a.socket.destroy();
  return { before, after, open, dms };
}

// ---- the table ----

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const mb = (x: number) => `${x.toFixed(1)} MB`;
const msOf = (x: number) => `${x.toFixed(1)} ms`;
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toPrecision(3)}×` : 'n/a');
const yes = (ok: boolean) => (ok ? 'yes' : '**NO**');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lanchat-bench-hostile-'));
  const victim = new Victim(dir);
  const started = Date.now();
  let alice: Awaited<ReturnType<typeof startAlice>> | undefined;
  try {
    const target = await victim.ready;
    alice = await startAlice(dir, target);
    await dmRoundTrips(alice, 5); // warm-up
    const idleRss = await victim.rss();
    await victim.takeLag();
    const idleDms = await dmRoundTrips(alice, DMS);
    const idleLag = await victim.takeLag();
    const flood = await catchupFlood(victim, target, alice);
    const floodLag = await victim.takeLag();
    const loris = await slowloris(target, alice);
    const prefix = await maxPrefix(victim, target, alice);
    const idle = median(idleDms);
    const rows: string[][] = [
      [
        `victim RSS, peak during a catch-up flood (${FLOOD_REQUESTS} requests × ~4.5 MB answers, the attacker never reads)`,
        mb(flood.peak),
        `idle ${mb(idleRss)}`,
        `+${mb(flood.peak - idleRss)}`,
        '≤ idle + 50 MB',
        yes(flood.peak - idleRss <= 50),
      ],
      [
        'victim event loop: longest stall during the catch-up flood (a DM arriving then waits for it)',
        msOf(floodLag),
        `during the idle DMs ${msOf(idleLag)}`,
        ratio(floodLag, idleLag),
        '< 1 s',
        yes(floodLag < 1_000),
      ],
      [
        `longest life of ${CONNECTIONS} slowloris connections (hello dripped 1 byte / 500 ms)`,
        `${(loris.longest / 1000).toFixed(2)} s`,
        `deadline ${(ACCEPT_TO_HELLO_MS / 1000).toFixed(0)} s`,
        ratio(loris.longest, ACCEPT_TO_HELLO_MS),
        '≤ deadline + 2 s',
        yes(loris.longest <= ACCEPT_TO_HELLO_MS + 2_000),
      ],
      [
        `victim RSS with ${CONNECTIONS} connections announcing 1 MiB frames (${prefix.open} still open when measured)`,
        mb(prefix.after),
        `before them ${mb(prefix.before)}`,
        `+${mb(prefix.after - prefix.before)}`,
        '< +50 MB',
        yes(prefix.after - prefix.before < 50),
      ],
    ];
    for (const [what, dms] of [
      ['catch-up flood', flood.dms],
      ['slowloris', loris.dms],
      ['maximal prefixes', prefix.dms],
    ] as const) {
      rows.push([
        `DM send → delivered during the ${what}, median of ${DMS} (max ${msOf(Math.max(...dms))})`,
        msOf(median(dms)),
        `idle ${msOf(idle)}`,
        ratio(median(dms), idle),
        '< 1 s',
        yes(Math.max(...dms) < 1_000),
      ]);
    }
    const header = ['figure', 'measured', 'baseline (same run)', 'ratio / delta', 'target', 'met'];
    const lines = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`);
    process.stdout.write(
      `${lines.join('\n')}\n\nbench:hostile took ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
  } finally {
    await alice?.node.stop();
    victim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
