// Micro-benchmark (not a test): CPU spent by a LAN of N settled nodes and a newcomer, all in this
// process on the in-memory transport and discovery, from the newcomer's start until it has all N
// online, and the next second (what the settled nodes do about the newcomer).
//   npx tsx test/core/join-cpu-bench.ts [N]
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { NodeFixture, onlineIds, waitFor } from './node-fixture.js';

/** JOIN_PROFILE=file.cpuprofile: a V8 CPU profile of the measured window only. */
async function startProfile(): Promise<(path: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async (path) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
  };
}

const n = Number(process.argv[2] ?? 20);
const fixture = new NodeFixture();
try {
  const nodes: Awaited<ReturnType<NodeFixture['start']>>[] = [];
  for (let i = 0; i < n; i++) nodes.push(await fixture.start(`node${i + 1}`));
  await waitFor('settled', () => nodes.every((x) => onlineIds(x).length === n - 1), 60_000);
  await new Promise((r) => setTimeout(r, 500));
  const profiler = process.env.JOIN_PROFILE ? await startProfile() : undefined;
  const start = process.cpuUsage();
  const t0 = performance.now();
  const joiner = await fixture.start('joiner');
  await waitFor('joined', () => onlineIds(joiner).length === n, 60_000);
  const joined = process.cpuUsage(start);
  const wall = performance.now() - t0;
  await waitFor('all see joiner', () => nodes.every((x) => onlineIds(x).length === n), 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  const after = process.cpuUsage(start);
  if (profiler) await profiler(process.env.JOIN_PROFILE!);
  const ms = (u: NodeJS.CpuUsage) => ((u.user + u.system) / 1000).toFixed(1);
  console.log(
    `N=${n}: joined in ${wall.toFixed(0)} ms wall, ${ms(joined)} ms CPU; with the next second ${ms(after)} ms CPU`,
  );
} finally {
  await fixture.destroy();
}
process.exit(0);
