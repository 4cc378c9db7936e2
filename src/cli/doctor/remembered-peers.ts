// SEAM (issue #17, `subnets` work): remembered peers and their last error. Until the store keeps
// remembered peers, doctor says it cannot list them; when it does, rememberedPeersOf returns them
// (from the running node's diagnosis or the profile's store) and the findings below apply as is.
import { sanitize } from '../../ui/model/sanitize.js';
import { type Finding, finding } from './finding.js';

export interface RememberedPeerStatus {
  id: string;
  nick: string;
  addresses: string[];
  online: boolean;
  lastError?: string;
}

export function rememberedPeersOf(_profileDir: string): RememberedPeerStatus[] | undefined {
  return undefined;
}

export function rememberedFindings(peers: readonly RememberedPeerStatus[] | undefined): Finding[] {
  if (peers === undefined) {
    return [finding('remembered', 'info', 'remembered peers: not kept by this version of lanchat')];
  }
  if (peers.length === 0) return [finding('remembered', 'info', 'no remembered peers yet')];
  return peers.map((p) =>
    p.online || p.lastError === undefined
      ? finding('remembered', 'ok', `${sanitize(p.nick)}: remembered at ${p.addresses.join(', ')}`)
      : finding(
          'remembered',
          'warn',
          `${sanitize(p.nick)}: remembered at ${p.addresses.join(', ')}, last error: ${sanitize(p.lastError)}`,
          'if it moved, reconnect once with an invite code or --peer',
        ),
  );
}
