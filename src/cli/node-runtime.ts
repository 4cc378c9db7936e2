// The composition root for a running node: the real adapters (TCP, mDNS + static peers, SQLite)
// wired into the core. Only src/cli names concrete adapters.
import { LanchatNode } from '../core/node.js';
import { CombinedDiscovery } from '../discovery/combined-discovery.js';
import { MdnsDiscovery } from '../discovery/mdns-discovery.js';
import { StaticPeers } from '../discovery/static-peers.js';
import type { Identity } from '../identity/identity-file.js';
import { databasePathIn, openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createTcpTransport } from '../transport/tcp-transport.js';
import type { NodeConfig } from './common-options.js';

export interface NodeRuntime {
  node: LanchatNode;
  store: Store;
  /** Goodbyes on every link and in mDNS, then the database is closed. */
  shutdown(): Promise<void>;
}

export function createNodeRuntime(config: NodeConfig, identity: Identity): NodeRuntime {
  // The store comes first: a damaged or locked database must stop us before we announce anything.
  const store = openSqliteStore({ path: databasePathIn(config.profileDir) });
  const discovery = new CombinedDiscovery([
    new MdnsDiscovery({ interfaces: config.interfaces }),
    new StaticPeers(config.peers),
  ]);
  const node = new LanchatNode(
    { identity, networkKey: config.networkKey, transport: createTcpTransport(), discovery, store },
    { nick: config.nick, port: config.port },
  );
  let closing: Promise<void> | undefined;
  return {
    node,
    store,
    shutdown() {
      closing ??= node.stop().finally(() => store.close());
      return closing;
    },
  };
}
