// Every peer we ever had a chat link with is remembered with the address it worked through (ours
// to it, or its own when it dialled us) and its listening port, so that after a restart we dial it
// directly, whether or not multicast reaches it (another subnet, a VLAN). Bounded and aged out by
// the store; the last dial error is kept for `lanchat doctor`. Addresses read back from disk go
// through the address policy again before anything dials them.

import { hostKey } from '../connection/link-factory.js';
import type { PeerLink } from '../connection/peer-link.js';
import { BoundedCache } from '../crypto/bounded-cache.js';
import type { PeerHint } from '../discovery/discovery.js';
import { base64Of, parseId } from '../identity/ids.js';
import { canonicalAddress, type PolicyOptions, policyProblem } from '../protocol/address-policy.js';
import { MAX_REMEMBERED_PEERS, type RememberedPeer, type Store } from '../store/store.js';
import type { Clock } from './clock.js';
import type { Peer } from './peer-table.js';

/** A peer not seen for this long is forgotten. */
export const REMEMBER_FOR_MS = 30 * 24 * 3600_000;
/** Failed dials in a row after which a remembered peer is left alone for this run (about five
 * minutes on the slow schedule that a remembered peer nobody answers for is retried on, dialer.ts):
 * an office remembers hundreds of laptops, most of them off at any time, and redialling them all
 * for ever would crowd out the peers that are there. A peer that comes back dials us (it
 * remembers us too), and mDNS or peer exchange bring it back. */
export const REMEMBERED_ATTEMPTS = 12;
/** Hosts kept per peer in linkedAt (a laptop moves between a few networks; the bound is for keys
 * that link from many addresses). */
const MAX_HOSTS_PER_PEER = 8;

export interface RememberedPeersOptions {
  store: Store;
  clock: Clock;
  policy: PolicyOptions;
}

/** A link that comes up again through the address and port already remembered first moves only
 * lastConnected, which ages the row out after REMEMBER_FOR_MS and orders `lanchat peers`: written
 * at most this often per peer, so peers reconnecting cost no write per link. */
export const REMEMBER_REFRESH_MS = 10 * 60_000;

/** A row as this run last wrote it (RememberedPeers.written). */
type RowWritten = { address: string; port: number; at: number } | { error: string; at: number };

export class RememberedPeers {
  private readonly failures = new Map<string, number>();
  /** What this run last wrote to each peer's row, and when (clock time): a link through the
   * address and port written, or a dial error. A write that would change nothing but the time is
   * skipped within REMEMBER_REFRESH_MS: links that come up again, and a dial that fails the same way
   * again (a restart the next morning dials every remembered peer, most not started yet, again and
   * again until each comes up: ≈ 350 failed dials per node on a floor of 100 arriving over 40 s,
   * each writing the same "connection refused"). Dropped whenever the row may differ; bounded like
   * the table itself (identities that come and go must not grow it for ever). */
  private readonly written = new BoundedCache<string, RowWritten>(MAX_REMEMBERED_PEERS);

  /** Hosts where an authenticated link with the peer came up (its row, and this run's links): a
   * dial there is the peer's own, and made-up keys announced at the same address must not take its
   * turn (dial-budget.ts). Bounded like the table. */
  private readonly linkedAt = new BoundedCache<string, Set<string>>(MAX_REMEMBERED_PEERS);

  constructor(private readonly o: RememberedPeersOptions) {}

  /** Did a link with this peer come up from or to `address` (any port)? */
  linkedThere(id: string, address: string): boolean {
    return this.linkedAt.get(id)?.has(hostKey(address)) ?? false;
  }

  private noteLinked(id: string, addresses: readonly string[]): void {
    const hosts = this.linkedAt.get(id) ?? new Set<string>();
    for (const address of addresses) if (hosts.size < MAX_HOSTS_PER_PEER) hosts.add(hostKey(address));
    this.linkedAt.set(id, hosts);
  }

  /** Hints to dial at start: every remembered peer younger than REMEMBER_FOR_MS. */
  hints(): PeerHint[] {
    const { store, clock } = this.o;
    store.remembered.expire(clock.now() - REMEMBER_FOR_MS);
    const hints: PeerHint[] = [];
    for (const entry of store.remembered.list()) {
      // Read back from disk: an id that is not a lanchat id is skipped like one with no address.
      const key = parseId(entry.id);
      const addresses = entry.addresses.filter((a) => this.dialable(a));
      if (!key || addresses.length === 0) continue;
      this.noteLinked(entry.id, addresses);
      hints.push({
        publicKey: base64Of(key),
        nick: '',
        addresses,
        port: entry.port,
        source: 'remembered',
      });
    }
    return hints;
  }

  /** Where to dial a peer that only ever dialled us, from its lost link: the address it came from
   * and the port its hello named, as a restart would dial it (undefined if not dialable). */
  hintFromLink(peer: Peer | undefined, link: PeerLink): PeerHint | undefined {
    const where = this.whereLinked(peer, link);
    if (!where) return undefined;
    return {
      publicKey: base64Of(link.remotePublicKey),
      nick: '',
      addresses: [where.address],
      port: where.port,
      source: 'remembered',
    };
  }

  /** The link's remote address and the peer's listening port, if that is somewhere we may dial. */
  private whereLinked(peer: Peer | undefined, link: PeerLink): { address: string; port: number } | undefined {
    const port = listenPort(peer, link);
    const address = canonicalAddress(link.remoteAddress);
    if (port === undefined || address === undefined || !this.dialable(address)) return undefined;
    return { address, port };
  }

  /** A chat link is up: remember where it reached us or we reached it. */
  linkUp(peer: Peer, link: PeerLink): void {
    const where = this.whereLinked(peer, link);
    if (!where) return;
    const { address, port } = where;
    this.failures.delete(peer.id);
    this.noteLinked(peer.id, [address]);
    const now = this.o.clock.now();
    const last = this.written.get(peer.id);
    if (
      last &&
      'address' in last &&
      last.address === address &&
      last.port === port &&
      now - last.at < REMEMBER_REFRESH_MS
    )
      return;
    this.written.delete(peer.id); // a failed write leaves nothing to trust
    this.o.store.remembered.remember(peer.id, address, port);
    this.written.set(peer.id, { address, port, at: now });
  }

  /** Records the error; true when the peer has failed REMEMBERED_ATTEMPTS times in a row. */
  dialFailed(peer: Peer, error: unknown): boolean {
    const message = error instanceof Error ? error.message : String(error);
    const now = this.o.clock.now();
    const last = this.written.get(peer.id);
    if (!last || !('error' in last) || last.error !== message || now - last.at >= REMEMBER_REFRESH_MS) {
      this.written.delete(peer.id); // a failed write leaves nothing to trust
      this.o.store.remembered.noteError(peer.id, message);
      // The row now holds an error, which the next link's write clears.
      this.written.set(peer.id, { error: message, at: now });
    }
    const failures = (this.failures.get(peer.id) ?? 0) + 1;
    this.failures.set(peer.id, failures);
    return failures >= REMEMBERED_ATTEMPTS;
  }

  forget(id: string): boolean {
    this.written.delete(id);
    return this.o.store.remembered.forget(id);
  }

  list(): RememberedPeer[] {
    return this.o.store.remembered.list();
  }

  private dialable(address: string): boolean {
    return policyProblem(address, this.o.policy) === undefined;
  }
}

/** The port a peer accepts connections on: the one its hello names (older versions send none),
 * else the one we know from discovery. */
export function listenPort(peer: Peer | undefined, link: PeerLink): number | undefined {
  return link.remoteHello?.port ?? peer?.hint?.port;
}
