// `lanchat --headless --json` running in a namespace host: the chat node as scripts and bots see
// it. Helpers wait on its JSON lines with deadlines.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostInfo, Network } from './harness.js';
import type { JsonEvent, ProcessHandle } from './process-handle.js';

let counter = 0;

export interface HeadlessOptions {
  nick: string;
  /** Reuse a profile (identity, database) to restart "the same user". */
  profile?: string;
  extraArgs?: string[];
  /** Added to the environment (e.g. LANCHAT_NETWORK); by default it is unset. */
  env?: Record<string, string | undefined>;
}

export interface HeadlessNode {
  host: HostInfo;
  profile: string;
  process: ProcessHandle;
  id(): Promise<string>;
}

export function startHeadless(
  network: Network,
  host: string | HostInfo,
  options: HeadlessOptions,
): HeadlessNode {
  const h = network.host(host);
  const profile = options.profile ?? join(network.dir, `chat-${h.name}-${++counter}`);
  mkdirSync(profile, { recursive: true, mode: 0o700 });
  const argv = [
    'node',
    'bin/lanchat.js',
    '--headless',
    '--json',
    '--nick',
    options.nick,
    '--profile',
    profile,
  ];
  argv.push(...(options.extraArgs ?? []));
  const env = { LANCHAT_NETWORK: undefined, LANCHAT_PROFILE: undefined, ...options.env };
  const process = network.spawn(h, argv, { env, label: `lanchat --headless ${options.nick}@${h.name}` });
  return {
    host: h,
    profile,
    process,
    async id() {
      const ready = await process.waitFor((e) => e.type === 'ready', 15_000, { what: 'ready' });
      return String(ready.id);
    },
  };
}

export function eventsOfType(node: HeadlessNode, type: string): JsonEvent[] {
  return node.process.events.filter((e) => e.type === type);
}

/** Ids of peers currently online according to the node's peer_online / peer_offline lines. */
export function onlinePeers(node: HeadlessNode): Set<string> {
  const online = new Set<string>();
  for (const e of node.process.events) {
    const peer = e.peer as { id?: string } | undefined;
    if (e.type === 'peer_online' && peer?.id) online.add(peer.id);
    if (e.type === 'peer_offline' && peer?.id) online.delete(peer.id);
  }
  return online;
}

/** The headless nodes one test file started: killed (SIGKILL) and awaited together after each test,
 * so a failing test never leaves a node running into the next. */
export class HeadlessFleet {
  private readonly nodes: HeadlessNode[] = [];

  start(network: Network, host: string | HostInfo, options: HeadlessOptions): HeadlessNode {
    const node = startHeadless(network, host, options);
    this.nodes.push(node);
    return node;
  }

  async stopAll(): Promise<void> {
    const nodes = this.nodes.splice(0);
    for (const n of nodes) n.process.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.process.exited));
  }
}

/** Waits until every node sees every other one online; returns their ids in order. */
export async function meet(nodes: HeadlessNode[], timeoutMs: number): Promise<string[]> {
  const ids = await Promise.all(nodes.map((n) => n.id()));
  await Promise.all(
    nodes.map((n, i) =>
      n.process.waitFor(() => ids.every((id, j) => j === i || onlinePeers(n).has(id)), timeoutMs, {
        what: `${n.host.name} sees every other node online`,
      }),
    ),
  );
  return ids;
}
