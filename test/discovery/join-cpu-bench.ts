// Micro-benchmark (not a test): the discovery CPU a LAN of N settled nodes and one newcomer spend
// while the newcomer joins, all on the fake wire and clock in this one process.
//   npx tsx test/discovery/join-cpu-bench.ts [N]
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { MdnsKit } from './mdns-kit.js';

const n = Number(process.argv[2] ?? 20);
const kit = new MdnsKit();
kit.random = Math.random;
const nodes = [];
for (let i = 0; i < n; i++) nodes.push(await kit.node(`10.0.0.${i + 1}`, `node${i + 1}`, { key: i + 1 }));
for (let t = 0; t < 10_000; t += 50) await kit.clock.advance(50);
const settledUps = nodes.map((x) => x.events.filter((e) => e.type === 'up').length);
const session = process.env.JOIN_PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
}
const start = process.cpuUsage();
const joiner = await kit.node(`10.0.0.${n + 1}`, 'joiner', { key: n + 1 });
let at = 0;
for (; at < 5_000 && joiner.events.filter((e) => e.type === 'up').length < n; at += 5)
  await kit.clock.advance(5);
const joinCpu = process.cpuUsage(start);
for (let t = 0; t < 3_000; t += 50) await kit.clock.advance(50);
const allCpu = process.cpuUsage(start);
if (session)
  writeFileSync(process.env.JOIN_PROFILE!, JSON.stringify((await session.post('Profiler.stop')).profile));
console.log(
  `N=${n}: settled ups ${Math.min(...settledUps)}..${Math.max(...settledUps)}; joiner saw all ${n} at ${at} ms (fake clock); ` +
    `CPU until then ${((joinCpu.user + joinCpu.system) / 1000).toFixed(1)} ms, incl. the next 3 s ${((allCpu.user + allCpu.system) / 1000).toFixed(1)} ms; ` +
    `packets on the wire: ${kit.wire.sent.length}`,
);
