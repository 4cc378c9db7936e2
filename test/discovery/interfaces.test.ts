// Interface choice (RFC 6762 §15), the on-link source check (§11), and change detection (§8.4).
import { describe, expect, it } from 'vitest';
import { diffInterfaces } from '../../src/discovery/interface-watcher.js';
import {
  explainInterfaces,
  INTERFACE_KIND_KEPT_MS,
  type InterfaceFacts,
  InterfaceFactsMemo,
  listInterfaces,
  type NetInterface,
  selectInterfaces,
} from '../../src/discovery/net-interfaces.js';
import { isOnLink } from '../../src/discovery/subnet-check.js';
import { fakeInterface } from './fake-wire.js';

const physical = () => ({ virtual: false, up: true });

describe('interface selection', () => {
  const all: NetInterface[] = [
    'eth0',
    'wlan0',
    'docker0',
    'br-1a2b',
    'veth12',
    'tailscale0',
    'wg0',
    'tun0',
    'weird0',
  ].map((n, i) => fakeInterface(n, `10.0.${i}.1`));

  it('skips virtual names and sysfs-virtual devices by default', () => {
    const probe = (name: string) => ({ virtual: name === 'weird0', up: true });
    expect(selectInterfaces(all, [], probe).selected.map((i) => i.name)).toEqual(['eth0', 'wlan0']);
  });

  it('skips interfaces that are down', () => {
    const probe = (name: string) => ({ virtual: false, up: name !== 'wlan0' });
    expect(selectInterfaces(all.slice(0, 2), [], probe).selected.map((i) => i.name)).toEqual(['eth0']);
  });

  it('--interface selects exactly the named ones, virtual or not, and reports missing ones', () => {
    const s = selectInterfaces(all, ['veth12', 'nope0'], physical);
    expect(s.selected.map((i) => i.name)).toEqual(['veth12']);
    expect(s.missing).toEqual(['nope0']);
  });

  it('uses the veth uplink of a container or namespace silently when it is all there is', () => {
    const onlyVeth = [fakeInterface('eth0', '10.77.0.2'), fakeInterface('veth9', '10.78.0.2')];
    const s = selectInterfaces(onlyVeth, [], () => ({ virtual: true, up: true, uplink: true }));
    expect(s.selected.map((i) => i.name)).toEqual(['eth0', 'veth9']);
    expect(s.warnings).toEqual([]);
  });

  it('prefers the uplink over bridges inside a container, and physical NICs over both', () => {
    const ifaces = [fakeInterface('br0', '10.9.0.1'), fakeInterface('eth0', '10.77.0.2')];
    const probe = (name: string) => ({ virtual: true, up: true, uplink: name === 'eth0' });
    expect(selectInterfaces(ifaces, [], probe).selected.map((i) => i.name)).toEqual(['eth0']);
    const host = [...ifaces, fakeInterface('enp3s0', '192.168.1.5')];
    const hostProbe = (name: string) =>
      name === 'enp3s0' ? { virtual: false, up: true } : { virtual: true, up: true, uplink: name === 'eth0' };
    expect(selectInterfaces(host, [], hostProbe).selected.map((i) => i.name)).toEqual(['enp3s0']);
  });

  it('falls back to other virtual interfaces with a warning when there is nothing else', () => {
    const onlyBridge = [fakeInterface('br0', '10.77.0.2')];
    const s = selectInterfaces(onlyBridge, [], () => ({ virtual: true, up: true }));
    expect(s.selected.map((i) => i.name)).toEqual(['br0']);
    expect(s.warnings[0]).toMatch(/no physical network interface/);
  });

  it('explains each interface: used or skipped, and why', () => {
    const ifaces = [
      fakeInterface('docker0', '172.17.0.1'),
      fakeInterface('eth0', '10.0.0.2'),
      fakeInterface('wlan0', '10.0.1.2'),
    ];
    const probe = (name: string) => ({ virtual: name === 'docker0', up: name !== 'wlan0' });
    const verdicts = explainInterfaces(ifaces, [], probe).map((e) => [e.iface.name, e.verdict, e.used]);
    expect(verdicts).toEqual([
      ['docker0', 'virtual', false],
      ['eth0', 'physical', true],
      ['wlan0', 'down', false],
    ]);
    const named = explainInterfaces(ifaces, ['docker0'], probe).map((e) => [e.iface.name, e.verdict]);
    expect(named).toEqual([
      ['docker0', 'selected'],
      ['eth0', 'not-selected'],
      ['wlan0', 'not-selected'],
    ]);
    const inNamespace = explainInterfaces([fakeInterface('eth0', '10.77.0.2')], [], () => ({
      virtual: true,
      up: true,
      uplink: true,
    }));
    expect(inNamespace.map((e) => e.verdict)).toEqual(['uplink']);
  });

  it('lists non-internal addresses with their prefix from os.networkInterfaces()', () => {
    const list = listInterfaces({
      lo: [
        {
          address: '127.0.0.1',
          netmask: '255.0.0.0',
          family: 'IPv4',
          mac: '',
          internal: true,
          cidr: '127.0.0.1/8',
        },
      ],
      eth0: [
        {
          address: '10.1.2.3',
          netmask: '255.255.0.0',
          family: 'IPv4',
          mac: '',
          internal: false,
          cidr: '10.1.2.3/16',
        },
        {
          address: 'fe80::1',
          netmask: 'ffff:ffff:ffff:ffff::',
          family: 'IPv6',
          mac: '',
          internal: false,
          cidr: 'fe80::1/64',
          scopeid: 2,
        },
      ],
    });
    expect(list).toEqual([
      {
        name: 'eth0',
        addresses: [
          { address: '10.1.2.3', family: 4, prefixLength: 16 },
          { address: 'fe80::1', family: 6, prefixLength: 64, scopeId: 2 },
        ],
      },
    ]);
  });
});

describe('source on the link (§11)', () => {
  const eth0: NetInterface = {
    name: 'eth0',
    addresses: [
      { address: '192.168.1.10', family: 4, prefixLength: 24 },
      { address: '2001:db8:1::10', family: 6, prefixLength: 64 },
    ],
  };

  it('accepts sources in a subnet of the interface, rejects others', () => {
    expect(isOnLink('192.168.1.200', eth0)).toBe(true);
    expect(isOnLink('192.168.2.1', eth0)).toBe(false);
    expect(isOnLink('::ffff:192.168.1.7', eth0)).toBe(true);
    expect(isOnLink('2001:db8:1::99', eth0)).toBe(true);
    expect(isOnLink('2001:db8:2::99', eth0)).toBe(false);
    expect(isOnLink('not an address', eth0)).toBe(false);
  });

  it('accepts IPv6 link-local sources of this interface only', () => {
    expect(isOnLink('fe80::99', eth0)).toBe(true);
    expect(isOnLink('fe80::99%eth0', eth0)).toBe(true);
    expect(isOnLink('fe80::99%eth1', eth0)).toBe(false);
  });
});

describe('interface changes (§8.4)', () => {
  it('reports added, removed and re-addressed interfaces', () => {
    const before = [fakeInterface('eth0', '10.0.0.1'), fakeInterface('wlan0', '10.0.1.1')];
    const after = [fakeInterface('eth0', '10.0.0.2'), fakeInterface('eth1', '10.0.2.1')];
    const d = diffInterfaces(before, after);
    expect(d.added.map((i) => i.name)).toEqual(['eth1']);
    expect(d.removed.map((i) => i.name)).toEqual(['wlan0']);
    expect(d.changed.map((i) => i.name)).toEqual(['eth0']);
  });
});

describe('interface facts for the poll', () => {
  it('reads what a device is once a minute or when told it changed, whether it is up on every poll', () => {
    let now = 0;
    let kind: InterfaceFacts = { virtual: true, up: true, uplink: true };
    let up = true;
    const reads: string[] = [];
    const memo = new InterfaceFactsMemo(
      () => now,
      (name) => {
        reads.push(`all ${name}`);
        return { ...kind, up };
      },
      (name) => {
        reads.push(`up ${name}`);
        return up;
      },
    );
    expect(memo.probe('eth0')).toEqual({ virtual: true, up: true, uplink: true });
    now += 3_000;
    up = false; // the cable is pulled: seen on the next poll
    expect(memo.probe('eth0')).toEqual({ virtual: true, up: false, uplink: true });
    kind = { virtual: false, up: true };
    up = true;
    now += 3_000;
    expect(memo.probe('eth0')).toEqual({ virtual: true, up: true, uplink: true }); // still believed
    memo.forget(['eth0']); // the watcher saw its addresses change: a new device under that name
    expect(memo.probe('eth0')).toEqual({ virtual: false, up: true });
    now += INTERFACE_KIND_KEPT_MS;
    kind = { virtual: true, up: true, uplink: false };
    expect(memo.probe('eth0')).toEqual({ virtual: true, up: true, uplink: false }); // read again
    expect(reads).toEqual(['all eth0', 'up eth0', 'up eth0', 'all eth0', 'all eth0']);
  });
});
