// Micro-benchmark (not a test): what one arrival's mDNS packets cost a host that is already on a
// settled floor of N, per packet type (issue 13: an arrival must cost the others O(1) work each).
// Every host on the segment receives every one of them: the newcomer's probes (§8.1), its
// announcements (§8.3), its one-shot query (§5.1, answered by unicast) and its browses, whose
// known answers list the whole floor (§7.1; fitQuery splits them into packets with TC, §7.2).
// Datagrams go straight to the engine's link handler with a minimal clock, each followed by the
// work it deferred; printed next to what dns-packet alone takes to decode the same bytes.
// N ≤ 250: test keys are one repeated byte.
//   npx tsx test/discovery/member-bench.ts [N…]
import dnsPacket from 'dns-packet';
import { encodePacket, fitQuery } from '../../src/discovery/wire-encoder.js';
import { addressOf, BenchClock, probe, startBenchEngine } from './bench-engine.js';
import { peerResponse } from './mdns-kit.js';

const ROUNDS = 400;
const SERVICE = '_lanchat._tcp.local';
const encode = (p: object) => dnsPacket.encode(p as dnsPacket.Packet);

/** A newcomer's browse once it knows the floor: its packets, the last without TC. */
function browse(n: number): Buffer[] {
  const known = Array.from({ length: n }, (_, i) => ({
    name: SERVICE,
    type: 'PTR' as const,
    ttl: 4500,
    flush: false,
    data: `peer-${i}.${SERVICE}`,
  }));
  return fitQuery([{ name: SERVICE, type: 'PTR', unicastResponse: false }], known).map(encodePacket);
}

function cpuMicros(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

async function member(n: number): Promise<void> {
  const clock = new BenchClock();
  // A /8: the floor's addresses (10.0.x.y) are all on-link.
  const engine = await startBenchEngine(clock, 8);
  const { discovery } = engine;
  let at = 3000;
  const feed = (bytes: Buffer, from: string, port = 5353) => {
    at += 7;
    clock.advanceTo(at);
    engine.receive(bytes, from, port);
    clock.runDeferred();
  };
  clock.advanceTo(at);
  for (let i = 0; i < n; i++)
    feed(encode(peerResponse({ nick: `peer-${i}`, key: 2 + i, address: addressOf(i) })), addressOf(i));
  at += 5000;
  clock.advanceTo(at);
  if (engine.ups !== n) throw new Error(`expected ${n} peers up, saw ${engine.ups}`);
  // The newcomer: one more host, not yet known.
  const newcomer = addressOf(n + 1);
  const kinds: [string, Buffer[], number][] = [
    ['probe', [encode(probe(n + 1))], 5353],
    [
      'announcement (repeated)',
      [encode(peerResponse({ nick: 'peer-7', key: 9, address: addressOf(7) }))],
      5353,
    ],
    [
      'one-shot query (answered)',
      [encode({ type: 'query', id: 77, questions: [{ name: SERVICE, type: 'PTR' }] })],
      40_000,
    ],
    [`browse, ${n} known answers`, browse(n), 5353],
  ];
  console.log(`N=${n}: CPU per packet at a settled member (median of 5 rounds of ${ROUNDS}, after one)`);
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [name, packets, port] of kinds) {
    const from = name.startsWith('announcement') ? addressOf(7) : newcomer;
    const engine = () =>
      cpuMicros(() => {
        for (let r = 0; r < ROUNDS; r++) for (const p of packets) feed(p, from, port);
      }) /
      (ROUNDS * packets.length);
    const decodeOnly = () =>
      cpuMicros(() => {
        for (let r = 0; r < ROUNDS; r++) for (const p of packets) dnsPacket.decode(p);
      }) /
      (ROUNDS * packets.length);
    engine();
    decodeOnly();
    const ours = median(Array.from({ length: 5 }, engine));
    const baseline = median(Array.from({ length: 5 }, decodeOnly));
    console.log(
      `  ${name.padEnd(32)} ${packets.length} packet(s)  ${ours.toFixed(1).padStart(6)} µs/packet   dns-packet decode alone ${baseline.toFixed(1).padStart(6)} µs   ${(ours / baseline).toFixed(1)}×`,
    );
  }
  await discovery.stop();
}

for (const n of process.argv
  .slice(2)
  .map(Number)
  .filter((x) => x > 0 && x <= 250)
  .concat(process.argv.length > 2 ? [] : [50, 100]))
  await member(n);
