// Micro-benchmark (not a test): CPU time for one node to take in the answers of N peers arriving
// back to back (each PTR + SRV + TXT + A, as a joiner hears them), on the fake wire and clock,
// next to a baseline measured in the same run: encoding and decoding the same packets with
// dns-packet alone (what any mDNS stack pays before its own logic).
// N ≤ 250: test keys are one repeated byte.
//   npx tsx test/discovery/burst-bench.ts [N…]
import dnsPacket from 'dns-packet';
import { MdnsKit, peerResponse } from './mdns-kit.js';

/** CPU ms to encode and decode the same N answers, the floor under any stack's processing. */
function codecOnly(n: number): number {
  const packets = Array.from({ length: n }, (_, i) =>
    peerResponse({ nick: `peer-${i}`, key: 2 + i, address: `10.0.${1 + (i >> 8)}.${i & 0xff}` }),
  );
  const start = process.cpuUsage();
  for (const p of packets) dnsPacket.decode(dnsPacket.encode(p));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function burst(n: number, gapMs: number): Promise<{ cpuMs: number; ups: number }> {
  const kit = new MdnsKit();
  const a = await kit.node('10.0.0.1', 'joiner', { key: 1 });
  await kit.clock.advance(10);
  const packets = Array.from({ length: n }, (_, i) =>
    peerResponse({ nick: `peer-${i}`, key: 2 + i, address: `10.0.${1 + (i >> 8)}.${i & 0xff}` }),
  );
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    kit.inject(packets[i]!, { address: `10.0.0.${2 + (i % 250)}`, port: 5353 });
    // gap > 0: each answer arrives in a macrotask of its own (nothing to coalesce).
    if (gapMs > 0) await kit.clock.advance(gapMs);
  }
  await kit.clock.advance(10);
  const used = process.cpuUsage(start);
  const ups = a.events.filter((e) => e.type === 'up').length;
  await a.discovery.stop();
  return { cpuMs: (used.user + used.system) / 1000, ups };
}

const sizes = process.argv.slice(2).map(Number);
for (const gap of [0, 1]) {
  for (const n of sizes.length > 0 ? sizes : [20, 50, 100, 200, 250]) {
    await burst(n, gap); // warm-up
    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await burst(n, gap));
    const cpu = runs.map((r) => r.cpuMs).sort((x, y) => x - y);
    codecOnly(n); // warm-up
    const codec = Array.from({ length: 5 }, () => codecOnly(n)).sort((x, y) => x - y)[2]!;
    console.log(
      `${gap === 0 ? 'back to back' : `${gap} ms apart`}: N=${n}: median ${cpu[2]!.toFixed(1)} ms CPU ` +
        `(min ${cpu[0]!.toFixed(1)}), ups=${runs[0]!.ups}; dns-packet encode+decode alone ` +
        `${codec.toFixed(1)} ms, ratio ${(cpu[2]! / codec).toFixed(1)}×`,
    );
  }
}
