// Start-up benchmark: CPU (user + system, all threads) that `lanchat --help`, `lanchat id` and
// `lanchat --headless` (until its `ready` line) cost, next to `node -e ''` measured in the same run
// as the baseline. Prints one markdown table of medians with their ratio to the baseline. Targets
// (issue 16): --help and id <= 0.08 s, --headless to ready <= 0.12 s.
//   npm run bench:startup -- [--runs 7] [--bin PATH]
// --bin measures another build's launcher (e.g. an installed package's bin/lanchat.js), to
// compare builds in one run's conditions; by default a snapshot of this tree's build.
// The headless node runs in a one-host network namespace (root only), so its mDNS never reaches
// the machine's real interfaces. Every row runs once first, unmeasured: that run creates the
// identity and database in a throwaway profile and fills Node's compile cache, as a user's first
// start does; the measured runs are the starts that follow.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { snapshotBuild } from '../test/netns/build-snapshot.js';
import { createNetwork, netnsAvailable } from '../test/netns/harness.js';
import { cpuOfExitedCommand, cpuOfLiveProcess } from './bench-startup/cpu.js';
import { option } from './script-args.js';

const RUNS = Math.max(5, Number(option('--runs', '7')));
const READY_TIMEOUT_MS = 30_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function measure(label: string, once: () => number | Promise<number>): Promise<number[]> {
  await once(); // unmeasured: identity, database, compile cache
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await once());
  process.stderr.write(`${label}: ${samples.map((s) => s.toFixed(3)).join(' ')}\n`);
  return samples;
}

async function main(): Promise<void> {
  const availability = netnsAvailable();
  if (!availability.ok) throw new Error(`bench:startup needs network namespaces: ${availability.reason}`);
  const other = option('--bin', '');
  const lanchat = other ? resolve(other) : join(snapshotBuild('bench-startup'), 'bin/lanchat.js');
  const build = dirname(dirname(lanchat));
  const profile = mkdtempSync(join(tmpdir(), 'lanchat-bench-startup-'));
  const env = { ...process.env, LANCHAT_PROFILE: profile, LANCHAT_NETWORK: undefined };
  const load = loadavg().map((l) => l.toFixed(2));
  const rows: [string, number[]][] = [];
  const network = await createNetwork({ hosts: 1 });
  try {
    const oneShot = (args: string[]) => () => cpuOfExitedCommand('node', args, env);
    rows.push(["`node -e ''` (baseline)", await measure('baseline', oneShot(['-e', '']))]);
    rows.push(['`lanchat --help`', await measure('help', oneShot([lanchat, '--help']))]);
    rows.push(['`lanchat id`', await measure('id', oneShot([lanchat, 'id']))]);
    const host = network.hosts[0]!;
    const headless = async () => {
      const argv = ['node', lanchat, '--headless', '--json', '--nick', 'bench', '--profile', profile];
      const child = network.spawn(host, argv, { env: { LANCHAT_NETWORK: undefined }, cwd: build });
      try {
        await child.waitFor((e) => e.type === 'ready', READY_TIMEOUT_MS, { what: 'ready' });
        return cpuOfLiveProcess(child.pid);
      } finally {
        child.kill('SIGTERM');
        await child.waitForExit(10_000);
      }
    };
    rows.push(['`lanchat --headless` to `ready`', await measure('headless', headless)]);
  } finally {
    await network.destroy();
    rmSync(profile, { recursive: true, force: true });
  }
  const base = median(rows[0]![1]);
  const version = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();
  console.log(
    `Node ${version}, ${cpus().length} CPUs, load average ${load.join(' ')} at the start; ` +
      `median of ${RUNS} runs after one unmeasured run each; CPU = user + system of the process.\n`,
  );
  console.log("| command | CPU (median) | min – max | × `node -e ''` |");
  console.log('|---|---:|---:|---:|');
  for (const [label, samples] of rows) {
    const m = median(samples);
    const range = `${Math.min(...samples).toFixed(3)} – ${Math.max(...samples).toFixed(3)} s`;
    console.log(`| ${label} | ${m.toFixed(3)} s | ${range} | ${(m / base).toFixed(2)} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
