// Remembered peers (core/remembered-peers.ts) and the last error of dialling each, as the node
// reports them in its diagnosis: from the node running on the profile, or the temporary one doctor
// started. A node of an older version reports none (undefined).
import type { RememberedPeerInfo } from '../../core/events.js';
import { sanitize } from '../../ui/model/sanitize.js';
import { type Finding, finding } from './finding.js';

export type RememberedPeerStatus = Pick<
  RememberedPeerInfo,
  'id' | 'nick' | 'addresses' | 'online' | 'lastError'
>;

export function rememberedFindings(peers: readonly RememberedPeerStatus[] | undefined): Finding[] {
  if (peers === undefined) {
    return [
      finding(
        'remembered',
        'info',
        'remembered peers: the running lanchat does not report them (an older version)',
      ),
    ];
  }
  if (peers.length === 0) return [finding('remembered', 'info', 'no remembered peers yet')];
  return peers.map((p) =>
    p.online || p.lastError === undefined
      ? finding('remembered', 'ok', `${sanitize(p.nick ?? p.id)}: remembered at ${p.addresses.join(', ')}`)
      : finding(
          'remembered',
          'warn',
          `${sanitize(p.nick ?? p.id)}: remembered at ${p.addresses.join(', ')}, last error: ${sanitize(p.lastError)}`,
          'if it moved, reconnect once with an invite code or --peer',
        ),
  );
}
