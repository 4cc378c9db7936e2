// The parent's side of node-child.ts: spawn it, send requests, await replies. Every child is
// tracked so that the bench kills exactly the processes it started, even when it fails.
//
// The child runs on plain node against the compiled dist/ (what bin/lanchat.js runs), not under
// tsx: tsx's loader thread alone adds ~40 MB of RSS and would swamp the memory figure. So
// node-child.ts is transpiled once per run into dist/bench-messaging/, its ../../src/ imports
// pointed at dist/ (npm run bench:messaging builds dist/ first).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, 'node-child.ts');
const COMPILED = resolve(HERE, '../../dist/bench-messaging/node-child.js');
const REQUEST_TIMEOUT_MS = 600_000;

let compiled = false;

function compileChild(): string {
  if (compiled) return COMPILED;
  const out = ts.transpileModule(readFileSync(SOURCE, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: SOURCE,
  });
  mkdirSync(dirname(COMPILED), { recursive: true });
  writeFileSync(COMPILED, out.outputText.replaceAll("'../../src/", "'../"));
  compiled = true;
  return COMPILED;
}

/** Extra node flags for every child, e.g. BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/p". */
const EXTRA_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

const live = new Set<ChildProcess>();

/** SIGKILLs every child still running (by its own pid), for exit paths. */
export function killAllChildren(): void {
  for (const c of live) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  live.clear();
}

export type Reply = { rid: number; ok: boolean; error?: string } & Record<string, unknown>;

export class BenchChild {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (r: Reply) => void>();
  private nextRid = 1;
  private readonly ready: Promise<void>;
  private readonly stderr: string[] = [];

  constructor(
    readonly label: string,
    benchDir: string,
  ) {
    this.child = spawn(process.execPath, ['--expose-gc', ...EXTRA_FLAGS, compileChild()], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_DIR: benchDir },
    });
    live.add(this.child);
    this.child.on('exit', () => {
      live.delete(this.child);
      for (const [rid, resolve] of this.pending) {
        resolve({ rid, ok: false, error: `${label} exited\n${this.stderr.slice(-20).join('\n')}` });
      }
      this.pending.clear();
    });
    this.child.stdin!.on('error', () => {});
    createInterface({ input: this.child.stderr! }).on('line', (l) => this.stderr.push(l));
    this.ready = new Promise((resolve, reject) => {
      this.pending.set(0, (r) => (r.ok ? resolve() : reject(new Error(r.error))));
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const r = JSON.parse(line) as Reply;
      const resolve = this.pending.get(r.rid);
      this.pending.delete(r.rid);
      resolve?.(r);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async call<T = Record<string, unknown>>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    await this.ready;
    const rid = this.nextRid++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new Error(`${this.label}: ${cmd} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(rid, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.child.stdin!.write(`${JSON.stringify({ rid, cmd, ...args })}\n`);
    });
    if (!reply.ok) throw new Error(`${this.label}: ${cmd} failed: ${reply.error}`);
    return reply as T;
  }

  /** Asks the child to stop its nodes and exit; SIGKILL if it does not within 5 s. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.call('quit').catch(() => {});
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

export interface StartedNode {
  nick: string;
  id: string;
  key: string;
  port: number;
}

export async function startNodes(
  child: BenchChild,
  nodes: { nick: string; peers?: { key: string; port: number }[] }[],
): Promise<StartedNode[]> {
  return (await child.call<{ nodes: StartedNode[] }>('start', { nodes })).nodes;
}
