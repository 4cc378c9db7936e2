// Other mDNS responders and lanchat announcements that are not on our network.
import type { NodeDiagnosis } from '../../core/diagnosis.js';
import { labelOfInstance, nickOfLabel } from '../../discovery/mdns-names.js';
import { sanitize } from '../../ui/model/sanitize.js';
import { type Finding, finding } from './finding.js';
import type { Responder } from './responders.js';

/** `avahiSocket`: /run/avahi-daemon/socket exists, so an unnamed 5353 user is most likely avahi
 * (it runs as its own user, whose /proc entries a normal user cannot read). */
export function responderFindings(
  responders: readonly Responder[] | undefined,
  avahiSocket = false,
): Finding[] {
  if (responders === undefined) {
    return [
      finding(
        'responders',
        'info',
        'cannot list the programs on UDP port 5353 here (no /proc); sharing it with Bonjour or avahi is fine',
      ),
    ];
  }
  if (responders.length === 0) {
    return [finding('responders', 'ok', 'no other program uses UDP port 5353 on this host')];
  }
  const unnamed = avahiSocket
    ? 'a process of another user (avahi-daemon, by its socket)'
    : 'a process of another user';
  const names = responders.map((r) =>
    r.pid === undefined ? unnamed : `${sanitize(r.command ?? '?')} (pid ${r.pid})`,
  );
  const lanchats = responders.filter((r) => r.command === 'lanchat').length;
  return [
    finding(
      'responders',
      'info',
      `UDP port 5353 is shared with: ${names.join(', ')}. That is fine for multicast (avahi, ` +
        'Bonjour and lanchat coexist)' +
        (lanchats > 1 ? '; several lanchat processes: is lanchat running twice, with two profiles?' : ''),
    ),
  ];
}

/** `_lanchat._tcp` instances that answered the self-test but are none of the peers the node knows
 * (nor ourselves): they announce another network (passphrase) or could not be resolved. Compared
 * by instance label: on a private network labels are random and say nothing of the nick. */
export function strangerFindings(instances: readonly string[], diagnosis: NodeDiagnosis): Finding[] {
  const known = new Set([
    diagnosis.instance ?? diagnosis.nick,
    ...diagnosis.peers.flatMap((p) => (p.hint ? [p.hint.instance ?? p.hint.nick] : [])),
  ]);
  const strangers = new Set<string>();
  for (const instance of instances) {
    const label = labelOfInstance(instance);
    if (label === undefined) continue;
    if (known.has(label) || known.has(nickOfLabel(label))) continue;
    strangers.add(nickOfLabel(label));
  }
  if (strangers.size === 0) return [];
  const list = [...strangers].slice(0, 10).map((n) => `"${sanitize(n)}"`);
  return [
    finding(
      'peers',
      'warn',
      `${strangers.size} lanchat announcement(s) heard that are not peers of this node: ${list.join(', ')}; ` +
        'they are on another network (passphrase) or their records did not resolve',
      'if they are colleagues, use the same --network passphrase (or LANCHAT_NETWORK) on both sides',
    ),
  ];
}
