// The composition root for a running node: the real adapters (TCP, mDNS + static peers, SQLite)
// wired into the core, plus the local control socket that `lanchat send` and `lanchat peers` use.
// Only src/cli names concrete adapters. Both front ends (terminal UI, headless) run through here.
import { LanchatNode } from '../core/node.js';
import { createSegmentOf } from '../discovery/segment-of.js';
import { createNodeFileAccess } from '../files/node-file-access.js';
import type { Identity } from '../identity/identity-file.js';
import { databasePathIn, openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createTcpTransport } from '../transport/tcp-transport.js';
import type { NodeConfig } from './common-options.js';
import { controlSocketPath } from './control-protocol.js';
import { ControlServer } from './control-server.js';
import { discoverySources } from './discovery-sources.js';

/** Bound on goodbyes at exit, so a wedged peer cannot keep the process alive. */
const SHUTDOWN_TIMEOUT_MS = 3_000;

export interface NodeRuntime {
  node: LanchatNode;
  store: Store;
  /** Starts the node, then the control socket; a socket failure is only a warning. */
  start(warn: (code: string, message: string) => void): Promise<void>;
  /** Control socket closed, goodbyes on every link and in mDNS (bounded in time), store closed. */
  shutdown(): Promise<void>;
}

export function createNodeRuntime(config: NodeConfig, identity: Identity): NodeRuntime {
  // The store comes first: a damaged or locked database must stop us before we announce anything.
  const store = openSqliteStore({ path: databasePathIn(config.profileDir) });
  const { discovery } = discoverySources(config);
  const node = new LanchatNode(
    {
      identity,
      networkKey: config.networkKey,
      transport: createTcpTransport(),
      discovery,
      store,
      files: createNodeFileAccess(),
    },
    {
      nick: config.nick,
      port: config.port,
      awayAfterMs: config.awayAfterMs,
      catchup: config.catchup,
      readReceipts: config.readReceipts,
      limits: {
        peers: config.peerCaps,
        inboundRate: config.inboundRate,
        maxHistoryBytes: config.maxHistoryBytes,
      },
      drops: { hold: config.hold },
      peerExchange: config.peerExchange,
      segmentOf: createSegmentOf(),
      files: {
        downloadDir: config.downloadDir,
        autoAcceptVerified: config.autoAcceptVerified,
        maxFileSize: config.maxFileSize,
        maxDownloadingBytes: config.maxDownloadingBytes,
      },
    },
  );
  // Created only now that we hold the store's lock: a socket file found in the profile is then a
  // crashed node's leftover and may be replaced.
  const control = new ControlServer({
    node,
    outbox: store.outbox,
    socketPath: controlSocketPath(config.profileDir),
  });
  let closing: Promise<void> | undefined;
  return {
    node,
    store,
    async start(warn) {
      await node.start();
      // Without the socket the node still chats; only `lanchat send/peers` cannot reach it.
      await control.listen().catch((err: unknown) => {
        const code = err instanceof Error && 'code' in err ? String(err.code) : 'control-failed';
        warn(code, err instanceof Error ? err.message : String(err));
      });
    },
    shutdown() {
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref());
      closing ??= Promise.race([
        control
          .close()
          .catch(() => undefined)
          .then(() => node.stop()),
        timeout,
      ]).finally(() => store.close());
      return closing;
    },
  };
}
