// How many authenticated peers we keep linked, from one address and in total (Sybil floods).
//
// Keys cost nothing to make, so one host can complete the handshake as thousands of identities;
// each linked identity costs a peer-table entry, a link with its queues and heartbeats, and a
// share of every room fan-out. The defaults are far above any office (a floor of 100, a shared
// terminal server with a few users), so only a flood reaches them. An identity that is already
// linked may always replace its own link: the cap counts identities, not reconnects.
export const MAX_PEERS = 1024;
export const MAX_PEERS_PER_ADDRESS = 16;

export interface PeerCapLimits {
  readonly total?: number;
  readonly perAddress?: number;
}

/**
 * Linked identities by the address their link runs from, kept as links come and go (link-keeper.ts)
 * so that admitting one costs O(1): the count used to be a walk over every online peer at each
 * admission, O(N) per arrival for each host of a floor of N.
 */
export class LinkedPeers {
  private readonly byAddress = new Map<string, Set<string>>();
  private readonly addressOf = new Map<string, string>();

  /** `id` is linked from `address` (again: a new link replaces what its old one counted). */
  add(id: string, address: string): void {
    this.remove(id);
    const ids = this.byAddress.get(address) ?? new Set<string>();
    ids.add(id);
    this.byAddress.set(address, ids);
    this.addressOf.set(id, address);
  }

  remove(id: string): void {
    const address = this.addressOf.get(id);
    if (address === undefined) return;
    this.addressOf.delete(id);
    const ids = this.byAddress.get(address);
    ids?.delete(id);
    if (ids?.size === 0) this.byAddress.delete(address);
  }

  /** Why a new link from `address` for identity `id` must be refused, or undefined to keep it. */
  refusal(id: string, address: string, limits: PeerCapLimits = {}): string | undefined {
    const total = limits.total ?? MAX_PEERS;
    const perAddress = limits.perAddress ?? MAX_PEERS_PER_ADDRESS;
    const own = this.addressOf.get(id);
    const others = this.addressOf.size - (own === undefined ? 0 : 1);
    const fromAddress = (this.byAddress.get(address)?.size ?? 0) - (own === address ? 1 : 0);
    if (fromAddress >= perAddress) {
      return `refused another identity from ${address}: ${perAddress} peers are already linked from that address (--max-peers-per-address)`;
    }
    if (others >= total) {
      return `refused a peer from ${address}: ${total} peers are already linked (--max-peers)`;
    }
    return undefined;
  }
}
