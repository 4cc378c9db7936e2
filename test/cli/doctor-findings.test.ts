// lanchat doctor's checks, as pure readings of what the host and the node report: each problem
// becomes a `fail` with a fix, hostile names from the network are sanitized, and only `fail`
// findings count as problems (the exit code).
import { mkdirSync, mkdtempSync, rmSync, type Stats, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemsOf } from '../../src/cli/doctor/finding.js';
import { interfaceFindings } from '../../src/cli/doctor/interface-findings.js';
import { multicastFindings } from '../../src/cli/doctor/multicast-findings.js';
import { peerFindings } from '../../src/cli/doctor/peer-findings.js';
import { portFindings } from '../../src/cli/doctor/port-check.js';
import {
  DISK_FAIL_BYTES,
  type ProfileProbe,
  profileFindings,
} from '../../src/cli/doctor/profile-findings.js';
import { rememberedFindings } from '../../src/cli/doctor/remembered-peers.js';
import { reportJson, reportText } from '../../src/cli/doctor/report.js';
import { responderFindings, strangerFindings } from '../../src/cli/doctor/responder-findings.js';
import { mdnsResponders, socketInodesOnPort } from '../../src/cli/doctor/responders.js';
import { run } from '../../src/cli/doctor-command.js';
import type { NodeDiagnosis, PeerDiagnosis } from '../../src/core/diagnosis.js';
import type { SelfTestResult } from '../../src/discovery/multicast-self-test.js';
import { fakeInterface } from '../discovery/fake-wire.js';
import { captured } from './captured-io.js';

function peer(over: Partial<PeerDiagnosis>): PeerDiagnosis {
  return {
    id: 'Bq3kR8vYpL2mXc9TnW4sHd7FgJ1aZe6uKo5iPy0rQ_A',
    nick: 'bob',
    display: 'bob',
    address: '',
    online: false,
    presence: 'online',
    status: '',
    blocked: false,
    clockAhead: false,
    ...over,
  } as PeerDiagnosis;
}

const hint = { addresses: ['10.1.0.7'], port: 7475, source: 'mdns', nick: 'bob' };

describe('peer findings', () => {
  it('gives each unconnected peer its reason and fix; connected and dialling ones are no problem', () => {
    const diagnosis: NodeDiagnosis = {
      nick: 'alice',
      port: 7475,
      peers: [
        peer({ nick: 'carol', online: true, hint: { ...hint, nick: 'carol' } }),
        peer({
          hint,
          lastFailure: {
            reason: 'network-mismatch',
            code: 'wrong-network',
            message: 'hung up on hello',
            at: 1,
          },
        }),
        peer({
          nick: 'dan',
          hint: { ...hint, nick: 'dan' },
          lastFailure: { reason: 'unreachable', code: 'dial-failed', message: 'ETIMEDOUT', at: 1 },
        }),
        peer({ nick: 'eve', hint: { ...hint, nick: 'eve' } }),
      ],
    };
    const findings = peerFindings(diagnosis, new Set(['dan']));
    expect(findings[0]).toMatchObject({ check: 'names', status: 'ok' });
    // dan did not answer mDNS just now: maybe switched off, a warning only.
    const away = peerFindings(diagnosis).find((f) => /^dan/.test(f.message));
    expect(away).toMatchObject({ status: 'warn', message: expect.stringMatching(/may be switched off$/) });
    expect(findings[1]).toMatchObject({
      status: 'ok',
      message: expect.stringMatching(/^1 peer\(s\) connected: carol/),
    });
    const problems = problemsOf(findings);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        /^bob .* heard at 10\.1\.0\.7 port 7475 \[mdns\] but not connected: network-mismatch/,
      ),
      expect.stringMatching(/^dan .*not connected: unreachable \(ETIMEDOUT\)/),
    ]);
    expect(problems[0]?.fix).toMatch(/same --network/);
    expect(problems[1]?.fix).toMatch(/firewall allows its TCP port/);
    expect(findings.find((f) => /eve/.test(f.message))).toMatchObject({ status: 'info' });
  });

  it('diagnoses a peer in its lost-link grace (online, no link) like any missing one', () => {
    const findings = peerFindings(
      {
        nick: 'alice',
        port: 7475,
        peers: [
          peer({ nick: 'carol', online: true, connected: true, hint: { ...hint, nick: 'carol' } }),
          peer({
            nick: 'dan',
            online: true,
            connected: false,
            hint: { ...hint, nick: 'dan' },
            lastFailure: { reason: 'unreachable', code: 'dial-failed', message: 'ETIMEDOUT', at: 1 },
          }),
        ],
      },
      new Set(['dan']),
    );
    expect(findings[1]).toMatchObject({ message: expect.stringMatching(/^1 peer\(s\) connected: carol/) });
    expect(problemsOf(findings).map((p) => p.message)).toEqual([
      expect.stringMatching(/^dan .*not connected: unreachable \(ETIMEDOUT\)/),
    ]);
  });

  it('warns of a taken nick and a clock ahead, reports blocked peers, and sanitizes names', () => {
    const findings = peerFindings({
      nick: 'alice (2)',
      requestedNick: 'alice',
      port: 7475,
      peers: [
        peer({ nick: '\u001b[31mmallory', online: true, clockAhead: true }),
        peer({ nick: 'spam', blocked: true, hint }),
      ],
    });
    expect(findings[0]).toMatchObject({ check: 'names', status: 'warn' });
    expect(findings[0]?.message).toContain('"alice" is taken');
    expect(findings.map((f) => f.message).join('\n')).not.toContain('\u001b');
    expect(findings.some((f) => f.status === 'warn' && /dated ahead/.test(f.message))).toBe(true);
    expect(findings.some((f) => f.status === 'info' && /blocked by you/.test(f.message))).toBe(true);
    expect(problemsOf(findings)).toEqual([]);
  });

  it('names lanchat announcements that are none of our peers (another network)', () => {
    const diagnosis: NodeDiagnosis = { nick: 'alice', port: 7475, peers: [peer({ hint })] };
    const instances = ['alice._lanchat._tcp.local', 'bob._lanchat._tcp.local', 'zoe._lanchat._tcp.local'];
    const [warning, ...rest] = strangerFindings(instances, diagnosis);
    expect(rest).toEqual([]);
    expect(warning).toMatchObject({ status: 'warn', message: expect.stringMatching(/^1 lanchat .*"zoe"/) });
    expect(strangerFindings(instances.slice(0, 2), diagnosis)).toEqual([]);
  });

  it('on a private network compares the random instance labels, not nicks: members are no strangers', () => {
    const diagnosis: NodeDiagnosis = {
      nick: 'alice',
      instance: 'lc-0a0a0a0a0a0a0a0a',
      port: 7475,
      peers: [peer({ hint: { ...hint, instance: 'lc-0b0b0b0b0b0b0b0b' } })],
    };
    const instances = ['lc-0a0a0a0a0a0a0a0a', 'lc-0b0b0b0b0b0b0b0b', 'lc-0c0c0c0c0c0c0c0c'].map(
      (label) => `${label}._lanchat._tcp.local`,
    );
    const [warning, ...rest] = strangerFindings(instances, diagnosis);
    expect(rest).toEqual([]);
    expect(warning).toMatchObject({
      status: 'warn',
      message: expect.stringMatching(/^1 lanchat .*"lc-0c0c0c0c0c0c0c0c"/),
    });
  });
});

describe('host findings', () => {
  const result = (over: Partial<SelfTestResult>): SelfTestResult => ({
    iface: 'eth0',
    family: 4,
    sent: true,
    looped: true,
    instances: [],
    responders: [],
    ...over,
  });

  it('multicast: our query coming back is ok; not coming back or a refused send is a problem', () => {
    const own = new Set(['10.0.0.2']);
    const findings = multicastFindings(
      [
        result({ responders: ['10.0.0.2', '10.0.0.9'] }),
        result({ iface: 'wlan0', looped: false }),
        result({ iface: 'eth1', sent: false, looped: false, error: 'send EPERM 224.0.0.251:5353' }),
      ],
      own,
    );
    expect(findings[0]).toMatchObject({
      status: 'ok',
      message:
        'eth0 IPv4: send and receive work (answers from 1 other host address(es): 10.0.0.9; this host answered too)',
    });
    expect(findings[1]).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^wlan0 IPv4: our own mDNS query did not come back/),
    });
    expect(findings[2]).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/EPERM.*a firewall rejects it/),
    });
    expect(findings[2]?.fix).toMatch(/UDP port 5353/);
    const held = multicastFindings(
      [result({ sent: false, looped: false, error: 'bind EADDRINUSE 0.0.0.0:5353' })],
      own,
    );
    expect(held[0]).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/held exclusively by another program/),
    });
  });

  it('interfaces: every one is listed; none usable is a problem', () => {
    const eth0 = fakeInterface('eth0', '10.0.0.2');
    const docker = fakeInterface('docker0', '172.17.0.1');
    const listed = interfaceFindings([
      { iface: eth0, verdict: 'physical', used: true },
      { iface: docker, verdict: 'virtual', used: false },
    ]);
    expect(listed.map((f) => f.status)).toEqual(['info', 'info']);
    expect(listed[1]?.fix).toBe('if your colleagues are on docker0, pass --interface docker0');
    const none = interfaceFindings([{ iface: docker, verdict: 'virtual', used: false }]);
    expect(problemsOf(none).map((f) => f.message)).toEqual([
      expect.stringMatching(/^no usable network interface/),
    ]);
  });

  it('port: reachable everywhere is ok; each address that refuses is a problem', async () => {
    const ifaces = [fakeInterface('eth0', '10.0.0.2'), fakeInterface('eth1', '10.9.0.2')];
    const ok = await portFindings(7475, ifaces, async () => undefined);
    expect(ok).toEqual([expect.objectContaining({ status: 'ok' })]);
    const blocked = await portFindings(7475, ifaces, async (host) =>
      host === '10.9.0.2' ? 'timeout' : undefined,
    );
    expect(problemsOf(blocked).map((f) => f.message)).toEqual([
      'TCP port 7475 is not reachable at 10.9.0.2 (timeout) from this very host',
    ]);
  });

  it('finds the UDP 5353 sockets in /proc/net/udp and names who shares the port', () => {
    const table = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  123: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000   107        0 31337 2 0000000000000000 0',
      '  124: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 0',
      '  125: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 777 2 0000000000000000 0',
      'garbage line',
    ].join('\n');
    expect(socketInodesOnPort(table)).toEqual(['31337', '777']);
    expect(responderFindings([])).toMatchObject([{ status: 'ok' }]);
    expect(responderFindings(undefined)).toMatchObject([
      { status: 'info', message: expect.stringMatching(/no \/proc/) },
    ]);
    const shared = responderFindings([
      { pid: 10, command: 'avahi-daemon' },
      { pid: 11, command: 'lanchat' },
      { pid: 12, command: 'lanchat' },
    ]);
    expect(responderFindings([{ pid: undefined, command: undefined }], true)[0]?.message).toMatch(
      /another user \(avahi-daemon, by its socket\)/,
    );
    expect(shared[0]?.message).toMatch(
      /shared with: avahi-daemon \(pid 10\), lanchat \(pid 11\).*lanchat running twice/,
    );
  });

  it('maps the 5353 sockets to their processes through /proc/PID/fd (a fake /proc)', () => {
    const proc = mkdtempSync(join(tmpdir(), 'lanchat-proc-'));
    try {
      mkdirSync(join(proc, 'net'));
      const header =
        '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
      const row = (inode: string) =>
        `   1: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 ${inode} 2 0 0`;
      writeFileSync(join(proc, 'net/udp'), `${header}\n${row('111')}\n${row('222')}\n`);
      const pid = (n: string, inode: string, cmdline: string, comm: string) => {
        mkdirSync(join(proc, n, 'fd'), { recursive: true });
        symlinkSync(`socket:[${inode}]`, join(proc, n, 'fd', '7'));
        writeFileSync(join(proc, n, 'cmdline'), cmdline);
        writeFileSync(join(proc, n, 'comm'), `${comm}\n`);
      };
      pid('40', '111', 'avahi-daemon: running [h1.local]\0', 'avahi-daemon');
      pid('41', '222', '/usr/bin/node\0/opt/lanchat/bin/lanchat.js\0--headless\0', 'node-MainThread');
      expect(mdnsResponders(proc)).toEqual([
        { pid: 40, command: 'avahi-daemon' },
        { pid: 41, command: 'lanchat' },
      ]);
      expect(mdnsResponders(join(proc, 'nothing-here'))).toBeUndefined();
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });

  it('profile: open permissions and a full disk are problems; little space is a warning', () => {
    const stats = (mode: number, dir = true) =>
      ({ mode, uid: 1000, isDirectory: () => dir }) as unknown as Stats;
    const probe = (dirMode: number, free: number): ProfileProbe => ({
      stat: (path) =>
        path.endsWith('identity.json') ? stats(0o600, false) : path === '/p' ? stats(dirMode) : undefined,
      freeBytes: () => free,
      uid: 1000,
    });
    expect(profileFindings('/p', probe(0o700, 10 * 2 ** 30)).map((f) => f.status)).toEqual(['ok', 'ok']);
    const open = profileFindings('/p', probe(0o755, DISK_FAIL_BYTES - 1));
    expect(open.map((f) => [f.check, f.status])).toEqual([
      ['profile', 'fail'],
      ['disk', 'fail'],
    ]);
    expect(open[0]?.message).toMatch(/mode 755 lets others read your history/);
    expect(profileFindings('/p', probe(0o700, 100 * 2 ** 20))[1]?.status).toBe('warn');
  });

  it('remembered peers: each with its last error; a node that reports none says so', () => {
    expect(rememberedFindings(undefined)).toMatchObject([
      { status: 'info', message: expect.stringMatching(/does not report them/) },
    ]);
    expect(rememberedFindings([])).toMatchObject([{ status: 'info', message: 'no remembered peers yet' }]);
    expect(rememberedFindings([{ id: 'AAAA', addresses: ['10.2.0.6'], online: true }])).toMatchObject([
      { status: 'ok', message: 'AAAA: remembered at 10.2.0.6' },
    ]);
    expect(
      rememberedFindings([
        { id: 'x', nick: 'bob', addresses: ['10.2.0.5'], online: false, lastError: 'ECONNREFUSED' },
      ]),
    ).toMatchObject([{ status: 'warn', message: 'bob: remembered at 10.2.0.5, last error: ECONNREFUSED' }]);
  });
});

describe('doctor report and command line', () => {
  it('lists the problems at the end; JSON says healthy or not', () => {
    const report = {
      profile: '/p',
      node: 'temporary' as const,
      findings: [
        {
          check: 'multicast' as const,
          status: 'fail' as const,
          message: 'eth0 IPv4: blocked',
          fix: 'allow 5353',
        },
        { check: 'disk' as const, status: 'ok' as const, message: '9 GB free' },
      ],
    };
    expect(reportText(report)).toMatch(/FAIL {2}multicast {2}eth0 IPv4: blocked\n +→ allow 5353\n/);
    expect(reportText(report)).toMatch(/1 problem\(s\):\n {2}- eth0 IPv4: blocked → allow 5353\n$/);
    expect(JSON.parse(reportJson(report))).toMatchObject({
      type: 'doctor',
      healthy: false,
      problems: [{ check: 'multicast' }],
    });
    expect(reportText({ ...report, findings: [report.findings[1]!] })).toMatch(
      /healthy: no problem found\n$/,
    );
  });

  it('refuses a bad --wait and stray arguments with exit 2', async () => {
    expect((await captured((io) => run(['--wait', 'soon'], io), {})).code).toBe(2);
    expect((await captured((io) => run(['now'], io), {})).code).toBe(2);
    const help = await captured((io) => run(['--help'], io), {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: lanchat doctor/);
  });
});
