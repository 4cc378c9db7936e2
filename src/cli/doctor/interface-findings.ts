// The interfaces doctor reports: which ones lanchat speaks mDNS on, which it skips, and why.
import type { InterfaceVerdict, NetInterface } from '../../discovery/net-interfaces.js';
import { type Finding, finding } from './finding.js';

const WHY: Record<InterfaceVerdict, string> = {
  selected: 'used (named with --interface)',
  physical: 'used',
  uplink: 'used (the veth/macvlan uplink of this container or namespace)',
  'virtual-fallback': 'used for lack of a physical interface (a bridge, tunnel or VPN)',
  down: 'skipped: the link is down (cable out, Wi-Fi off)',
  virtual: 'skipped: virtual (docker/bridge/VPN/tunnel); peers there are containers or remote networks',
  'not-selected': 'skipped: --interface names other interfaces',
};

export function interfaceFindings(
  explained: readonly { iface: NetInterface; verdict: InterfaceVerdict; used: boolean }[],
): Finding[] {
  const out = explained.map(({ iface, verdict }) => {
    const addresses = iface.addresses.map((a) => `${a.address}/${a.prefixLength}`).join(', ');
    const status = verdict === 'virtual-fallback' ? 'warn' : 'info';
    const fix =
      verdict === 'virtual-fallback'
        ? 'if colleagues are on another interface, pass --interface NAME for it'
        : verdict === 'virtual' || verdict === 'not-selected'
          ? `if your colleagues are on ${iface.name}, pass --interface ${iface.name}`
          : undefined;
    return finding(
      'interfaces',
      status,
      `${iface.name} (${addresses || 'no address'}): ${WHY[verdict]}`,
      fix,
    );
  });
  if (!explained.some((e) => e.used)) {
    out.push(
      finding(
        'interfaces',
        'fail',
        'no usable network interface: lanchat can neither announce itself nor hear anybody',
        explained.length === 0
          ? 'connect to a network (cable or Wi-Fi) and run doctor again'
          : 'bring a link up, or name one with --interface NAME',
      ),
    );
  }
  return out;
}
