// `lanchat discover --json` running in a namespace host, with the peer table it reports rebuilt
// from its JSON lines. Contract (one object per line): ready, peer_up, peer_update, peer_down,
// renamed, announced, warning, error, bye.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostInfo, Network } from './harness.js';
import type { JsonEvent, ProcessHandle } from './process-handle.js';

export interface Peer {
  publicKey: string;
  nick: string;
  addresses: string[];
  port: number;
  source: string;
}

export interface ReadyEvent {
  type: 'ready';
  id: string;
  publicKey: string;
  nick: string;
  port: number;
  interfaces: unknown;
}

export interface DiscoverOptions {
  nick: string;
  /** --network passphrase (omit for the public default network). */
  network?: string;
  /** --interface, repeatable (omit: lanchat's own choice). */
  interfaces?: string[];
  port?: number;
  extraArgs?: string[];
}

let profileCounter = 0;

export class LanchatNode {
  readonly host: HostInfo;
  readonly process: ProcessHandle;
  readonly options: DiscoverOptions;

  constructor(host: HostInfo, process: ProcessHandle, options: DiscoverOptions) {
    this.host = host;
    this.process = process;
    this.options = options;
  }

  async ready(timeoutMs = 10_000): Promise<ReadyEvent> {
    return (await this.process.waitFor((e) => e.type === 'ready', timeoutMs, {
      what: 'ready',
    })) as unknown as ReadyEvent;
  }

  /** Peers as reported so far: peer_up/peer_update set an entry, peer_down removes it. */
  peers(): Map<string, Peer> {
    return peersFrom(this.process.events);
  }

  /** Waits until the peer table satisfies `predicate` (evaluated after every new line). */
  async waitForPeers(
    predicate: (peers: Map<string, Peer>) => boolean,
    timeoutMs: number,
    what = 'peer table condition',
  ): Promise<Map<string, Peer>> {
    await this.process.waitFor(() => predicate(this.peers()), timeoutMs, { what });
    return this.peers();
  }

  /** Waits for a peer with this key to be present (and to match `extra`, if given). */
  async waitForPeer(
    publicKey: string,
    timeoutMs: number,
    extra: (p: Peer) => boolean = () => true,
  ): Promise<Peer> {
    const peers = await this.waitForPeers(
      (m) => {
        const p = m.get(publicKey);
        return p !== undefined && extra(p);
      },
      timeoutMs,
      `peer ${publicKey}`,
    );
    return peers.get(publicKey)!;
  }

  /** The nick this node currently publishes (ready, then renamed/announced). */
  currentNick(): string | undefined {
    let nick: string | undefined;
    for (const e of this.process.events) {
      if (e.type === 'ready' || e.type === 'renamed' || e.type === 'announced') nick = String(e.nick);
    }
    return nick;
  }

  /** SIGTERM (clean exit: goodbyes first) and wait for the process to end. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.process.kill('SIGTERM');
    await this.process.waitForExit(timeoutMs);
  }

  describe(): string {
    return this.process.describe();
  }
}

export function peersFrom(events: readonly JsonEvent[]): Map<string, Peer> {
  const peers = new Map<string, Peer>();
  for (const e of events) {
    if ((e.type === 'peer_up' || e.type === 'peer_update') && e.peer && typeof e.peer === 'object') {
      const peer = e.peer as Peer;
      peers.set(peer.publicKey, peer);
    } else if (e.type === 'peer_down' && typeof e.publicKey === 'string') {
      peers.delete(e.publicKey);
    }
  }
  return peers;
}

/** Starts `node bin/lanchat.js discover --json` in `host` with a fresh profile of its own. */
export function startDiscover(
  network: Network,
  host: string | HostInfo,
  options: DiscoverOptions,
): LanchatNode {
  const h = network.host(host);
  const profile = join(network.dir, `profile-${h.name}-${++profileCounter}`);
  mkdirSync(profile, { recursive: true, mode: 0o700 });
  const argv = ['node', 'bin/lanchat.js', 'discover', '--json', '--nick', options.nick, '--profile', profile];
  if (options.network !== undefined) argv.push('--network', options.network);
  for (const iface of options.interfaces ?? []) argv.push('--interface', iface);
  if (options.port !== undefined) argv.push('--port', String(options.port));
  argv.push(...(options.extraArgs ?? []));
  // The network passphrase must come from the flag only, never from the developer's environment.
  const env = { LANCHAT_NETWORK: undefined, LANCHAT_PROFILE: undefined };
  const process = network.spawn(h, argv, { env, label: `lanchat discover ${options.nick}` });
  return new LanchatNode(h, process, options);
}

/** IPv4 addresses of `peer` that lie in the /24 of `ipv4`. */
export function sameSubnet(address: string, ipv4: string | null): boolean {
  if (ipv4 === null) return false;
  return address.split('.').slice(0, 3).join('.') === ipv4.split('.').slice(0, 3).join('.');
}
