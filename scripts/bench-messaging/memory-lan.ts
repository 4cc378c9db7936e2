// The in-process LAN the history and drops benchmarks run on: real nodes (secure channel, SQLite)
// over the in-memory transport and discovery. Each node has its own database in `dir`, named after
// it: a node made again under the same name opens the same database, as after a restart.
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { LanchatNode, type NodeInit } from '../../src/core/node.js';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import { MemoryDiscovery, MemoryDiscoveryBus } from '../../src/discovery/memory-discovery.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { createMemoryNetwork } from '../../src/transport/memory-transport.js';

export interface LanMember {
  node: LanchatNode;
  store: Store;
  identity: nacl.SignKeyPair;
}

export class MemoryLan {
  private readonly net = createMemoryNetwork();
  private readonly bus = new MemoryDiscoveryBus();
  /** Every store opened here (and any the caller adds): closed by close(). */
  readonly stores: Store[] = [];

  constructor(private readonly dir: string) {}

  /** A bare transport at `host` on this LAN (for peers that are not whole nodes). */
  transport(host: string) {
    return this.net.transport(host);
  }

  /** A node named `name` at `host`; `init` adds to (or overrides) its nick and port. */
  member(
    name: string,
    host: string,
    init: Partial<NodeInit> = {},
    identity = nacl.sign.keyPair(),
  ): LanMember {
    const store = openSqliteStore({ path: join(this.dir, `${name}.db`) });
    this.stores.push(store);
    const node = new LanchatNode(
      {
        identity,
        networkKey: DEFAULT_NETWORK_KEY,
        transport: this.net.transport(host),
        discovery: new MemoryDiscovery(this.bus, { address: host }),
        store,
      },
      { nick: name, port: 7475, ...init },
    );
    return { node, store, identity };
  }

  close(): void {
    for (const s of this.stores) s.close();
  }
}

/** Polls `probe` until it holds; throws after `ms` naming `what`. */
export async function until(what: string, probe: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
