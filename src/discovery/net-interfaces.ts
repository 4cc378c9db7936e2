// Which interfaces lanchat speaks mDNS on (RFC 6762 §15: a multi-homed host must send and answer
// on every link separately). By default: every up, non-loopback, non-virtual interface; docker
// bridges, veth pairs, VPN tunnels and the like are skipped because peers there are containers
// or remote networks, not colleagues. `--interface NAME` selects exactly the named ones.
// Inside a container or a network namespace the host's own uplink is a veth (or macvlan) device:
// with no physical interface around, that uplink *is* the LAN, and is used without a warning.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
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
  /** A veth/macvlan/ipvlan endpoint (virtual Ethernet, no DEVTYPE such as bridge or vlan, not a
   * tap): the uplink of a container or namespace. */
  uplink?: boolean;
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

/** A name that is safe to put in a /sys/class/net path (no slash, no "..": interface names only). */
function sysfsName(name: string): boolean {
  return /^[\w.:@-]+$/.test(name);
}

/** Linux sysfs: a physical NIC's /sys/class/net/X resolves under /sys/devices/pci…, a virtual one
 * under /sys/devices/virtual. Elsewhere (no sysfs) everything counts as physical and up. */
export const sysfsFacts: InterfaceFactsProbe = (name) => {
  const facts: InterfaceFacts = { virtual: false, up: true };
  if (!sysfsName(name)) return facts;
  try {
    // The one realpath(3) call, not Node's JS walk (an lstat per path component).
    facts.virtual = realpathSync.native(`/sys/class/net/${name}`).includes('/devices/virtual/');
  } catch {
    // No sysfs entry: not Linux, or the interface vanished meanwhile.
  }
  facts.up = sysfsUp(name);
  if (facts.virtual) facts.uplink = isUplink(name);
  return facts;
};

/** Linux sysfs: operstate is not "down"; up wherever it cannot be read. */
export function sysfsUp(name: string): boolean {
  if (!sysfsName(name)) return true;
  try {
    return readFileSync(`/sys/class/net/${name}/operstate`, 'utf8').trim() !== 'down';
  } catch {
    return true; // unknown: assume up
  }
}

/** How long what a device is (virtual, an uplink) is believed before sysfs is read again. */
export const INTERFACE_KIND_KEPT_MS = 60_000;

/**
 * Interface facts for the watcher's poll (every few seconds, all day): what a device is (virtual,
 * an uplink) does not change while it exists, so on most polls only whether it is up (a pulled
 * cable) is read. The rest is read again after INTERFACE_KIND_KEPT_MS, and at once for a name the
 * watcher saw come, go or change its addresses (`forget`): a device created anew under an old name.
 * Every poll read five sysfs files and resolved a path per interface: ≈ 1 % of the CPU of 100
 * nodes on two cores in their first minute (perf, 2026-12-07).
 */
export class InterfaceFactsMemo {
  private readonly kinds = new Map<string, { virtual: boolean; uplink: boolean | undefined; at: number }>();

  constructor(
    private readonly now: () => number,
    private readonly read: InterfaceFactsProbe = sysfsFacts,
    private readonly readUp: (name: string) => boolean = sysfsUp,
  ) {}

  readonly probe: InterfaceFactsProbe = (name) => {
    const now = this.now();
    const kind = this.kinds.get(name);
    if (kind && now - kind.at < INTERFACE_KIND_KEPT_MS) {
      const facts: InterfaceFacts = { virtual: kind.virtual, up: this.readUp(name) };
      if (kind.uplink !== undefined) facts.uplink = kind.uplink;
      return facts;
    }
    const facts = this.read(name);
    this.kinds.set(name, { virtual: facts.virtual, uplink: facts.uplink, at: now });
    return facts;
  };

  forget(names: Iterable<string>): void {
    for (const name of names) this.kinds.delete(name);
  }
}

/** An Ethernet-type virtual device that is not a bridge, VLAN, wireguard… (those set DEVTYPE in
 * uevent) nor a tap (tun_flags): a veth, macvlan or ipvlan. Not "iflink differs from ifindex":
 * interface indexes are per namespace, so a veth's peer may have the same index as itself. */
function isUplink(name: string): boolean {
  try {
    const read = (file: string) => readFileSync(`/sys/class/net/${name}/${file}`, 'utf8').trim();
    if (read('type') !== '1' || /^DEVTYPE=/m.test(read('uevent'))) return false;
    return !existsSync(`/sys/class/net/${name}/tun_flags`);
  } catch {
    return false;
  }
}

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

export type InterfaceVerdict =
  | 'selected' // named with --interface
  | 'physical'
  | 'uplink' // the veth/macvlan uplink of a container or namespace, no physical interface here
  | 'virtual-fallback' // nothing better: used, with a warning
  | 'down'
  | 'virtual' // skipped: a bridge, tunnel, VPN or container-side device
  | 'not-selected'; // skipped: --interface names others

/** Every interface with what selection made of it and why (for `lanchat doctor`). */
export function explainInterfaces(
  all: readonly NetInterface[],
  explicit: readonly string[],
  probe: InterfaceFactsProbe,
): { iface: NetInterface; verdict: InterfaceVerdict; used: boolean }[] {
  const selected = new Set(selectInterfaces(all, explicit, probe).selected.map((i) => i.name));
  const anyPhysical = all.some((i) => isPhysical(i, probe));
  return all.map((iface) => {
    const used = selected.has(iface.name);
    const facts = probe(iface.name);
    let verdict: InterfaceVerdict;
    if (explicit.length > 0) verdict = used ? 'selected' : 'not-selected';
    else if (!facts.up) verdict = 'down';
    else if (isPhysical(iface, probe)) verdict = 'physical';
    else if (used) verdict = !anyPhysical && facts.uplink ? 'uplink' : 'virtual-fallback';
    else verdict = 'virtual';
    return { iface, verdict, used };
  });
}

function isPhysical(i: NetInterface, probe: InterfaceFactsProbe): boolean {
  const facts = probe(i.name);
  return facts.up && !hasVirtualName(i.name) && !facts.virtual;
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
  const physical = up.filter((i) => isPhysical(i, probe));
  if (physical.length > 0 || up.length === 0) return { selected: physical, missing: [], warnings: [] };
  // Inside a container or namespace the veth uplink is the network: nothing to warn about.
  const uplinks = up.filter((i) => probe(i.name).uplink === true);
  if (uplinks.length > 0) return { selected: uplinks, missing: [], warnings: [] };
  // Only bridges, tunnels and the like: finding nothing would be the silent "peers don't show up"
  // failure; using them with a warning is better.
  return {
    selected: up,
    missing: [],
    warnings: [
      `no physical network interface found; using virtual ones (${up.map((i) => i.name).join(', ')}). ` +
        'Pass --interface NAME to choose explicitly.',
    ],
  };
}
