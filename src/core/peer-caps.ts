// How many authenticated peers we keep linked, from one address and in total (Sybil floods).
//
// Keys cost nothing to make, so one host can complete the handshake as thousands of identities;
// each linked identity costs a peer-table entry, a link with its queues and heartbeats, and a
// share of every room fan-out. The defaults are far above any office (a floor of 100, a shared
// terminal server with a few users), so only a flood reaches them. An identity that is already
// linked may always replace its own link: the cap counts identities, not reconnects.
import type { Peer } from './peer-table.js';

export const MAX_PEERS = 1024;
export const MAX_PEERS_PER_ADDRESS = 16;

export interface PeerCapLimits {
  readonly total?: number;
  readonly perAddress?: number;
}

/** Why a new link from `address` for identity `id` must be refused, or undefined to keep it. */
export function peerCapRefusal(
  online: readonly Peer[],
  id: string,
  address: string,
  limits: PeerCapLimits = {},
): string | undefined {
  const total = limits.total ?? MAX_PEERS;
  const perAddress = limits.perAddress ?? MAX_PEERS_PER_ADDRESS;
  let others = 0;
  let fromAddress = 0;
  for (const peer of online) {
    if (peer.id === id || !peer.link || peer.link.isClosed) continue;
    others++;
    if (peer.link.remoteAddress === address) fromAddress++;
  }
  if (fromAddress >= perAddress) {
    return `refused another identity from ${address}: ${perAddress} peers are already linked from that address (--max-peers-per-address)`;
  }
  if (others >= total) {
    return `refused a peer from ${address}: ${total} peers are already linked (--max-peers)`;
  }
  return undefined;
}
