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
import type { Clock, TimerHandle } from '../../src/discovery/clock.js';
import { MdnsDiscovery } from '../../src/discovery/mdns-discovery.js';
import type { LinkHandlers, MdnsLink } from '../../src/discovery/mdns-link.js';
import { encodePacket, fitQuery } from '../../src/discovery/wire-encoder.js';
import { fakeInterface } from './fake-wire.js';
import { b64, keyOf, NET_TAG, peerResponse } from './mdns-kit.js';

const ROUNDS = 400;
const SERVICE = '_lanchat._tcp.local';
const addressOf = (i: number) => `10.0.${1 + (i >> 8)}.${i & 0xff}`;
const encode = (p: object) => dnsPacket.encode(p as dnsPacket.Packet);

function probe(i: number): Buffer {
  const instance = `peer-${i}.${SERVICE}`;
  const host = `peer-${2 + i}.local`;
  return encode({
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
  });
}

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

/** Timers run in time order as the clock is moved; deferred work runs after each packet. */
class BenchClock implements Clock {
  private time = 0;
  private timers: { at: number; fn: () => void; dead?: boolean }[] = [];
  private readonly deferred: (() => void)[] = [];
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number): TimerHandle => {
    const timer = { at: this.time + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer;
  };
  clearTimeout = (handle: TimerHandle) => {
    (handle as { dead?: boolean }).dead = true;
  };
  defer = (fn: () => void) => {
    this.deferred.push(fn);
  };
  runDeferred(): void {
    for (let fn = this.deferred.shift(); fn; fn = this.deferred.shift()) fn();
  }
  advanceTo(end: number): void {
    for (;;) {
      this.timers = this.timers.filter((t) => !t.dead);
      let next: { at: number; fn: () => void; dead?: boolean } | undefined;
      for (const t of this.timers) if (t.at <= end && (!next || t.at < next.at)) next = t;
      if (!next) break;
      next.dead = true;
      this.time = next.at;
      next.fn();
      this.runDeferred();
    }
    this.time = end;
  }
}

function cpuMicros(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

async function member(n: number): Promise<void> {
  const clock = new BenchClock();
  let handlers: LinkHandlers | undefined;
  const discovery = new MdnsDiscovery({
    linkFactory: async (iface: { name: string }, family: 4 | 6, h: LinkHandlers): Promise<MdnsLink> => {
      handlers = h;
      // What the real link does with a packet before the socket: encode it.
      return {
        interfaceName: iface.name,
        family,
        send: async (p) => void encodePacket(p),
        sendOneShot: async () => {},
        close: async () => {},
      };
    },
    listInterfaces: () => [fakeInterface('eth0', '10.0.0.1', 8)],
    interfaceFacts: () => ({ virtual: false, up: true }),
    families: [4],
    clock,
    random: () => 0.5,
  });
  let ups = 0;
  discovery.subscribe((e) => {
    if (e.type === 'up') ups++;
  });
  await discovery.start({ nick: 'listener', port: 7475, publicKey: keyOf(1), networkTag: NET_TAG });
  let at = 3000;
  const feed = (bytes: Buffer, from: string, port = 5353) => {
    at += 7;
    clock.advanceTo(at);
    handlers?.onMessage(bytes, { address: from, port });
    clock.runDeferred();
  };
  clock.advanceTo(at);
  for (let i = 0; i < n; i++)
    feed(encode(peerResponse({ nick: `peer-${i}`, key: 2 + i, address: addressOf(i) })), addressOf(i));
  at += 5000;
  clock.advanceTo(at);
  if (ups !== n) throw new Error(`expected ${n} peers up, saw ${ups}`);
  // The newcomer: one more host, not yet known.
  const newcomer = addressOf(n + 1);
  const kinds: [string, Buffer[], number][] = [
    ['probe', [probe(n + 1)], 5353],
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
