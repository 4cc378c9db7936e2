// `npm run bench`: every benchmark (startup, crypto, messaging, files, tui, hostile, discovery,
// scale), one after another, into one results file per run
// (bench-results/<time>-node<version>.md): the machine, the Node version, the commit, the load
// average before each benchmark, and every table as the benchmark printed it. The README's tables
// are copied from such a file and name it. The file is rewritten after each benchmark, so a run
// that fails or is stopped half-way keeps what it measured.
//   npm run bench -- [--only startup,crypto] [--out DIR] [--scale-args '--nodes 100' …]
// `--NAME-args` passes arguments to one benchmark (e.g. the floor of 100, or a staggered start);
// the results file names them next to the benchmark.
// Root is needed for the benchmarks that build network namespaces (discovery, messaging, tui,
// scale, startup). bench:scale takes the whole machine for a few minutes.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/netns/harness.js';

const BENCHMARKS = [
  'startup',
  'crypto',
  'messaging',
  'files',
  'tui',
  'hostile',
  'discovery',
  'scale',
] as const;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const only = option('--only')?.split(',');
const unknown = only?.filter((name) => !(BENCHMARKS as readonly string[]).includes(name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')} (known: ${BENCHMARKS.join(', ')})`);
  process.exit(2);
}
const selected = BENCHMARKS.filter((name) => only === undefined || only.includes(name));
const outDir = option('--out') ?? join(REPO_ROOT, 'bench-results');

const git = (args: string[]) => {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Runs one benchmark script on the build made at the start; its stdout is the table. */
/** Extra arguments for one benchmark, from `--NAME-args '…'`. */
function argsOf(name: string): string[] {
  return (option(`--${name}-args`) ?? '').split(/\s+/).filter((a) => a !== '');
}

function runBenchmark(name: string): Promise<{ code: number | null; stdout: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx');
    const child = spawn(tsx, [join(REPO_ROOT, `scripts/bench-${name}.ts`), ...argsOf(name)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code, stdout, seconds: (performance.now() - started) / 1000 }));
  });
}

async function main(): Promise<void> {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const at = new Date();
  const stamp = at.toISOString().replace(/:/g, '-').replace(/\..*/, '');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${stamp}-node${process.versions.node}.md`);
  const dirty = git(['status', '--porcelain', '--', 'src', 'scripts', 'bin', 'package.json']) !== '';
  const cpu = cpus();
  const lines = [
    `# lanchat benchmarks, ${at.toISOString()}`,
    '',
    `- machine: ${hostname()}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}`,
    `- Node ${process.version}; lanchat commit ${git(['rev-parse', '--short', 'HEAD'])}` +
      `${dirty ? ' with uncommitted changes' : ''}`,
    `- load average at the start: ${load()}`,
    `- benchmarks: ${selected.join(', ')}`,
  ];
  const save = () => writeFileSync(file, `${lines.join('\n')}\n`);
  save();
  let failed = 0;
  for (const name of selected) {
    const before = load();
    process.stderr.write(`\n=== bench:${name} ${argsOf(name).join(' ')} (load average ${before})\n`);
    const result = await runBenchmark(name);
    if (result.code !== 0) failed++;
    lines.push(
      '',
      `## bench:${name}${argsOf(name).length > 0 ? ` -- ${argsOf(name).join(' ')}` : ''}`,
      '',
      `load average before: ${before}; took ${result.seconds.toFixed(0)} s` +
        `${result.code === 0 ? '' : `; FAILED (exit ${result.code})`}`,
      '',
      result.stdout.trim(),
    );
    save();
  }
  process.stderr.write(`\nresults: ${file}\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
