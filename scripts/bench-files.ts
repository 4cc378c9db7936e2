// File transfer benchmark (issue 7): one run, one table. A 1 GiB file goes from one lanchat process
// to another over TCP on 127.0.0.1 (static peers, no mDNS), next to raw secretbox on the same
// chunk sizes on both engines (libsodium, which transfers use, and the tweetnacl baseline) and a
// plain TCP copy between two processes; the RSS each node adds while it transfers; and DM round
// trips (send → ack) on the chat link while the file flows. Each node reports which secretbox
// engine it was on. Targets (issue 7): ≥ 85 % of raw nacl.secretbox and ≥ 100 MB/s; ≤ 60 MB
// extra memory; DM p99 ≤ 50 ms. The ratio to the engine actually used is printed too.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { type ChildEvent, FileNodeProcess, freePort, nodeSpec } from '../test/core/files/sigkill-child.js';
import { type CryptoRates, type EngineRates, measureCrypto } from './bench-files/raw-crypto.js';

const SIZE = Number(process.env.BENCH_FILE_BYTES ?? 1024 ** 3);
const DM_EVERY_MS = 20;
const dir = mkdtempSync(join(tmpdir(), 'lanchat-bench-files-'));
const mb = (bytes: number) => bytes / 1e6;

function makeFile(path: string): void {
  // Random bytes (incompressible), written in 8 MiB pieces: the generator never holds the file.
  const fd = openSync(path, 'w');
  const piece = randomBytes(8 * 1024 * 1024);
  for (let at = 0; at < SIZE; at += piece.length) {
    piece.writeUInt32LE(at >>> 0, 0); // pieces differ, so a misplaced chunk cannot hash the same
    writeSync(fd, piece, 0, Math.min(piece.length, SIZE - at));
  }
  closeSync(fd);
}

async function tcpCopy(source: string): Promise<number> {
  const sink = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./bench-files/tcp-sink.ts', import.meta.url)),
      join(dir, 'tcp-copy.bin'),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: ChildEvent[] = [];
  sink.stdout.setEncoding('utf8');
  let buffer = '';
  sink.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) if (line) lines.push(JSON.parse(line) as ChildEvent);
  });
  const wait = async (type: string) => {
    for (;;) {
      const found = lines.find((l) => l.type === type);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const port = Number((await wait('port')).port);
  const socket = connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const start = performance.timeOrigin + performance.now();
  await pipeline(createReadStream(source, { highWaterMark: 64 * 1024 }), socket);
  const done = await wait('done');
  rmSync(join(dir, 'tcp-copy.bin'), { force: true });
  return mb(SIZE) / ((done.at - start) / 1000);
}

function p99(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? Number.NaN;
}

async function lanchatTransfer(source: string) {
  const alice = nodeSpec('alice', await freePort());
  const bob = nodeSpec('bob', await freePort());
  const inbox = join(dir, 'inbox');
  const a = new FileNodeProcess(alice, bob, join(dir, 'alice.db'), inbox);
  const b = new FileNodeProcess(bob, alice, join(dir, 'bob.db'), inbox);
  try {
    await a.waitFor('alice online', (e) => e.type === 'peer_online');
    await b.waitFor('bob online', (e) => e.type === 'peer_online');
    const baseline = (p: FileNodeProcess) =>
      Number([...p.events].reverse().find((e) => e.type === 'mem')?.rss ?? 0);
    await new Promise((r) => setTimeout(r, 300)); // a few RSS samples of the idle nodes
    const base = { alice: baseline(a), bob: baseline(b) };
    a.command(`/send bob ${source}`); // hashes the whole file first (not part of the timing)
    const offered = await a.waitFor('offered', (e) => e.type === 'file_offered', 120_000);
    const id = String(offered.id);
    await b.waitFor('offer', (e) => e.type === 'file_offer' && e.id === id);
    await new Promise((r) => setTimeout(r, 500)); // let the hash's page cache churn settle
    b.command(`/accept ${id} ${inbox}`);
    const accepted = await b.waitFor('accepted', (e) => e.type === 'file_accepted' && e.id === id);
    let dms = 0;
    const pinger = setInterval(() => a.command(`/msg bob ping ${++dms}`), DM_EVERY_MS);
    const done = await b.waitFor('done', (e) => e.type === 'file_done' && e.id === id, 600_000);
    clearInterval(pinger);
    await a.waitFor('sender done', (e) => e.type === 'file_done' && e.id === id, 30_000);
    const seconds = (done.at - accepted.at) / 1000;
    const during = (p: FileNodeProcess) =>
      p.events
        .filter((e) => e.type === 'mem' && e.at >= accepted.at && e.at <= done.at)
        .map((e) => Number(e.rss));
    const peak = { alice: Math.max(...during(a)), bob: Math.max(...during(b)) };
    // CPU seconds each process spent on the transfer: what it would take with a core to itself.
    const cpuSeconds = (p: FileNodeProcess) => {
      const samples = p.events.filter(
        (e) => e.type === 'mem' && e.at >= accepted.at - 100 && e.at <= done.at + 100,
      );
      return (Number(samples.at(-1)?.cpuMs ?? 0) - Number(samples[0]?.cpuMs ?? 0)) / 1000;
    };
    const cpu = { alice: cpuSeconds(a), bob: cpuSeconds(b) };
    const sent = new Map(a.events.filter((e) => e.type === 'sent').map((e) => [String(e.id), e.at]));
    const rtts = a.events
      .filter((e) => e.type === 'delivered' && sent.has(String(e.id)))
      .map((e) => e.at - (sent.get(String(e.id)) ?? e.at));
    // The engines a node's box-stream was on while the bytes flowed (one, unless it switched).
    const engines = (p: FileNodeProcess) => [
      ...new Set(
        p.events
          .filter((e) => e.type === 'mem' && e.at >= accepted.at && e.at <= done.at)
          .map((e) => String(e.engine)),
      ),
    ];
    const engine = { alice: engines(a), bob: engines(b) };
    const path = String(done.path);
    const ok = statSync(path).size === SIZE;
    return { rate: mb(SIZE) / seconds, seconds, base, peak, cpu, rtts, ok, sha: String(done.sha256), engine };
  } finally {
    await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);
  }
}

try {
  const source = join(dir, 'source.bin');
  makeFile(source);
  // The crypto ceilings are measured before and after the transfer and the better run is kept:
  // on a shared machine a burst of other work during one measurement would flatter the ratio.
  const before = await measureCrypto();
  const tcp = await tcpCopy(source);
  const load = loadavg()[0] ?? 0;
  const t = await lanchatTransfer(source);
  const after = await measureCrypto();
  const best = (name: keyof CryptoRates): EngineRates => {
    const [x, y] = [before[name], after[name]];
    return {
      secretbox4k: Math.max(x.secretbox4k, y.secretbox4k),
      secretbox64k: Math.max(x.secretbox64k, y.secretbox64k),
      secretboxRaw4k: Math.max(x.secretboxRaw4k, y.secretboxRaw4k),
      boxStreamEncode64k: Math.max(x.boxStreamEncode64k, y.boxStreamEncode64k),
      boxStreamDecode64k: Math.max(x.boxStreamDecode64k, y.boxStreamDecode64k),
    };
  };
  const crypto = { libsodium: best('libsodium'), tweetnacl: best('tweetnacl') };
  // Compare with the engine the transfer ran on; a node that was on tweetnacl (libsodium failed
  // to load) makes the comparison tweetnacl's, and says so.
  const used = [...new Set([...t.engine.alice, ...t.engine.bob])];
  const usedName: keyof CryptoRates =
    used.length === 1 && used[0] === 'libsodium' ? 'libsodium' : 'tweetnacl';
  const ref = crypto[usedName];
  const nacl = crypto.tweetnacl;
  const extra = { alice: mb(t.peak.alice - t.base.alice), bob: mb(t.peak.bob - t.base.bob) };
  const pct = (x: number, of: number) => `${((x / of) * 100).toFixed(0)} %`;
  const perCpu = mb(SIZE) / Math.max(t.cpu.alice, t.cpu.bob);
  const engineRows = (name: keyof CryptoRates, label: string, allocating: string) => {
    const r = crypto[name];
    const versus =
      name === usedName ? '' : `; libsodium = ${(crypto.libsodium.secretbox4k / r.secretbox4k).toFixed(1)}×`;
    return [
      [
        `${label}: ${allocating}, 4 KiB (box-stream body size), 1 core`,
        `${r.secretbox4k.toFixed(1)} MB/s`,
        `transfer = ${pct(t.rate, r.secretbox4k)}${versus}`,
        '',
      ],
      [
        `${label}: ${allocating}, 64 KiB (file chunk size), 1 core`,
        `${r.secretbox64k.toFixed(1)} MB/s`,
        `transfer = ${pct(t.rate, r.secretbox64k)}`,
        '',
      ],
      [
        `${label}: crypto_secretbox, 4 KiB, into caller-owned buffers (the call box-stream makes), 1 core`,
        `${r.secretboxRaw4k.toFixed(1)} MB/s`,
        `transfer = ${pct(t.rate, r.secretboxRaw4k)}`,
        '',
      ],
      [
        `${label}: box-stream encode, 64 KiB writes (sender side)`,
        `${r.boxStreamEncode64k.toFixed(1)} MB/s`,
        `${pct(r.boxStreamEncode64k, r.secretbox4k)} of its secretbox 4 KiB`,
        '',
      ],
      [
        `${label}: box-stream decode, 64 KiB writes (receiver side)`,
        `${r.boxStreamDecode64k.toFixed(1)} MB/s`,
        `${pct(r.boxStreamDecode64k, r.secretbox4k)} of its secretbox 4 KiB`,
        '',
      ],
    ] as [string, string, string, string][];
  };
  const rows: [string, string, string, string][] = [
    [
      `lanchat file transfer, ${(SIZE / 1024 ** 3).toFixed(2)} GiB, two processes on 127.0.0.1`,
      `${t.rate.toFixed(1)} MB/s`,
      `≥ 100 MB/s and ≥ 85 % of raw nacl.secretbox 4 KiB (the issue's baseline: ${pct(t.rate, nacl.secretbox4k)})`,
      t.rate >= 100 && t.rate >= 0.85 * nacl.secretbox4k ? 'met' : 'MISSED',
    ],
    [
      `the same against the ${usedName} secretbox the transfer ran on (4 KiB)`,
      `${pct(t.rate, ref.secretbox4k)}`,
      'for information: the cipher is no longer what limits the transfer (see below)',
      '',
    ],
    [
      'secretbox engine during the transfer: sender / receiver',
      `${t.engine.alice.join('→') || '?'} / ${t.engine.bob.join('→') || '?'}`,
      `comparisons below use ${usedName}`,
      '',
    ],
    [
      'same transfer per CPU second of the busier side (sender / receiver CPU s)',
      `${perCpu.toFixed(1)} MB/s`,
      `${t.cpu.alice.toFixed(1)} / ${t.cpu.bob.toFixed(1)} s; = ${pct(perCpu, ref.secretbox4k)} of ${usedName} secretbox 4 KiB`,
      '',
    ],
    ...engineRows('libsodium', 'libsodium (WASM)', 'crypto_secretbox_easy'),
    ...engineRows('tweetnacl', 'tweetnacl baseline', 'nacl.secretbox'),
    [
      'plain TCP copy, two processes on 127.0.0.1',
      `${tcp.toFixed(1)} MB/s`,
      `transfer = ${pct(t.rate, tcp)}`,
      '',
    ],
    [
      'extra RSS while transferring: sender / receiver',
      `${extra.alice.toFixed(1)} / ${extra.bob.toFixed(1)} MB`,
      '≤ 60 MB',
      Math.max(extra.alice, extra.bob) <= 60 ? 'met' : 'MISSED',
    ],
    [
      `DM round trip (send → ack) p99 during the transfer, ${t.rtts.length} DMs`,
      `${p99(t.rtts).toFixed(1)} ms`,
      '≤ 50 ms',
      p99(t.rtts) <= 50 ? 'met' : 'MISSED',
    ],
  ];
  console.log(
    `\nbench:files — ${(SIZE / 1024 ** 3).toFixed(2)} GiB in ${t.seconds.toFixed(1)} s, received size ${t.ok ? 'exact' : 'WRONG'}, sha256 verified by the receiver (${t.sha.slice(0, 16)}…); load average before the transfer ${load.toFixed(1)} on ${availableParallelism()} CPUs\n`,
  );
  console.log('| measure | value | comparison / target | |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
