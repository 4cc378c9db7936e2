// Micro-benchmark (not a test): CPU per received packet while N peers start at once, as one node
// hears it (issue 13): each peer's 3 probes (§8.1), 2 announcements (§8.3), a browse query with
// the PTRs it already knows as known answers (§7.1), and one more answer set, every packet in a
// macrotask of its own, on the fake wire and clock. Printed next to what dns-packet alone costs to
// decode the same packets (the floor under any stack's processing; the fake wire decodes too).
// N ≤ 250: test keys are one repeated byte.
//   npx tsx test/discovery/storm-bench.ts [N…]
import dnsPacket from 'dns-packet';
import { b64, MdnsKit, NET_TAG, peerResponse } from './mdns-kit.js';

const KNOWN_ANSWERS_MAX = 50;

/** Loosely typed: dns-packet's types have no ANY question, its codec does. */
function probe(i: number): object {
  const instance = `peer-${i}._lanchat._tcp.local`;
  const host = `peer-${2 + i}.local`;
  return {
    type: 'query',
    questions: [
      { name: instance, type: 'ANY' },
      { name: host, type: 'ANY' },
    ],
    authorities: [
      { name: instance, type: 'SRV', ttl: 120, data: { target: host, port: 7475, priority: 0, weight: 0 } },
      { name: instance, type: 'TXT', ttl: 4500, data: ['v=1', `pk=${b64(2 + i)}`, `net=${NET_TAG}`] },
      { name: host, type: 'A', ttl: 120, data: addressOf(i) },
    ],
  };
}

function browse(i: number): dnsPacket.Packet {
  const known = Array.from({ length: Math.min(i, KNOWN_ANSWERS_MAX) }, (_, k) => ({
    name: '_lanchat._tcp.local',
    type: 'PTR' as const,
    ttl: 4500,
    data: `peer-${i - 1 - k}._lanchat._tcp.local`,
  }));
  return { type: 'query', questions: [{ name: '_lanchat._tcp.local', type: 'PTR' }], answers: known };
}

function addressOf(i: number): string {
  return `10.0.${1 + (i >> 8)}.${i & 0xff}`;
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
  const kit = new MdnsKit();
  const a = await kit.node('10.0.0.1', 'listener', { key: 1 });
  // Probed and announced: from here on it answers queries as a settled node does.
  await kit.clock.advance(3000);
  const start = process.cpuUsage();
  for (const p of packets) {
    kit.inject(p.bytes, { address: p.from, port: 5353 });
    await kit.clock.advance(1);
  }
  const used = process.cpuUsage(start);
  const ups = a.events.filter((e) => e.type === 'up').length;
  await a.discovery.stop();
  if (ups !== n) throw new Error(`expected ${n} peers up, saw ${ups}`);
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
