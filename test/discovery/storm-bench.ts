// Micro-benchmark (not a test): CPU per received packet while N peers start at once, as one node
// hears it (issue 13): each peer's 3 probes (§8.1), 2 announcements (§8.3), a browse query with
// the PTRs it already knows as known answers (§7.1), and one more answer set. The datagrams are
// handed straight to the engine's link handler, one per macrotask (what the engine does after each
// is run before the next arrives), with a minimal clock: the figure is the engine's own work,
// decoding and sends included, without a test harness around it. Printed next to what dns-packet
// alone costs to decode the same packets (the floor under any stack's processing).
// N ≤ 250: test keys are one repeated byte.
//   npx tsx test/discovery/storm-bench.ts [N…]
import dnsPacket from 'dns-packet';
import { addressOf, BenchClock, probe, startBenchEngine } from './bench-engine.js';
import { peerResponse } from './mdns-kit.js';

const KNOWN_ANSWERS_MAX = 50;

function browse(i: number): dnsPacket.Packet {
  const known = Array.from({ length: Math.min(i, KNOWN_ANSWERS_MAX) }, (_, k) => ({
    name: '_lanchat._tcp.local',
    type: 'PTR' as const,
    ttl: 4500,
    data: `peer-${i - 1 - k}._lanchat._tcp.local`,
  }));
  return { type: 'query', questions: [{ name: '_lanchat._tcp.local', type: 'PTR' }], answers: known };
}

/** The storm in the order a start produces it: probes, then announcements, queries, answers. */
function storm(n: number): { bytes: Buffer; from: string }[] {
  const out: { bytes: Buffer; from: string }[] = [];
  const add = (p: object, i: number) =>
    out.push({ bytes: dnsPacket.encode(p as dnsPacket.Packet), from: `10.0.0.${2 + (i % 250)}` });
  const announce = (i: number) => peerResponse({ nick: `peer-${i}`, key: 2 + i, address: addressOf(i) });
  for (let round = 0; round < 3; round++) for (let i = 0; i < n; i++) add(probe(i), i);
  for (let round = 0; round < 2; round++) for (let i = 0; i < n; i++) add(announce(i), i);
  for (let i = 0; i < n; i++) add(browse(i), i);
  for (let i = 0; i < n; i++) add(announce(i), i);
  return out;
}

function decodeOnly(packets: { bytes: Buffer }[]): number {
  const start = process.cpuUsage();
  for (const p of packets) dnsPacket.decode(p.bytes);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / packets.length;
}

async function run(n: number, packets: { bytes: Buffer; from: string }[]) {
  const clock = new BenchClock();
  const engine = await startBenchEngine(clock);
  const { discovery } = engine;
  // Probed and announced: from here on it answers queries as a settled node does.
  clock.advanceTo(3000);
  const start = process.cpuUsage();
  let at = 3000;
  for (const p of packets) {
    clock.advanceTo(++at);
    engine.receive(p.bytes, p.from);
    clock.runDeferred();
  }
  clock.advanceTo(at + 5000);
  const used = process.cpuUsage(start);
  await discovery.stop();
  if (engine.ups !== n) throw new Error(`expected ${n} peers up, saw ${engine.ups}`);
  return (used.user + used.system) / packets.length;
}

const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length > 0 ? sizes : [20, 100, 250]) {
  const packets = storm(n);
  await run(n, packets); // warm-up
  const runs = Array.from({ length: 5 }, () => 0);
  for (let i = 0; i < runs.length; i++) runs[i] = await run(n, packets);
  runs.sort((x, y) => x - y);
  decodeOnly(packets); // warm-up
  const decode = Array.from({ length: 5 }, () => decodeOnly(packets)).sort((x, y) => x - y)[2] ?? 0;
  const median = runs[2] ?? 0;
  console.log(
    `N=${n}: ${packets.length} packets, median ${median.toFixed(1)} µs CPU per packet ` +
      `(min ${(runs[0] ?? 0).toFixed(1)}); dns-packet decode alone ${decode.toFixed(1)} µs, ` +
      `ratio ${(median / decode).toFixed(1)}×`,
  );
}
