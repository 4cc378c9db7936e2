// The discovery role, as core sees it. Implementations: mDNS (real networks), static peers
// (--peer), and an in-memory bus for in-process tests. One contract suite runs against all.
// Everything a discovery reports is a hint: identity is proven only by the secure handshake.

/** What this node publishes about itself. */
export interface LocalService {
  /** Display name, used as the DNS-SD instance name (may be changed on conflict). */
  nick: string;
  /** TCP port the node accepts connections on. */
  port: number;
  /** Our Ed25519 public key (32 bytes). */
  publicKey: Uint8Array;
  /** Tag derived from the network key; peers with another tag are ignored. On the public network
   * it is published (TXT v=1); a private network's mDNS seals everything instead and publishes
   * no tag (MdnsDiscoveryOptions.discoveryKey, sealed-txt.ts). */
  networkTag: string;
}

/** A peer as learned from discovery: unauthenticated. */
export interface PeerHint {
  /** The peer's claimed Ed25519 public key, base64 (32 bytes). */
  publicKey: string;
  /** The claimed nick (DNS-SD instance name). */
  nick: string;
  /** Addresses to dial, best first. IPv6 link-local ones carry their `%scope`. */
  addresses: string[];
  port: number;
  /** Where the hint came from: a discovery, or core's own sources (a remembered peer, a peer
   * exchange entry, an invite code given to /connect). */
  source: 'mdns' | 'static' | 'dns-sd' | 'memory' | 'remembered' | 'pex' | 'invite';
  /** mDNS only: the DNS-SD instance label it is announced under. Usually the nick; random on a
   * private network (sealed TXT), where only this tells its announcement from a stranger's. */
  instance?: string;
}

export type DiscoveryEvent =
  | { type: 'up'; peer: PeerHint }
  | { type: 'update'; peer: PeerHint }
  | { type: 'down'; publicKey: string; reason: 'goodbye' | 'expired' | 'stopped' }
  | { type: 'renamed'; nick: string; previous: string }
  /** Our name is probed and announced (RFC 6762 §8): peers can now find us under `nick`. */
  | { type: 'announced'; nick: string }
  | { type: 'warning'; code: string; message: string };

export type DiscoveryListener = (event: DiscoveryEvent) => void;

export interface Discovery {
  /** Starts publishing `local` and browsing for peers. Resolves once sockets are open. */
  start(local: LocalService): Promise<void>;
  /** Changes what is published (nick, port); re-announces as the RFC requires. */
  update(change: Partial<Pick<LocalService, 'nick' | 'port'>>): void;
  /** Peers currently known, keyed by public key. */
  peers(): PeerHint[];
  /** mDNS only: the instance label we are announced under now (random on a private network). */
  instanceLabel?(): string | undefined;
  /** Subscribes to events; returns the unsubscribe function. */
  subscribe(listener: DiscoveryListener): () => void;
  /** Says goodbye (TTL 0 records) and closes sockets. Idempotent. */
  stop(): Promise<void>;
}
