// The victim of bench:hostile, alone in its process so that its RSS is its own: a lanchat node on
// 127.0.0.1 with the default limits and a room of 1,000 messages of 4 KB each (a full catch-up
// answer is ~4.5 MB). Prints one JSON line when ready ({ port, publicKey }); then answers every
// line on stdin with { rss } (bytes) and { lagMs }, the longest event-loop stall since the last.
//   tsx scripts/bench-hostile/victim.ts DIR
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import nacl from 'tweetnacl';
import { LanchatNode } from '../../src/core/node.js';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import { MemoryDiscovery, MemoryDiscoveryBus } from '../../src/discovery/memory-discovery.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { createTcpTransport } from '../../src/transport/tcp-transport.js';
import { seedFloodRoom } from '../../test/limits/seed-room.js';

const dir = process.argv[2] ?? '.';
const store = openSqliteStore({ path: join(dir, 'victim.db') });
seedFloodRoom(store);
const identity = nacl.sign.keyPair();
const node = new LanchatNode(
  {
    identity,
    networkKey: DEFAULT_NETWORK_KEY,
    transport: createTcpTransport(),
    // Nobody to discover: the honest peer and the attackers dial us.
    discovery: new MemoryDiscovery(new MemoryDiscoveryBus(), { address: '127.0.0.1' }),
    store,
  },
  { nick: 'victim', port: 0, host: '127.0.0.1' },
);
await node.start();
process.stdout.write(
  `${JSON.stringify({ port: node.port, publicKey: Buffer.from(identity.publicKey).toString('base64') })}\n`,
);
// The longest event-loop stall since the previous request: what a DM arriving then waits for.
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
for await (const _line of createInterface({ input: process.stdin })) {
  process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage().rss, lagMs: lag.max / 1e6 })}\n`);
  lag.reset();
}
await node.stop();
store.close();
