// `lanchat doctor` on real hosts (network namespaces): healthy hosts exit 0; a host whose firewall
// drops mDNS gets the multicast problem named and exits 1; a peer on another network passphrase
// is named as such. Doctor runs only inside the test's own namespaces.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useFleetNetwork } from './fleet-network.js';
import { type Network, netnsAvailable } from './harness.js';
import { HeadlessFleet, onlinePeers } from './headless-node.js';
import { startDiscover } from './lanchat-node.js';
import type { JsonEvent } from './process-handle.js';

const netns = netnsAvailable();
if (!netns.ok) console.warn(`skipping lanchat doctor netns tests: ${netns.reason}`);

const nft = (() => {
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!nft) console.warn('skipping the blocked-multicast doctor test: nft (package nftables) is not installed');

const MEET_MS = 15_000;
const OTHER_NETWORK = 'doctor netns: another office, Staple-Battery-77';
let network: Network;
const fleet = new HeadlessFleet();

interface DoctorFinding {
  check: string;
  status: 'ok' | 'info' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

async function doctor(
  host: string,
  args: string[],
): Promise<{
  code: number | null;
  report: JsonEvent & { findings: DoctorFinding[]; problems: DoctorFinding[] };
  describe: string;
}> {
  const p = network.spawn(host, ['node', 'bin/lanchat.js', 'doctor', '--json', ...args], {
    env: { LANCHAT_NETWORK: undefined, LANCHAT_PROFILE: undefined },
    label: `lanchat doctor ${args.join(' ')}`,
  });
  const status = await p.waitForExit(40_000);
  const report = p.events.find((e) => e.type === 'doctor') as
    | (JsonEvent & { findings: DoctorFinding[]; problems: DoctorFinding[] })
    | undefined;
  if (!report) throw new Error(`doctor printed no report\n${p.describe()}`);
  return { code: status.code, report, describe: p.describe() };
}

describe.skipIf(!netns.ok)('lanchat doctor on namespace hosts', () => {
  useFleetNetwork({ hosts: 3 }, fleet, (created) => {
    network = created;
  });

  it('exits 0 on a healthy host, with the peer connected and the veth uplink used without a warning', async () => {
    const bob = fleet.start(network, 'h2', { nick: 'bob' });
    await bob.id();
    const {
      code,
      report,
      describe: d,
    } = await doctor('h1', ['--profile', join(network.dir, 'doctor-healthy'), '--nick', 'alice']);
    expect(code, d).toBe(0);
    expect(report).toMatchObject({ healthy: true, node: 'temporary', problems: [] });
    const by = (check: string) => report.findings.filter((f) => f.check === check);
    expect(by('interfaces').map((f) => f.message)).toEqual([
      expect.stringMatching(/^eth0 .*used \(the veth/),
    ]);
    expect(
      by('multicast').some((f) => f.status === 'ok' && /eth0 IPv4: send and receive work/.test(f.message)),
    ).toBe(true);
    expect(by('port')[0]?.status).toBe('ok');
    expect(by('peers')[0]?.message).toMatch(/^1 peer\(s\) connected: bob/);
    expect(report.findings.some((f) => f.status === 'warn' || f.status === 'fail')).toBe(false);
  }, 60_000);

  it('asks the node running on the profile through its control socket', async () => {
    const carol = fleet.start(network, 'h1', { nick: 'carol' });
    const dave = fleet.start(network, 'h3', { nick: 'dave' });
    const daveId = await dave.id();
    await carol.process.waitFor(() => onlinePeers(carol).has(daveId), MEET_MS, { what: 'carol sees dave' });
    const { code, report, describe: d } = await doctor('h1', ['--profile', carol.profile]);
    expect(code, d).toBe(0);
    expect(report.node).toBe('running');
    expect(report.findings.find((f) => f.check === 'peers')?.message).toMatch(/^1 peer\(s\) connected: dave/);
    // The running node's own mDNS socket shares port 5353 with doctor's probe.
    expect(report.findings.find((f) => f.check === 'responders')?.message).toMatch(
      /shared with: lanchat \(pid/,
    );
  }, 60_000);

  it('names a peer on another network passphrase, and exits 1', async () => {
    const erin = fleet.start(network, 'h2', { nick: 'erin', extraArgs: ['--network', OTHER_NETWORK] });
    const erinId = await erin.id();
    const h2 = network.host('h2').interfaces[0]?.ipv4;
    const {
      code,
      report,
      describe: d,
    } = await doctor('h1', [
      '--profile',
      join(network.dir, 'doctor-mismatch'),
      '--nick',
      'frank',
      '--peer',
      `${erinId}@${h2}`,
    ]);
    expect(code, d).toBe(1);
    expect(report.healthy).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({
        check: 'peers',
        message: expect.stringMatching(/not connected: network-mismatch/),
        fix: expect.stringMatching(/same --network/),
      }),
    ]);
  }, 60_000);

  it('warns of an mDNS name conflict (the nick is taken on this LAN) without failing', async () => {
    const ivy = fleet.start(network, 'h2', { nick: 'ivy' });
    const ivyKey = Buffer.from(await ivy.id(), 'base64url').toString('base64');
    // ivy must own the name before doctor starts (else the simultaneous-probe tie-break decides):
    // a listener on h1 hearing ivy's announcement is the sign. It goes before doctor runs.
    const watcher = startDiscover(network, 'h1', { nick: 'watcher' });
    try {
      await watcher.waitForPeer(ivyKey, 10_000, (p) => p.nick === 'ivy');
    } finally {
      watcher.process.kill('SIGTERM');
      await watcher.process.exited;
    }
    const {
      code,
      report,
      describe: d,
    } = await doctor('h3', ['--profile', join(network.dir, 'doctor-conflict'), '--nick', 'ivy']);
    expect(code, d).toBe(0);
    expect(report.findings.find((f) => f.check === 'names')).toMatchObject({
      status: 'warn',
      message: 'the name "ivy" is taken on this LAN; you appear as "ivy (2)"',
    });
  }, 60_000);

  it('names a live peer whose TCP port does not answer (unreachable), and exits 1', async () => {
    // `lanchat discover` announces port 7475 over mDNS but never listens on it: what a colleague
    // whose firewall drops lanchat's TCP port looks like from here.
    const ghost = startDiscover(network, 'h2', { nick: 'ghost' });
    try {
      await ghost.ready();
      await ghost.process.waitFor((e) => e.type === 'announced', 10_000, { what: 'announced' });
      const {
        code,
        report,
        describe: d,
      } = await doctor('h1', ['--profile', join(network.dir, 'doctor-ghost'), '--nick', 'hank']);
      expect(code, d).toBe(1);
      expect(report.problems).toEqual([
        expect.objectContaining({
          check: 'peers',
          message: expect.stringMatching(/^ghost .* but not connected: unreachable \(.*connection refused/),
          fix: expect.stringMatching(/its firewall allows its TCP port/),
        }),
      ]);
    } finally {
      ghost.process.kill('SIGKILL');
      await ghost.process.exited;
    }
  }, 60_000);

  it.skipIf(!nft)(
    'names blocked multicast (an nft rule dropping UDP 5353) and exits 1',
    async () => {
      await network.exec('h3', [
        'sh',
        '-c',
        "nft add table inet lctdoctor && nft add chain inet lctdoctor in '{ type filter hook input priority 0; }' && nft add rule inet lctdoctor in udp dport 5353 drop",
      ]);
      try {
        const {
          code,
          report,
          describe: d,
        } = await doctor('h3', ['--profile', join(network.dir, 'doctor-blocked'), '--nick', 'gina']);
        expect(code, d).toBe(1);
        const problems = report.problems.map((p) => `${p.check}: ${p.message}`);
        expect(problems).toContain(
          'multicast: eth0 IPv4: our own mDNS query did not come back; multicast is blocked on this host (a firewall drops UDP 5353, or the interface has no multicast)',
        );
        expect(report.problems.every((p) => p.check === 'multicast')).toBe(true);
      } finally {
        await network.exec('h3', ['nft', 'delete', 'table', 'inet', 'lctdoctor']);
      }
    },
    60_000,
  );
});
