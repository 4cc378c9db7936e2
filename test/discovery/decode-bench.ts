// Micro-benchmark (not a test): CPU to decode one browse of a floor of N, the packets a querier
// sends with N known answers (fitQuery: ≈ 50 per packet), with lanchat's decoder and with the
// path it replaced, dns-packet plus the field-by-field check (dns-packet-guard.ts), in one run.
// Every host on the segment decodes every such browse, twice on a dual-stack link.
//   npx tsx test/discovery/decode-bench.ts [N…]
import dnsPacket from 'dns-packet';
import { decodePacket } from '../../src/discovery/wire-decoder.js';
import { encodePacket, fitQuery } from '../../src/discovery/wire-encoder.js';
import { guardPacket } from './dns-packet-guard.js';
import { knownPtrs, SERVICE } from './wire-arbitraries.js';

function browse(n: number): Buffer[] {
  return fitQuery([{ name: SERVICE, type: 'PTR', unicastResponse: false }], knownPtrs(n)).map(encodePacket);
}

const ROUNDS = 2000;

/** Median CPU µs per browse (all its packets) over 5 timed rounds, after a warm-up. */
function cpuPerBrowse(packets: Buffer[], decode: (bytes: Buffer) => unknown): number {
  const once = () => {
    const start = process.cpuUsage();
    for (let i = 0; i < ROUNDS; i++) for (const p of packets) decode(p);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / ROUNDS;
  };
  once();
  return Array.from({ length: 5 }, once).sort((a, b) => a - b)[2] ?? 0;
}

const sizes = process.argv.slice(2).map(Number);
for (const n of sizes.length > 0 ? sizes : [50, 100, 250]) {
  const packets = browse(n);
  const ours = cpuPerBrowse(packets, (p) => decodePacket(p));
  const reference = cpuPerBrowse(packets, (p) => guardPacket(dnsPacket.decode(p), p.length));
  console.log(
    `N=${n}: ${packets.length} packets; lanchat's decoder ${ours.toFixed(1)} µs per browse, ` +
      `dns-packet + check ${reference.toFixed(1)} µs, ratio ${(reference / ours).toFixed(1)}×`,
  );
}
