// A temporary node for `lanchat send` / `lanchat peers` in-process tests: the command's runtime
// factory, wired to a NodeFixture's memory transport and discovery (never mDNS in the root
// namespace) with the profile's real SQLite database.

import type { RuntimeFactory } from '../../src/cli/profile-node.js';
import { LanchatNode } from '../../src/core/node.js';
import { MemoryDiscovery } from '../../src/discovery/memory-discovery.js';
import { databasePathIn, openSqliteStore } from '../../src/store/sqlite-store.js';
import { FAST_BACKOFF, FAST_HEARTBEAT, type NodeFixture } from '../core/node-fixture.js';

let hostCounter = 100;

/** Each call builds the node on a fresh fake host; `created` counts how often it was used. */
export function memoryRuntime(fixture: NodeFixture): RuntimeFactory & { created: number } {
  const factory = ((config, identity) => {
    factory.created++;
    const host = `10.0.1.${++hostCounter}`;
    const store = openSqliteStore({ path: databasePathIn(config.profileDir) });
    const node = new LanchatNode(
      {
        identity,
        networkKey: config.networkKey,
        transport: fixture.network.transport(host),
        discovery: new MemoryDiscovery(fixture.bus, { address: host }),
        store,
      },
      { nick: config.nick, port: config.port, heartbeat: FAST_HEARTBEAT, backoff: FAST_BACKOFF },
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
  }) as RuntimeFactory & { created: number };
  factory.created = 0;
  return factory;
}
