// One lanchat node in its own process for the file benchmark and the SIGKILL resume test: TCP on
// 127.0.0.1, the other node as a static peer (never mDNS in the root namespace), SQLite in a temp
// profile, the real file adapter. stdin takes headless commands; stdout carries every node event
// as a JSON line with `at` (ms, high resolution, this process's clock) and, every 100 ms, the RSS,
// the CPU time and the secretbox engine box-stream is on.
import { performance } from 'node:perf_hooks';
import nacl from 'tweetnacl';
import { runCommands } from '../../src/cli/headless.js';
import { LanchatNode } from '../../src/core/node.js';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import { secretboxEngine } from '../../src/crypto/secretbox-raw.js';
import { StaticPeers } from '../../src/discovery/static-peers.js';
import { createNodeFileAccess } from '../../src/files/node-file-access.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { createTcpTransport } from '../../src/transport/tcp-transport.js';

export interface FileNodeConfig {
  nick: string;
  seed: string; // hex, 32 bytes
  port: number;
  dbPath: string;
  downloadDir: string;
  peer: { publicKey: string; port: number }; // base64 key
}

const config = JSON.parse(process.argv[2] ?? '{}') as FileNodeConfig;
const identity = nacl.sign.keyPair.fromSeed(Buffer.from(config.seed, 'hex'));
const store = openSqliteStore({ path: config.dbPath });
const node = new LanchatNode(
  {
    identity,
    networkKey: DEFAULT_NETWORK_KEY,
    transport: createTcpTransport(),
    discovery: new StaticPeers(
      [
        {
          publicKey: new Uint8Array(Buffer.from(config.peer.publicKey, 'base64')),
          host: '127.0.0.1',
          port: config.peer.port,
        },
      ],
      { lookup: async (host) => [host] },
    ),
    store,
    files: createNodeFileAccess(),
  },
  { nick: config.nick, port: config.port, host: '127.0.0.1', files: { downloadDir: config.downloadDir } },
);
const at = () => performance.timeOrigin + performance.now();
const write = (line: object) => process.stdout.write(`${JSON.stringify({ ...line, at: at() })}\n`);
node.subscribe(write);
setInterval(() => {
  const cpu = process.cpuUsage();
  write({
    type: 'mem',
    rss: process.memoryUsage.rss(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    engine: secretboxEngine(),
  });
}, 100).unref();
const quit = () => {
  void node.stop().finally(() => {
    store.close();
    process.exit(0);
  });
};
process.on('SIGTERM', quit);
await node.start();
runCommands(node, { stdin: process.stdin, write }, quit);
