// Which interfaces lanchat speaks mDNS on (RFC 6762 §15: a multi-homed host must send and answer
// on every link separately). By default: every up, non-loopback, non-virtual interface; docker
// bridges, veth pairs, VPN tunnels and the like are skipped because peers there are containers
// or remote networks, not colleagues. `--interface NAME` selects exactly the named ones.
import { readFileSync, realpathSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';

export interface NetAddress {
  address: string;
  family: 4 | 6;
  /** Prefix length of the subnet (from the CIDR Node reports). */
  prefixLength: number;
  /** IPv6 scope id (interface index), when Node reports one. */
  scopeId?: number;
}

export interface NetInterface {
  name: string;
  addresses: NetAddress[];
}

export type RawInterfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** What the kernel says about an interface beyond its addresses; injectable for tests. */
export interface InterfaceFacts {
  /** Backed by /sys/devices/virtual (bridges, veth, tun, dummy…). */
  virtual: boolean;
  /** operstate is not "down". */
  up: boolean;
}

export type InterfaceFactsProbe = (name: string) => InterfaceFacts;

const VIRTUAL_PREFIXES = [
  'docker',
  'br-',
  'veth',
  'virbr',
  'tun',
  'tap',
  'wg',
  'zt',
  'utun',
  'vmnet',
  'vboxnet',
  'lxc',
  'cni',
  'flannel',
  'cali',
  'tailscale',
];

export function hasVirtualName(name: string): boolean {
  return VIRTUAL_PREFIXES.some((p) => name.startsWith(p));
}

/** Linux sysfs: a physical NIC's /sys/class/net/X resolves under /sys/devices/pci…, a virtual one
 * under /sys/devices/virtual. Elsewhere (no sysfs) everything counts as physical and up. */
export const sysfsFacts: InterfaceFactsProbe = (name) => {
  const facts: InterfaceFacts = { virtual: false, up: true };
  if (!/^[\w.:@-]+$/.test(name)) return facts;
  try {
    facts.virtual = realpathSync(`/sys/class/net/${name}`).includes('/devices/virtual/');
  } catch {
    // No sysfs entry: not Linux, or the interface vanished meanwhile.
  }
  try {
    facts.up = readFileSync(`/sys/class/net/${name}/operstate`, 'utf8').trim() !== 'down';
  } catch {
    // Unknown: assume up.
  }
  return facts;
};

function prefixOf(info: NetworkInterfaceInfo): number {
  const slash = info.cidr?.lastIndexOf('/') ?? -1;
  if (info.cidr && slash >= 0) return Number(info.cidr.slice(slash + 1));
  return info.family === 'IPv4' ? 24 : 64;
}

/** Non-loopback interfaces with their addresses, from os.networkInterfaces(). */
export function listInterfaces(raw: RawInterfaces): NetInterface[] {
  const out: NetInterface[] = [];
  for (const [name, infos] of Object.entries(raw)) {
    if (!infos) continue;
    const addresses = infos
      .filter((i) => !i.internal)
      .map((i): NetAddress => {
        const base: NetAddress = {
          address: i.address,
          family: i.family === 'IPv4' ? 4 : 6,
          prefixLength: prefixOf(i),
        };
        return i.family === 'IPv6' && i.scopeid !== undefined ? { ...base, scopeId: i.scopeid } : base;
      });
    if (addresses.length > 0) out.push({ name, addresses });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export interface Selection {
  selected: NetInterface[];
  /** Explicitly requested names that have no usable address. */
  missing: string[];
  warnings: string[];
}

export function selectInterfaces(
  all: readonly NetInterface[],
  explicit: readonly string[],
  probe: InterfaceFactsProbe,
): Selection {
  if (explicit.length > 0) {
    const selected = all.filter((i) => explicit.includes(i.name));
    const missing = explicit.filter((n) => !selected.some((i) => i.name === n));
    return { selected, missing, warnings: [] };
  }
  const up = all.filter((i) => probe(i.name).up);
  const physical = up.filter((i) => !hasVirtualName(i.name) && !probe(i.name).virtual);
  if (physical.length > 0 || up.length === 0) return { selected: physical, missing: [], warnings: [] };
  // A container, a VM or a network namespace may have only veth/bridge interfaces. Finding nothing
  // would be the silent "peers don't show up" failure; using them with a warning is better.
  return {
    selected: up,
    missing: [],
    warnings: [
      `no physical network interface found; using virtual ones (${up.map((i) => i.name).join(', ')}). ` +
        'Pass --interface NAME to choose explicitly.',
    ],
  };
}
