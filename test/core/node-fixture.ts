// Builds several lanchat nodes in one process: real crypto and SQLite, in-memory transport and
// discovery. `waitFor` polls a condition with a deadline instead of sleeping.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import type { Clock } from '../../src/core/clock.js';
import type { NodeEvent } from '../../src/core/events.js';
import type { FileAccess } from '../../src/core/files/file-access.js';
import { LanchatNode, type NodeInit } from '../../src/core/node.js';
import type { PeerTable } from '../../src/core/peer-table.js';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import type { Ed25519KeyPair } from '../../src/crypto/shs-keys.js';
import type { Discovery } from '../../src/discovery/discovery.js';
import { MemoryDiscovery, MemoryDiscoveryBus } from '../../src/discovery/memory-discovery.js';
import { StaticPeers } from '../../src/discovery/static-peers.js';
import { createNodeFileAccess } from '../../src/files/node-file-access.js';
import { base64Of } from '../../src/identity/ids.js';
import { encodeInvite } from '../../src/protocol/invite-code.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createMemoryNetwork, type MemoryNetwork } from '../../src/transport/memory-transport.js';
import { type Transport, TransportError } from '../../src/transport/transport.js';
import { ForgeableDiscovery } from '../hostile/forgeable-discovery.js';

export interface TestNode {
  name: string;
  host: string;
  node: LanchatNode;
  store: Store;
  identity: Ed25519KeyPair;
  events: NodeEvent[];
  dbPath: string;
}

// Short enough for quick link-cut tests, long enough that a loaded 2-core CI machine running
// several test files at once does not see false timeouts.
export const FAST_HEARTBEAT = { intervalMs: 500, timeoutMs: 3_000, idleMs: 1_000 };
export const FAST_BACKOFF = {
  fast: { initialMs: 50, maxMs: 200 },
  slow: { initialMs: 200, maxMs: 400 },
  fastForMs: 60_000,
};

export class NodeFixture {
  readonly network: MemoryNetwork = createMemoryNetwork();
  readonly bus = new MemoryDiscoveryBus();
  readonly dir = mkdtempSync(join(tmpdir(), 'lanchat-node-'));
  private readonly nodes: TestNode[] = [];
  private hostCounter = 0;

  async start(
    name: string,
    opts: {
      identity?: Ed25519KeyPair;
      host?: string;
      dbPath?: string;
      networkKey?: Uint8Array;
      init?: Partial<NodeInit>;
      /** Instead of the shared in-memory bus (e.g. static peers, for a node that skips probing). */
      discovery?: Discovery;
      /** File system access for transfers (default: the real one). */
      files?: FileAccess;
      /** Replaces the loader of the fast cipher (default: the real one, libsodium). */
      fastCrypto?: () => Promise<unknown>;
      /** Wraps the node's in-memory transport, e.g. to watch its dials. */
      transport?: (base: Transport) => Transport;
      /** Instead of the system clock (e.g. one that watches the node's timers). */
      clock?: Clock;
    } = {},
  ): Promise<TestNode> {
    const host = opts.host ?? `10.0.0.${++this.hostCounter}`;
    const identity = opts.identity ?? nacl.sign.keyPair();
    const dbPath = opts.dbPath ?? join(this.dir, `${name}-${this.hostCounter}.db`);
    const store = openSqliteStore({ path: dbPath });
    const node = new LanchatNode(
      {
        identity,
        networkKey: opts.networkKey ?? DEFAULT_NETWORK_KEY,
        transport: (opts.transport ?? ((t) => t))(this.network.transport(host)),
        discovery: opts.discovery ?? new MemoryDiscovery(this.bus, { address: host }),
        store,
        files: opts.files ?? createNodeFileAccess(),
        ...(opts.fastCrypto ? { fastCrypto: opts.fastCrypto } : {}),
        ...(opts.clock ? { clock: opts.clock } : {}),
      },
      { nick: name, port: 7475, heartbeat: FAST_HEARTBEAT, backoff: FAST_BACKOFF, ...opts.init },
    );
    const events: NodeEvent[] = [];
    node.subscribe((e) => events.push(e));
    await node.start();
    const t: TestNode = { name, host, node, store, identity, events, dbPath };
    this.nodes.push(t);
    return t;
  }

  /** Stops a node (goodbyes) and closes its store, like a clean exit. */
  async stop(t: TestNode): Promise<void> {
    await t.node.stop();
    t.store.close();
    this.nodes.splice(this.nodes.indexOf(t), 1);
  }

  async destroy(): Promise<void> {
    for (const t of [...this.nodes]) await this.stop(t);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function onlineIds(t: TestNode): string[] {
  return t.node
    .peerList()
    .filter((p) => p.online)
    .map((p) => p.id)
    .sort();
}

export function eventsOf<K extends NodeEvent['type']>(
  t: TestNode,
  type: K,
): Extract<NodeEvent, { type: K }>[] {
  return t.events.filter((e): e is Extract<NodeEvent, { type: K }> => e.type === type);
}

/** Discovery that knows exactly `target` and nothing else: how a hostile node that ignores mDNS
 * probing (and so keeps any nick it likes) reaches its victim. */
export function staticTo(target: TestNode): Discovery {
  return new StaticPeers([{ publicKey: target.identity.publicKey, host: target.host, port: 7475 }], {
    lookup: async (host) => [host],
  });
}

/** The invite code `t` would show (`lanchat invite`): its key, network check, port and host. */
export function inviteOf(t: TestNode): string {
  return encodeInvite({
    publicKey: t.identity.publicKey,
    networkCheck: t.node.networkTag.slice(0, 8),
    port: t.node.port,
    addresses: [t.host],
  });
}

/** A transport wrapper for `fx.start(..., { transport })` that records every address dialled. */
export function logDials(log: string[]): (base: Transport) => Transport {
  return (base) => ({
    ...base,
    dial: (o) => {
      log.push(o.address);
      return base.dial(o);
    },
  });
}

/** `base`, whose dials throw what `refuse` returns for them (undefined: dial as usual). */
export function failingDials(base: Transport, refuse: (address: string) => Error | undefined): Transport {
  return {
    dial: async (o) => {
      const error = refuse(o.address);
      if (error) throw error;
      return base.dial(o);
    },
    listen: (o) => base.listen(o),
  };
}

/** The node's peer table (its private state), for assertions. */
export const peersOf = (t: TestNode) => (t.node as unknown as { peers: PeerTable }).peers;

/**
 * alice (10.0.0.2) hears bob through a ForgeableDiscovery (a test can make it expire bob's
 * records or forge his goodbye) and her dials to bob throw what `dialToBob` returns (undefined:
 * the dial goes through); `dials()` counts every dial to bob, failed or not. `bobTransport` wraps
 * bob's transport; by default bob's own dials are refused, so that only alice dials.
 */
export async function aliceDiallingBob(
  fx: NodeFixture,
  options: {
    dialToBob: () => Error | undefined;
    init?: Partial<NodeInit>;
    bobTransport?: (base: Transport) => Transport;
  },
) {
  const b = await fx.start('bob', {
    transport:
      options.bobTransport ??
      ((base) => failingDials(base, () => new TransportError('refused', 'refused (test)'))),
  });
  const heard = new ForgeableDiscovery(new MemoryDiscovery(fx.bus, { address: '10.0.0.2' }));
  let dials = 0;
  const a = await fx.start('alice', {
    host: '10.0.0.2',
    discovery: heard,
    init: options.init ?? {},
    transport: (base) =>
      failingDials(base, (address) => {
        if (address !== b.host) return undefined;
        dials++;
        return options.dialToBob();
      }),
  });
  const bob = () => peersOf(a).get(b.node.id);
  return { a, b, bob, heard, bobKey: base64Of(b.identity.publicKey), dials: () => dials };
}

/** Discovery on a segment of its own: the node hears nobody (a host on another subnet). */
export function isolated(host: string): MemoryDiscovery {
  return new MemoryDiscovery(new MemoryDiscoveryBus(), { address: host });
}

/** alice (10.0.6.1) and bob (10.0.6.2) linked once by an invite, each with a discovery of its own,
 * then both stopped: each remembers the other. `spec` starts alice again with her profile. */
export async function linkedThenStopped(fx: NodeFixture): Promise<{
  spec: Pick<TestNode, 'identity' | 'dbPath' | 'host'>;
  b: TestNode;
}> {
  const a = await fx.start('alice', { host: '10.0.6.1', discovery: isolated('10.0.6.1') });
  const b = await fx.start('bob', { host: '10.0.6.2', discovery: isolated('10.0.6.2') });
  a.node.connectPeer(inviteOf(b));
  await waitFor('linked', () => onlineIds(a).includes(b.node.id));
  const spec = { identity: a.identity, dbPath: a.dbPath, host: a.host };
  await fx.stop(a);
  await fx.stop(b);
  return { spec, b };
}
