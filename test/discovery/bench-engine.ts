// The engine as the discovery micro-benchmarks drive it (storm-bench.ts, member-bench.ts): one
// IPv4 link whose datagrams the benchmark hands in itself, a clock with no real timers, so that a
// run measures the engine's own work and nothing else.
import type { Clock, TimerHandle } from '../../src/discovery/clock.js';
import { MdnsDiscovery } from '../../src/discovery/mdns-discovery.js';
import type { LinkHandlers, MdnsLink } from '../../src/discovery/mdns-link.js';
import { encodePacket } from '../../src/discovery/wire-encoder.js';
import { fakeInterface } from './fake-wire.js';
import { b64, keyOf, NET_TAG } from './mdns-kit.js';

/** Timers run in time order as the clock is moved; deferred work runs after each packet. */
export class BenchClock implements Clock {
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

/** A started engine on `clock` with eth0 at 10.0.0.1/`prefixLength`; `up` counts the peers it
 * reported. Its sends are encoded (what the real link does before the socket) and dropped. */
export async function startBenchEngine(clock: BenchClock, prefixLength = 24) {
  let handlers: LinkHandlers | undefined;
  const link = async (iface: { name: string }, family: 4 | 6, h: LinkHandlers): Promise<MdnsLink> => {
    handlers = h;
    return {
      interfaceName: iface.name,
      family,
      send: async (packet) => void encodePacket(packet),
      sendOneShot: async () => {},
      close: async () => {},
    };
  };
  const discovery = new MdnsDiscovery({
    linkFactory: link,
    listInterfaces: () => [fakeInterface('eth0', '10.0.0.1', prefixLength)],
    interfaceFacts: () => ({ virtual: false, up: true }),
    families: [4],
    clock,
    random: () => 0.5,
  });
  const engine = {
    discovery,
    ups: 0,
    /** One datagram into the engine, as the link's socket hands it over. */
    receive(bytes: Buffer, from: string, port = 5353): void {
      handlers?.onMessage(bytes, { address: from, port });
    },
  };
  discovery.subscribe((e) => {
    if (e.type === 'up') engine.ups++;
  });
  await discovery.start({ nick: 'listener', port: 7475, publicKey: keyOf(1), networkTag: NET_TAG });
  return engine;
}

/** The address of the `i`th peer of a benchmark's floor (10.0.0.0/8, up to 250 peers). */
export function addressOf(i: number): string {
  return `10.0.${1 + (i >> 8)}.${i & 0xff}`;
}

/** The `i`th peer's probe (§8.1). Loosely typed: dns-packet's types have no ANY question, its codec does. */
export function probe(i: number): object {
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
