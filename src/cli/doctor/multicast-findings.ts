// The per-interface multicast self-test (discovery/multicast-self-test.ts), read for the user.
import type { SelfTestResult } from '../../discovery/multicast-self-test.js';
import { type Finding, finding } from './finding.js';

const FIREWALL_FIX =
  'allow UDP port 5353 to and from 224.0.0.251 and ff02::fb (e.g. `ufw allow 5353/udp`, ' +
  '`firewall-cmd --add-service=mdns`, or delete the nft/iptables rule that drops it)';

/** `own`: this host's addresses, whose answers (our own lanchat's, avahi's) are not other hosts. */
export function multicastFindings(results: readonly SelfTestResult[], own: ReadonlySet<string>): Finding[] {
  return results.map((r) => {
    const where = `${r.iface} IPv${r.family}`;
    if (r.error !== undefined && !r.sent) {
      if (/EADDRINUSE/.test(r.error)) {
        return finding(
          'multicast',
          'fail',
          `${where}: UDP port 5353 is held exclusively by another program (${r.error}); lanchat cannot hear mDNS`,
          'see the responders line: restart that program with SO_REUSEADDR (avahi and Bonjour share the port), or stop it',
        );
      }
      const permission = /EPERM|EACCES/.test(r.error);
      return finding(
        'multicast',
        'fail',
        `${where}: cannot send an mDNS query (${r.error})${permission ? '; a firewall rejects it' : ''}`,
        permission ? FIREWALL_FIX : 'check that the interface has a multicast route (`ip route`) and is up',
      );
    }
    if (!r.looped) {
      return finding(
        'multicast',
        'fail',
        `${where}: our own mDNS query did not come back; multicast is blocked on this host ` +
          '(a firewall drops UDP 5353, or the interface has no multicast)',
        FIREWALL_FIX,
      );
    }
    const others = r.responders.filter((a) => !own.has(a.replace(/%.*$/, '')));
    const self = others.length < r.responders.length ? '; this host answered too' : '';
    const heard =
      others.length === 0
        ? `no other host answered${self}`
        : `answers from ${others.length} other host address(es): ${others.slice(0, 8).join(', ')}${self}`;
    return finding('multicast', 'ok', `${where}: send and receive work (${heard})`);
  });
}
