// Peers as the node sees them: connected, heard of but not connected (and the reason of the last
// failed dial), blocked, or with a clock far ahead. Nicks come from the network: sanitized.
import type { NodeDiagnosis, PeerDiagnosis } from '../../core/diagnosis.js';
import { sanitize } from '../../ui/model/sanitize.js';
import { linkUp } from '../control-protocol.js';
import { type Finding, finding } from './finding.js';

const FIX: Record<string, string> = {
  unreachable:
    'it announces an address this host cannot reach: check that both are on the same network ' +
    '(VPN, Wi-Fi client isolation, another subnet) and that its firewall allows its TCP port',
  'network-mismatch':
    'it uses another network passphrase: start both with the same --network (or LANCHAT_NETWORK)',
  refused:
    'it refused the connection: it may have blocked you, or it knows another key under your nick ' +
    '(you reinstalled? it can /forget the old one, or you can pick another nick), or its key changed',
  'handshake-timeout': 'it accepted TCP but did not finish the handshake: it may be overloaded or stuck',
  'handshake-failed':
    'it does not speak lanchat’s protocol at that address (another program, or an old version)',
};

function name(p: PeerDiagnosis): string {
  const nick = p.nick || p.advertisedNick || '?';
  return `${sanitize(nick)} (${p.id.slice(0, 8)}…)`;
}

/** `live`: the instance labels (and nicks) that answered doctor's mDNS query just now (they are up). */
export function peerFindings(diagnosis: NodeDiagnosis, live: ReadonlySet<string> = new Set()): Finding[] {
  const out: Finding[] = [];
  if (diagnosis.requestedNick !== undefined) {
    out.push(
      finding(
        'names',
        'warn',
        `the name "${sanitize(diagnosis.requestedNick)}" is taken on this LAN; you appear as "${sanitize(diagnosis.nick)}"`,
        'pick another --nick, or find who else uses it (lanchat discover)',
      ),
    );
  } else out.push(finding('names', 'ok', `published as "${sanitize(diagnosis.nick)}" with no name conflict`));
  // A peer in a lost link's grace (online, no link) is diagnosed like any other missing peer.
  const online = diagnosis.peers.filter(linkUp);
  out.push(
    finding(
      'peers',
      online.length > 0 ? 'ok' : 'info',
      `${online.length} peer(s) connected${online.length > 0 ? `: ${online.slice(0, 20).map(name).join(', ')}` : ''}`,
    ),
  );
  for (const p of diagnosis.peers) {
    if (p.blocked) {
      out.push(finding('peers', 'info', `${name(p)} is blocked by you`, `/unblock ${p.id} to talk again`));
      continue;
    }
    if (p.clockAhead) {
      out.push(
        finding(
          'peers',
          'warn',
          `${name(p)} sends messages dated ahead of this machine's clock; some were dropped`,
          'set both clocks right (NTP: `timedatectl set-ntp true`)',
        ),
      );
    }
    if (linkUp(p) || !p.hint) continue;
    const at = `${p.hint.addresses.slice(0, 4).join(', ')} port ${p.hint.port} [${p.hint.source}]`;
    if (!p.lastFailure) {
      out.push(finding('peers', 'info', `${name(p)} heard at ${at}; not connected yet (dialling)`));
      continue;
    }
    // A peer that answered and said no is certainly there and misconfigured. An unreachable one
    // may just be switched off (DNS zones and --peer list colleagues who are away; mDNS records
    // of a crashed host linger): a problem only when it answered doctor's mDNS query just now.
    const gone = p.lastFailure.reason === 'unreachable' && !live.has(p.hint.instance ?? p.hint.nick);
    out.push(
      finding(
        'peers',
        gone ? 'warn' : 'fail',
        `${name(p)} heard at ${at} but not connected: ${p.lastFailure.reason} (${sanitize(p.lastFailure.message)})` +
          (gone ? '; it may be switched off' : ''),
        FIX[p.lastFailure.reason],
      ),
    );
  }
  return out;
}
