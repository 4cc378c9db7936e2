// Counts the mDNS packets every host of a namespace LAN sends, from a passive listener on one
// host (fixtures/mdns-counter.mjs): benchmarks report packets per host and minute from it.
import { join } from 'node:path';
import { type HostInfo, type Network, REPO_ROOT } from './harness.js';
import type { JsonEvent, ProcessHandle } from './process-handle.js';

const COUNTER = join(REPO_ROOT, 'test/netns/fixtures/mdns-counter.mjs');

export interface PacketCounts {
  ms: number;
  byHost: Map<string, number>;
}

export class PacketCounter {
  private readonly handle: ProcessHandle;
  private readonly owners = new Map<string, string>();

  constructor(network: Network, observer: HostInfo) {
    const eth0 = observer.interfaces[0]!;
    const families = eth0.ipv6 === null ? ['--no-ipv6'] : [];
    this.handle = network.spawn(
      observer,
      ['node', COUNTER, '--iface', eth0.name, '--ipv4', eth0.ipv4!, ...families],
      {
        label: 'mdns-counter',
      },
    );
    for (const h of network.hosts) {
      for (const i of h.interfaces) {
        if (i.ipv4) this.owners.set(i.ipv4, h.name);
        if (i.ipv6) this.owners.set(i.ipv6, h.name);
      }
    }
  }

  ready(): Promise<JsonEvent> {
    return this.handle.waitFor((e) => e.type === 'ready', 5_000);
  }

  /** Packets per host name since the previous mark, and the interval length. */
  async mark(): Promise<PacketCounts> {
    const from = this.handle.events.length;
    this.handle.send('mark');
    const e = await this.handle.waitFor((x) => x.type === 'counts', 5_000, { fromIndex: from });
    const byHost = new Map<string, number>();
    for (const [source, n] of Object.entries(e.bySource as Record<string, number>)) {
      const host = this.owners.get(source) ?? `?${source}`;
      byHost.set(host, (byHost.get(host) ?? 0) + n);
    }
    return { ms: Number(e.ms), byHost };
  }
}

/** Packets per host and minute, over `hosts`. */
export function perHostPerMinute(counts: PacketCounts, hosts: HostInfo[]): number {
  const total = hosts.reduce((sum, h) => sum + (counts.byHost.get(h.name) ?? 0), 0);
  return total / hosts.length / (counts.ms / 60_000);
}
