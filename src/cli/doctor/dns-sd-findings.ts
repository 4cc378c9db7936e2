// --dns-sd-domain: does the DNS server list lanchat peers under _lanchat._tcp.DOMAIN?
import type { PeerHint } from '../../discovery/discovery.js';
import { serviceName } from '../../discovery/dns-sd-records.js';
import { sanitize } from '../../ui/model/sanitize.js';
import { type Finding, finding } from './finding.js';

export function dnsSdFindings(
  domains: readonly string[],
  result: { peers: PeerHint[]; warnings: string[] },
): Finding[] {
  if (domains.length === 0) return [];
  const out = result.warnings.map((w) =>
    finding(
      'dns-sd',
      'fail',
      sanitize(w),
      'check the zone (README: "Finding peers across subnets") and --dns-server, e.g. `dig PTR ' +
        `${serviceName(domains[0] ?? '')}\``,
    ),
  );
  const names = result.peers
    .slice(0, 20)
    .map((p) => `${sanitize(p.nick)} (${p.addresses[0]} port ${p.port})`);
  out.push(
    finding(
      'dns-sd',
      result.peers.length > 0 ? 'ok' : 'info',
      `${result.peers.length} peer(s) listed in DNS under ${domains.map(serviceName).join(', ')}${names.length ? `: ${names.join(', ')}` : ''}`,
    ),
  );
  return out;
}
