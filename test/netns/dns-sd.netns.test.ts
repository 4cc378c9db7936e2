// Unicast DNS-SD across subnets: two subnets joined by a router that forwards unicast but not
// multicast, a real DNS server (dnsmasq) on the router serving `_lanchat._tcp.corp.example` for
// the peers of subnet B, and a node on subnet A started with --dns-sd-domain: it meets them, while
// a node on A without the flag does not. lanchat doctor reports the zone's peers too.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFleetNetwork } from './fleet-network.js';
import { type HostInfo, type Network, netnsAvailable } from './harness.js';
import { HeadlessFleet, type HeadlessNode, onlinePeers } from './headless-node.js';
import type { JsonEvent } from './process-handle.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping DNS-SD netns tests: ${netns.reason}`);
const dnsmasq = (() => {
  try {
    execFileSync('dnsmasq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!dnsmasq) console.warn('skipping DNS-SD netns tests: dnsmasq (package dnsmasq-base) is not installed');

const DOMAIN = 'corp.example';
const MEET_MS = 20_000;
let network: Network;
const fleet = new HeadlessFleet();

/** dnsmasq on the router, authoritative for nothing but the records we give it. */
function startDns(entries: { label: string; host: string; address: string; id: string }[]) {
  const router = network.router as HostInfo;
  const listen = router.interfaces.map((i) => i.ipv4).join(',');
  const args = [
    'dnsmasq',
    '--keep-in-foreground',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--pid-file=',
    '--user=root',
    '--bind-interfaces',
    `--listen-address=${listen}`,
    '--port=53',
    '--log-facility=-',
    '--log-queries',
  ];
  for (const e of entries) {
    const instance = `${e.label}._lanchat._tcp.${DOMAIN}`;
    const target = `ws-${e.label}.${DOMAIN}`;
    args.push(
      `--ptr-record=_lanchat._tcp.${DOMAIN},${instance}`,
      `--srv-host=${instance},${target},7475`,
      `--txt-record=${instance},v=1,pk=${e.id}`,
      `--host-record=${target},${e.address}`,
    );
  }
  return network.spawn<string>(router, args, { label: 'dnsmasq', parse: (line) => line });
}

describe.skipIf(!netns.ok || !dnsmasq)('unicast DNS-SD (--dns-sd-domain) across a router', () => {
  useFleetNetwork({ hosts: 4, routed: { subnets: 2 } }, fleet, (created) => {
    network = created;
  });

  it('a node on subnet A meets the peers of subnet B that DNS lists; without the flag it does not', async () => {
    const [a1, a2] = network.hostsOnSubnet(0) as [HostInfo, HostInfo];
    const [b1, b2] = network.hostsOnSubnet(1) as [HostInfo, HostInfo];
    const bob = fleet.start(network, b1, { nick: 'bob' });
    const carol = fleet.start(network, b2, { nick: 'carol' });
    const [bobId, carolId] = await Promise.all([bob.id(), carol.id()]);
    const dns = startDns([
      { label: 'bob', host: b1.name, address: b1.interfaces[0]!.ipv4!, id: bobId },
      { label: 'carol', host: b2.name, address: b2.interfaces[0]!.ipv4!, id: carolId },
    ]);
    await dns.waitForStderr(/started, version/, 10_000);
    const server = network.router!.interfaces.find((i) => i.bridge === 'b0')!.ipv4!;

    // Without peer exchange too: with it, alice rightly passes bob and carol on to dora, and
    // whether dora had met them by the time she saw alice was a race (it lost once the hellos
    // carried a verdict, 2026-12-07). What this checks is that DNS-SD is what the flag adds.
    const plain = fleet.start(network, a2, { nick: 'dora', extraArgs: ['--no-peer-exchange'] });
    const doraId = await plain.id();
    const alice = fleet.start(network, a1, {
      nick: 'alice',
      extraArgs: ['--dns-sd-domain', DOMAIN, '--dns-server', server],
    });
    const aliceId = await alice.id();
    await alice.process.waitFor(
      () =>
        onlinePeers(alice).has(bobId) && onlinePeers(alice).has(carolId) && onlinePeers(alice).has(doraId),
      MEET_MS,
      { what: 'alice meets bob and carol through DNS, and dora through mDNS' },
    );
    // Both ends of each link know it: bob and carol see alice.
    for (const n of [bob, carol] as HeadlessNode[]) {
      await n.process.waitFor(() => onlinePeers(n).has(aliceId), MEET_MS, {
        what: `${n.host.name} sees alice`,
      });
    }
    // dora, on the same subnet as alice but without the flag, met alice and nobody beyond the router.
    await plain.process.waitFor(() => onlinePeers(plain).has(aliceId), MEET_MS, { what: 'dora sees alice' });
    expect(onlinePeers(plain).has(bobId)).toBe(false);
    expect(onlinePeers(plain).has(carolId)).toBe(false);
    expect(dns.stderrLines.some((l) => /query\[PTR\] _lanchat\._tcp\.corp\.example/.test(l))).toBe(true);

    const doctor = network.spawn(
      a2,
      [
        'node',
        'bin/lanchat.js',
        'doctor',
        '--json',
        '--profile',
        join(network.dir, 'doctor-dns'),
        '--nick',
        'erin',
        '--dns-sd-domain',
        DOMAIN,
        '--dns-server',
        server,
      ],
      { env: { LANCHAT_NETWORK: undefined, LANCHAT_PROFILE: undefined }, label: 'lanchat doctor' },
    );
    const status = await doctor.waitForExit(40_000);
    const report = doctor.events.find((e) => e.type === 'doctor') as
      | (JsonEvent & { findings: { check: string; status: string; message: string }[] })
      | undefined;
    expect(report, doctor.describe()).toBeDefined();
    expect(report!.findings.find((f) => f.check === 'dns-sd')).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/^2 peer\(s\) listed in DNS under _lanchat\._tcp\.corp\.example: /),
    });
    expect(status.code, doctor.describe()).toBe(0);
  }, 90_000);
});
