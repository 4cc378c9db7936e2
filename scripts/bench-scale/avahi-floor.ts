// For bench:scale --avahi: the same hosts arriving the same way, each running avahi-daemon 0.8 (an
// mDNS implementation no one here wrote) that publishes one `_lanchat._tcp` service with a TXT of
// lanchat's size, and nothing else: what RFC 6762 probing, announcing and caching of everyone's
// announcements cost each host on this machine. The mDNS share of lanchat's CPU is measured
// against it. With `browse`, each host also runs `avahi-browse -r` (browse and resolve every
// instance, as a node must to dial it): what finding everyone costs with avahi's usual client.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { AvahiBrowseEvent } from '../../test/netns/avahi.js';
import type { HostInfo, Network } from '../../test/netns/harness.js';
import type { ProcessHandle } from '../../test/netns/process-handle.js';
import { busyBetween, cpuSeconds, machineCpu } from './proc-stats.js';

export interface AvahiFloorFigures {
  /** Hosts whose daemon came up (avahi's "Server startup complete") within its start timeout. */
  started: number;
  /** Per host, the daemon's CPU from its start until `measuredAfterLastStartMs` after the last
   * start (its bus's included: avahi talks to it at start). */
  cpuPerHost: number;
  /** With browse: avahi-browse's own CPU per host, and how many hosts resolved all N instances
   * (their own included) within the window, and when the last of them did, after the last start. */
  browse?: { cpuPerHost: number; foundAll: number; lastFoundAfterLastStartMs: number | undefined };
  measuredAfterLastStartMs: number;
  machineBusy: number;
}

/** A stand-in for a node's key (32 bytes, base64), unique per host. */
const keyOf = (index: number) => Buffer.alloc(32, index & 255).toString('base64');
/** A unique instance name of lanchat's form (nick, then the key's first characters). */
const instanceOf = (index: number) => `user${index}-${keyOf(index).slice(0, 8)}`;

/** A TXT of the size lanchat publishes (v, the 32-byte key in base64, a nick). */
function serviceFile(index: number): string {
  return `<?xml version="1.0" standalone='no'?>
<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
<service-group>
  <name>${instanceOf(index)}</name>
  <service>
    <type>_lanchat._tcp</type>
    <port>7475</port>
    <txt-record>v=1</txt-record>
    <txt-record>pk=${keyOf(index)}</txt-record>
    <txt-record>nick=user${index}</txt-record>
  </service>
</service-group>
`;
}

/**
 * Starts avahi on `hosts`, one every `staggerMs` (0: all at once), measures, and stops them all.
 * Without browse it measures 10 s after the last start (each daemon's probes and announcements
 * are over 3–4 s after its start); with browse, once every host resolved everyone or `windowMs`
 * after the last start.
 */
export async function avahiFloor(
  network: Network,
  hosts: HostInfo[],
  options: { staggerMs: number; windowMs: number; browse: boolean },
): Promise<AvahiFloorFigures> {
  const names = new Set<string>();
  /** Per host, in order: its daemon and browser once started, undefined if its start timed out. */
  const started: ({ daemon: ProcessHandle<string>; browse?: ProcessHandle<AvahiBrowseEvent> } | undefined)[] =
    [];
  const foundAt: (number | undefined)[] = hosts.map(() => undefined);
  const machine0 = machineCpu();
  const starting: Promise<void>[] = [];
  let lastStart = performance.now();
  for (const [i, host] of hosts.entries()) {
    // startAvahi mounts this directory over /etc/avahi/services in the host's mount namespace.
    const services = join(network.dir, `avahi-${host.name}`, 'services');
    mkdirSync(services, { recursive: true });
    writeFileSync(join(services, 'lanchat.service'), serviceFile(i));
    names.add(instanceOf(i));
    starting.push(
      network.startAvahi(host).then(
        (daemon) => {
          started[i] = options.browse
            ? { daemon, browse: network.avahiWatch(host, '_lanchat._tcp') }
            : { daemon };
        },
        () => {}, // under load its start timed out: counted as not started, not fatal
      ),
    );
    lastStart = performance.now();
    if (options.staggerMs > 0 && i < hosts.length - 1) await delay(options.staggerMs);
  }
  await Promise.all(starting);
  /** Notes the hosts that have resolved everyone; true once none is still looking. */
  const allFound = (): boolean => {
    let looking = 0;
    started.forEach((host, i) => {
      const b = host?.browse;
      if (!b || foundAt[i] !== undefined) return;
      const resolved = new Set(b.events.filter((e) => e.op === '=').map((e) => e.name));
      if ([...names].every((n) => resolved.has(n))) foundAt[i] = performance.now();
      else if (b.exitStatus === undefined) looking++; // an avahi-browse that died looks no more
    });
    return looking === 0;
  };
  if (options.browse) {
    while (performance.now() < lastStart + options.windowMs && !allFound()) await delay(100);
  } else {
    // A timer may fire a fraction of a millisecond early by performance.now(): wait until it is due.
    while (performance.now() < lastStart + 10_000) await delay(lastStart + 10_001 - performance.now());
  }
  const measuredAfterLastStartMs = performance.now() - lastStart;
  const machineBusy = busyBetween(machine0, machineCpu());
  const live = hosts.flatMap((host, i) => (started[i] ? [{ host, ...started[i] }] : []));
  const daemonCpu = live.map((h) => (cpuSeconds(h.daemon.pid!) ?? 0) + busCpu(network, h.host));
  const figures: AvahiFloorFigures = {
    started: daemonCpu.length,
    cpuPerHost: mean(daemonCpu),
    measuredAfterLastStartMs,
    machineBusy,
  };
  if (options.browse) {
    const found = foundAt.filter((f): f is number => f !== undefined);
    figures.browse = {
      cpuPerHost: mean(live.map((h) => (h.browse ? (cpuSeconds(h.browse.pid!) ?? 0) : 0))),
      foundAll: found.length,
      lastFoundAfterLastStartMs: found.length === hosts.length ? Math.max(...found) - lastStart : undefined,
    };
  }
  for (const h of live) h.browse?.kill('SIGKILL');
  await Promise.all(hosts.map((h) => network.stopAvahi(h)));
  return figures;
}

/** CPU of the private system bus avahi's host runs (its pid file), 0 if it is gone. */
function busCpu(network: Network, host: HostInfo): number {
  try {
    const pid = Number(readFileSync(join(network.dir, `avahi-${host.name}`, 'dbus.pid'), 'utf8').trim());
    return cpuSeconds(pid) ?? 0;
  } catch {
    return 0;
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
