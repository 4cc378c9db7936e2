// Terminal UI benchmark (issue 6): one markdown table from one run, every figure next to a
// baseline measured in the same run.
//  1. Launch → first full paint: the real CLI (`node bin/lanchat.js`) in a pseudo-terminal
//     (util-linux `script`, 80×24) inside a network namespace of our own (only `lo`, so mDNS
//     never reaches the machine's network); its output feeds @xterm/headless and the clock stops
//     when the buffer list, status bar and input line are on the grid. Baseline: the same pty in
//     the same namespace starting `node -e "console.log('ready')"`. Runs alternate.
//  2. In a child process (node --expose-gc): the real startChatApp on a fake TTY whose output is
//     a byte counter. 100,000 `message` events go through the node's subscription (as they would
//     arrive); then frames scrolled into the middle of history (PgUp + render) and live frames
//     (one new message + render) at 80×24 and 200×50. Baseline: a raw blessed box on the same
//     fake TTY drawing exactly the same text, frame by frame, alternating with lanchat.
//  3. RSS after gc, before appending and with the 100,000 messages held.
//   npm run bench:tui -- [--launches 7] [--messages 100000] [--frames 200]
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Unicode11Addon as Unicode11AddonType } from '@xterm/addon-unicode11';
import type { Terminal as TerminalType } from '@xterm/headless';
import { option } from './script-args.js';

const LAUNCHES = Number(option('--launches', '7'));
const MESSAGES = Number(option('--messages', '100000'));
const FRAMES = Number(option('--frames', '200'));
const ROUNDS = 3; // frame rounds; each scrolls through a different, never drawn, stretch of history
const LAUNCH_TARGET_MS = 400;
const FRAME_TARGET_MS = 16;
const LAUNCH_TIMEOUT_MS = 15_000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

// ───────────────────────────── child: the UI in-process ─────────────────────────────

interface FrameFigures {
  lanchat: number[];
  raw: number[];
  /** performance.now() at the start of each frame, to line slow frames up with GC pauses. */
  lanchatAt: number[];
  rawAt: number[];
  bytes: number;
}

interface GcPause {
  start: number;
  ms: number;
  /** perf_hooks constants: 1 minor (scavenge), 2 major (mark-compact), 4 incremental, 8 weak callbacks. */
  kind: number;
}

interface ChildResult {
  held: number;
  appendMs: number;
  ringMs: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  frames?: Record<string, FrameFigures>;
  gc?: GcPause[];
}

const TEXTS = [
  'ok',
  'lunch?',
  'the build on main is green again, thanks for the quick fix',
  'has anyone seen the printer on the second floor today',
  '你好，世界 — 今天的会议改到下午三点',
  'deploying now 🚀 will report back 🎉',
  'Long message: the discovery cache keeps records for the grace period after a goodbye, and a re-announcement within it brings the peer back up again without a down/up flap, which is what weechat users expect from a quiet client.',
  'ssh config snippet: Host build\\n  HostName 10.0.0.7\\n  User ci',
  'ありがとうございます！後で確認します',
  'see https://example.com/some/really/long/path/that/does/not/wrap/nicely/because/it/has/no/spaces/at/all?q=1',
  'brb',
  'Привет, как дела? всё хорошо 👍',
];

async function childMain(capacity: number | undefined, withFrames: boolean): Promise<void> {
  const { default: blessed } = await import('blessed');
  const { startChatApp } = await import('../src/ui/blessed/chat-app.js');
  const { LineRing } = await import('../src/ui/model/line-ring.js');
  const { graphemeWidth } = await import('../src/ui/model/display-width.js');
  type NodeEvent = import('../src/core/events.js').NodeEvent;
  type NodeEventListener = import('../src/core/events.js').NodeEventListener;
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const settle = () => {
    gc();
    gc();
  };

  const listeners = new Set<NodeEventListener>();
  let seq = 0;
  const node = {
    id: 'ME',
    nick: 'bench',
    subscribe(l: NodeEventListener) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    snapshot: () => ({ id: 'ME', nick: 'bench', peers: [], rooms: ['#general'] }),
    sendDirect: () => `d${++seq}`,
    sendRoom: () => `r${++seq}`,
    join() {},
    part() {},
    setNick() {},
    peerList: () => [],
  };
  const emit = (e: NodeEvent) => {
    for (const l of listeners) l(e);
  };
  const nicks = Array.from({ length: 24 }, (_, i) => `peer${i.toString(36)}`);
  const start = Date.now() - 3_600_000;
  const messageEvent = (i: number): NodeEvent => {
    const nick = nicks[i % nicks.length]!;
    return {
      type: 'message',
      id: `m${i}`,
      from: { id: `id-${nick}`, nick, display: nick, verified: false },
      text: `${TEXTS[i % TEXTS.length]} #${i}`,
      ts: start + i,
      kind: 'text',
      room: '#general',
    } as NodeEvent;
  };

  const fakeTty = (cols: number, rows: number) => {
    const counter = { bytes: 0 };
    const output = Object.assign(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          counter.bytes += chunk.length;
          done();
        },
      }),
      { columns: cols, rows, isTTY: true },
    );
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode() {} });
    return { output, input, counter };
  };

  const tty = fakeTty(80, 24);
  const app = startChatApp({
    node,
    input: tty.input,
    output: tty.output,
    terminal: 'xterm-256color',
    notify: false,
    onQuit() {},
  });
  const general = app.model.buffers.get('#general')!;
  // Benchmark-only: the shipped UI keeps DEFAULT_LINE_CAPACITY (20,000) lines per buffer; to have
  // every one of the 100,000 messages in history the ring gets room for them (runtime field).
  if (capacity !== undefined) (general.lines as unknown as { capacity: number }).capacity = capacity;
  app.screen.renderNow();

  // Baseline for appending: the same lines pushed straight into a bare ring of the same capacity.
  let ringMs: number;
  {
    const ring = new LineRing(capacity ?? general.lines.capacity);
    const t = performance.now();
    for (let i = 0; i < MESSAGES; i++) {
      const nick = nicks[i % nicks.length]!;
      ring.push({
        ts: start + i,
        kind: 'message',
        nick,
        text: `${TEXTS[i % TEXTS.length]} #${i}`,
        msgId: `m${i}`,
      });
    }
    ringMs = performance.now() - t;
  }
  settle();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;

  const t0 = performance.now();
  for (let i = 0; i < MESSAGES; i++) emit(messageEvent(i));
  const appendMs = performance.now() - t0;
  app.screen.renderNow();
  settle();
  const rssAfter = process.memoryUsage().rss;
  const heapAfter = process.memoryUsage().heapUsed;
  const result: ChildResult = {
    held: general.lines.size,
    appendMs,
    ringMs,
    rssBefore,
    rssAfter,
    heapBefore,
    heapAfter,
  };

  if (withFrames) {
    // The raw baseline: one blessed box covering the screen, same program setup as ChatScreen.
    const rawTty = fakeTty(80, 24);
    // blessed reports terminfo it cannot compile on console.error, as ChatScreen knows: muted.
    const savedError = console.error;
    console.error = () => {};
    const program = blessed.program({
      input: rawTty.input,
      output: rawTty.output,
      extended: false,
      terminal: 'xterm-256color',
    });
    console.error = savedError;
    (program as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
    const rawScreen = blessed.screen({
      program,
      fullUnicode: true,
      forceUnicode: true,
      smartCSR: true,
      warnings: false,
      autoPadding: false,
    });
    const rawBox = blessed.box({
      parent: rawScreen,
      top: 0,
      left: 0,
      width: '100%',
      height: '100%',
      tags: false,
    });
    rawScreen.render();

    /** What lanchat's frame shows, as plain text (the filler cell after a wide character dropped). */
    const screenText = (): string => {
      const rows: string[] = [];
      for (const line of app.screen.screen.lines) {
        let row = '';
        for (let x = 0; x < line.length; x++) {
          const ch = line[x]![1];
          row += ch;
          if (ch.charCodeAt(0) >= 0x1100 && graphemeWidth(ch) === 2) x++;
        }
        rows.push(row);
      }
      return rows.join('\n');
    };
    const rawFrames = (texts: string[], into: FrameFigures): void => {
      for (const text of texts) {
        const t = performance.now();
        rawBox.setContent(text);
        rawScreen.render();
        program.flush(); // blessed buffers a frame's bytes until setImmediate; hand them over now
        into.raw.push(performance.now() - t);
        into.rawAt.push(t);
      }
    };
    const pauses: GcPause[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        pauses.push({
          start: e.startTime,
          ms: e.duration,
          kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0,
        });
      }
    });
    observer.observe({ entryTypes: ['gc'] });

    const lanchatProgram = app.screen.screen.program as unknown as { flush(): void };
    const frames: Record<string, FrameFigures> = {};
    let next = MESSAGES;
    for (const [cols, rows] of [
      [80, 24],
      [200, 50],
    ] as const) {
      for (const t of [tty, rawTty]) {
        t.output.columns = cols;
        t.output.rows = rows;
        t.output.emit('resize');
      }
      app.screen.renderNow();
      rawScreen.render();
      const scrolled: FrameFigures = { lanchat: [], raw: [], lanchatAt: [], rawAt: [], bytes: 0 };
      const live: FrameFigures = { lanchat: [], raw: [], lanchatAt: [], rawAt: [], bytes: 0 };
      for (let r = 0; r < ROUNDS; r++) {
        // Scrolled: start in the middle of what is held, each round in a stretch not drawn before.
        const size = general.lines.size;
        const startSeq =
          general.lines.first +
          Math.floor(size * (0.6 - 0.08 * r)) +
          (cols === 200 ? Math.floor(size * 0.03) : 0);
        general.scroll = { seq: startSeq, row: 0 };
        app.model.touch();
        app.screen.renderNow();
        const bytes0 = tty.counter.bytes;
        for (let f = 0; f < FRAMES; f++) {
          const t = performance.now();
          app.controller.key('pageup');
          app.screen.renderNow();
          lanchatProgram.flush();
          scrolled.lanchat.push(performance.now() - t);
          scrolled.lanchatAt.push(t);
        }
        scrolled.bytes += tty.counter.bytes - bytes0;
        // The same pages again, untimed, to take down their text for the raw box (capturing inside
        // the timed loop would add the harness's garbage to lanchat's scavenges).
        general.scroll = { seq: startSeq, row: 0 };
        app.model.touch();
        app.screen.renderNow();
        const texts: string[] = [];
        for (let f = 0; f < FRAMES; f++) {
          app.controller.key('pageup');
          app.screen.renderNow();
          texts.push(screenText());
        }
        if (!general.scroll) throw new Error('scrolled frames reached the live end');
        if (!texts.at(-1)!.includes(' #'))
          throw new Error(`scrolled frame shows no message:\n${texts.at(-1)}`);
        rawFrames(texts, scrolled);

        // Live: a new message arrives and is drawn at the bottom.
        general.scroll = undefined;
        general.more = 0;
        app.screen.renderNow();
        const liveTexts: string[] = [];
        const liveBytes0 = tty.counter.bytes;
        for (let f = 0; f < FRAMES; f++) {
          const t = performance.now();
          emit(messageEvent(next++));
          app.screen.renderNow();
          lanchatProgram.flush();
          live.lanchat.push(performance.now() - t);
          live.lanchatAt.push(t);
          liveTexts.push(screenText());
        }
        live.bytes += tty.counter.bytes - liveBytes0;
        if (!liveTexts.at(-1)!.includes(`#${next - 1}`))
          throw new Error('live frame misses the newest message');
        rawFrames(liveTexts, live);
      }
      frames[`scrolled ${cols}×${rows}`] = scrolled;
      frames[`live ${cols}×${rows}`] = live;
    }
    result.frames = frames;
    await new Promise((r) => setTimeout(r, 50)); // GC entries are delivered asynchronously
    observer.disconnect();
    result.gc = pauses;
    rawScreen.destroy();
  }
  app.destroy();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function runChild(capacity: number | undefined, withFrames: boolean): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const args = [
      '--expose-gc',
      '--import',
      'tsx',
      SELF,
      '--child',
      '--messages',
      String(MESSAGES),
      '--frames',
      String(FRAMES),
    ];
    if (capacity !== undefined) args.push('--capacity', String(capacity));
    if (withFrames) args.push('--with-frames');
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`in-process child failed (${code}):\n${err}${out}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

// ───────────────────────────── launch → first full paint ─────────────────────────────

const NS = `lctbench-${process.pid}`;
let nsCreated = false;
let profileDir: string | undefined;
const running = new Set<ChildProcess>();

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function setupNamespace(): void {
  if (process.getuid?.() !== 0) throw new Error('launch benchmark needs root for its own network namespace');
  ip('netns', 'add', NS);
  nsCreated = true;
  ip('-n', NS, 'link', 'set', 'lo', 'up');
  const links = ip('-n', NS, '-o', 'link', 'show');
  if (links.trim().split('\n').length !== 1 || !/: lo:/.test(links))
    throw new Error(`unexpected links in ${NS}:\n${links}`);
}

function cleanup(): void {
  for (const c of running) if (c.exitCode === null && c.pid) c.kill('SIGKILL');
  if (nsCreated) {
    // Anything still inside our namespace was started by this run.
    try {
      for (const pid of ip('netns', 'pids', NS).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {}
      }
    } catch {}
    try {
      ip('netns', 'del', NS);
      nsCreated = false;
    } catch (err) {
      process.stderr.write(`bench-tui: could not delete ${NS}: ${String(err)}\n`);
    }
  }
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  profileDir = undefined;
}

// Loaded in the parent only, so the in-process child's RSS carries no terminal emulator.
let Terminal: typeof TerminalType;
let Unicode11Addon: typeof Unicode11AddonType;

/** Starts `command` in an 80×24 pty in our namespace; resolves with ms from spawn to `ready`. */
function launch(command: string, ready: (lines: string[]) => boolean, quit?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const term = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    term.loadAddon(new Unicode11Addon());
    term.unicode.activeVersion = '11';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TERM: 'xterm-256color',
      LANG: process.env.LANG ?? 'C.UTF-8',
    };
    delete env.TMUX;
    const t0 = performance.now();
    const child = spawn(
      'ip',
      ['netns', 'exec', NS, 'script', '-qfc', `stty rows 24 cols 80; exec ${command}`, '/dev/null'],
      {
        cwd: ROOT,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    running.add(child);
    let paintedAt: number | undefined;
    let stderr = '';
    term.onData((d) => child.stdin.write(d)); // terminal replies, if the program asks
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `no full paint within ${LAUNCH_TIMEOUT_MS} ms from: ${command}\n${lines().join('\n')}\n${stderr}`,
        ),
      );
    }, LAUNCH_TIMEOUT_MS);
    const lines = () => {
      const b = term.buffer.active;
      return Array.from({ length: term.rows }, (_, y) => b.getLine(y)?.translateToString(true) ?? '');
    };
    child.stdout.on('data', (chunk: Buffer) => {
      const at = performance.now();
      term.write(chunk, () => {
        if (paintedAt !== undefined || !ready(lines())) return;
        paintedAt = at - t0;
        clearTimeout(timer);
        if (quit) child.stdin.write(quit);
      });
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      running.delete(child);
      clearTimeout(timer);
      term.dispose();
      if (paintedAt !== undefined) resolve(paintedAt);
      else reject(new Error(`exited (${code}) before a full paint: ${command}\n${stderr}`));
    });
    // A program that painted but will not quit is killed after 5 s (lanchat's goodbyes are bounded).
    child.on('spawn', () => {
      const kill = setInterval(() => {
        if (paintedAt !== undefined && performance.now() - t0 - paintedAt > 5_000) child.kill('SIGKILL');
        if (child.exitCode !== null) clearInterval(kill);
      }, 250);
      kill.unref();
    });
  });
}

const lanchatPainted = (l: string[]) =>
  l[0]!.startsWith('1.status') &&
  l[1]!.startsWith('2.#general') &&
  l[22]!.includes('[bench]') &&
  l[22]!.includes('[2:#general]') &&
  l[23]!.startsWith('[#general]');
const linePrinted = (l: string[]) => l.some((row) => row.includes('ready'));

async function launchBench(): Promise<{ lanchat: number[]; baseline: number[] }> {
  // CommonJS package: the class sits on `default` under plain node, as a named export under tsx.
  const xterm = (await import('@xterm/headless')) as unknown as {
    Terminal?: typeof TerminalType;
    default?: { Terminal: typeof TerminalType };
  };
  Terminal = (xterm.default?.Terminal ?? xterm.Terminal) as typeof TerminalType;
  Unicode11Addon = (await import('@xterm/addon-unicode11')).Unicode11Addon;
  setupNamespace();
  profileDir = mkdtempSync(join(tmpdir(), 'lctbench-'));
  const lanchatCmd = `node bin/lanchat.js --profile ${profileDir} --nick bench`;
  const baselineCmd = `node -e "console.log('ready')"`;
  // Warm-up: creates the identity and the store, fills the page cache for both.
  await launch(lanchatCmd, lanchatPainted, '\x03');
  await launch(baselineCmd, linePrinted);
  const lanchat: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < LAUNCHES; i++) {
    lanchat.push(await launch(lanchatCmd, lanchatPainted, '\x03'));
    baseline.push(await launch(baselineCmd, linePrinted));
  }
  return { lanchat, baseline };
}

// ───────────────────────────── report ─────────────────────────────

async function main(): Promise<void> {
  process.on('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  let launches: { lanchat: number[]; baseline: number[] };
  try {
    process.stderr.write('launch → first paint (netns, pty)…\n');
    launches = await launchBench();
  } finally {
    cleanup();
  }
  process.stderr.write(`append ${MESSAGES} messages, frames…\n`);
  const all = await runChild(MESSAGES + 10 * FRAMES * ROUNDS, true);
  process.stderr.write('shipped capacity…\n');
  const shipped = await runChild(undefined, false);

  const f = (n: number, d = 1) => n.toFixed(d);
  const mb = (b: number) => `${f(b / 2 ** 20)} MB`;
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const lMed = percentile(launches.lanchat, 50);
  const bMed = percentile(launches.baseline, 50);
  const rows = [
    '| measurement | lanchat | baseline | ratio | target | met? |',
    '|---|---|---|---|---|---|',
    `| launch → first full paint, 80×24 pty in own netns (median of ${LAUNCHES}; min–max ${f(Math.min(...launches.lanchat), 0)}–${f(Math.max(...launches.lanchat), 0)}) | ${f(lMed, 0)} ms | \`node -e\` printing one line, same pty: ${f(bMed, 0)} ms | ${f(lMed / bMed, 2)} | ≤ ${LAUNCH_TARGET_MS} ms | ${met(lMed <= LAUNCH_TARGET_MS)} |`,
    `| append ${MESSAGES.toLocaleString('en')} \`message\` events to #general (all held) | ${f(all.appendMs, 0)} ms (${f((all.appendMs * 1000) / MESSAGES, 2)} µs/msg) | same lines into a bare LineRing: ${f(all.ringMs, 0)} ms (${f((all.ringMs * 1000) / MESSAGES, 2)} µs/msg) | ${f(all.appendMs / all.ringMs, 1)} | — | — |`,
  ];
  for (const [name, fr] of Object.entries(all.frames ?? {})) {
    const what = name.startsWith('scrolled')
      ? `frame scrolled into mid-history (PgUp + render), ${name.slice(9)}`
      : `live frame (1 new message + render), ${name.slice(5)}`;
    const l50 = percentile(fr.lanchat, 50);
    const l99 = percentile(fr.lanchat, 99);
    const r50 = percentile(fr.raw, 50);
    const r99 = percentile(fr.raw, 99);
    rows.push(
      `| ${what}, p50 / p99 of ${fr.lanchat.length} (${f(fr.bytes / fr.lanchat.length / 1024, 1)} KiB/frame) | ${f(l50, 2)} / ${f(l99, 2)} ms | raw blessed box, same text: ${f(r50, 2)} / ${f(r99, 2)} ms | ${f(l50 / r50, 2)} / ${f(l99 / r99, 2)} | p99 ≤ ${FRAME_TARGET_MS} ms | ${met(l99 <= FRAME_TARGET_MS)} |`,
    );
  }
  rows.push(
    `| RSS after gc, ${all.held.toLocaleString('en')} lines held (${MESSAGES.toLocaleString('en')} messages + day line) | ${mb(all.rssAfter)} (+${mb(all.rssAfter - all.rssBefore)}; heap ${mb(all.heapAfter)}) | same process before appending: ${mb(all.rssBefore)} (heap ${mb(all.heapBefore)}) | ${f(all.rssAfter / all.rssBefore, 2)} | — | — |`,
    `| RSS after gc, shipped capacity: ${shipped.held.toLocaleString('en')} of ${MESSAGES.toLocaleString('en')} held | ${mb(shipped.rssAfter)} (+${mb(shipped.rssAfter - shipped.rssBefore)}; heap ${mb(shipped.heapAfter)}) | same process before appending: ${mb(shipped.rssBefore)} (heap ${mb(shipped.heapBefore)}) | ${f(shipped.rssAfter / shipped.rssBefore, 2)} | — | — |`,
  );
  const perMsg = (all.heapAfter - all.heapBefore) / all.held;
  // Why frames run over the target: does a GC pause fall inside them?
  const slowNotes: string[] = [];
  const gcKinds: Record<number, string> = {
    1: 'scavenge',
    2: 'mark-compact',
    4: 'incremental marking',
    8: 'weak callbacks',
  };
  const slow = (durations: number[], starts: number[]) => {
    let n = 0;
    let withGc = 0;
    let gcMs = 0;
    let frameMs = 0;
    const kinds = new Map<string, number>();
    durations.forEach((d, i) => {
      if (d <= FRAME_TARGET_MS) return;
      n++;
      frameMs += d;
      const at = starts[i]!;
      const inside = (all.gc ?? []).filter((g) => g.start < at + d && g.start + g.ms > at);
      if (inside.length > 0) withGc++;
      for (const g of inside) {
        gcMs += Math.min(g.start + g.ms, at + d) - Math.max(g.start, at);
        const k = gcKinds[g.kind] ?? `kind ${g.kind}`;
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
      }
    });
    if (n === 0) return 'none';
    const k = [...kinds].map(([name, c]) => `${c}× ${name}`).join(', ');
    return `${n} (${withGc} overlap a GC pause${k ? `: ${k}` : ''}; GC ${f(gcMs, 0)} of their ${f(frameMs, 0)} ms)`;
  };
  for (const [name, fr] of Object.entries(all.frames ?? {})) {
    slowNotes.push(`${name}: lanchat ${slow(fr.lanchat, fr.lanchatAt)}; raw box ${slow(fr.raw, fr.rawAt)}`);
  }
  console.log(
    [
      `Terminal UI benchmark — lanchat ${MESSAGES.toLocaleString('en')} messages, ${FRAMES}×${ROUNDS} frames per row`,
      '',
      ...rows,
      '',
      `node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(
          ' ',
        )} (at the end). Frames are timed from the key or event to the bytes handed to the TTY (a byte counter; no terminal emulator in the loop); lanchat and the raw box alternate per round. Heap grows ${f(perMsg, 0)} B per held line. The launch baseline includes \`ip netns exec\`, \`script\`, \`sh\` and node start-up, as lanchat's figure does. The raw box runs on blessed as lanchat patches it (the width patch is global), so both columns share its width function. The in-process child runs under tsx, whose loader thread is part of the before-appending RSS.`,
      '',
      `Frames over ${FRAME_TARGET_MS} ms — ${slowNotes.join(' · ')}.`,
    ].join('\n'),
  );
}

if (process.argv.includes('--child')) {
  const cap = option('--capacity', '');
  await childMain(cap ? Number(cap) : undefined, process.argv.includes('--with-frames'));
} else {
  try {
    await main();
  } catch (err) {
    cleanup();
    throw err;
  }
}
