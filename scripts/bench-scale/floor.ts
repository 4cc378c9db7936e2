// A floor of `lanchat --headless --json` nodes, one per namespace host, run from a private
// snapshot of the build. It records, per node, when it started, when it was ready and the
// online/offline lines it printed, so the bench can compute who saw whom when.
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HostInfo, Network } from '../../test/netns/harness.js';
import type { JsonEvent, ProcessHandle } from '../../test/netns/process-handle.js';

export interface FloorNode {
  index: number;
  host: HostInfo;
  process: ProcessHandle<JsonEvent>;
  spawnedAt: number;
  readyAt: number | undefined;
  id: string | undefined;
  /** Its profile directory and nick: a restart (the next morning) reuses both. */
  profile: string;
  nick: string;
}

export class Floor {
  readonly nodes: FloorNode[] = [];

  /** `profiles`: what this floor's profile directories are named by (two floors in one network
   * must not share them). */
  constructor(
    private readonly network: Network,
    private readonly build: string,
    private readonly profiles = 'scale',
  ) {}

  /** The profile directory of the `index`th node this floor starts on `host`. */
  profileFor(host: HostInfo, index: number): string {
    return join(this.network.dir, `${this.profiles}-${host.name}-${index}`);
  }

  /** Starts a node on `host`: a new one, or `again` (its profile and nick) once more. `warmFrom`:
   * first copy that host's cache (V8's compile cache) to this one, for a machine that ran this
   * build before (every host has a cache of its own: the harness's Network.cacheDir). `args`: more
   * command-line options for lanchat. */
  start(
    host: HostInfo,
    {
      again,
      warmFrom,
      args = [],
    }: { again?: FloorNode | undefined; warmFrom?: HostInfo; args?: string[] } = {},
  ): FloorNode {
    const index = this.nodes.length;
    if (warmFrom) cpSync(this.network.cacheDir(warmFrom), this.network.cacheDir(host), { recursive: true });
    const profile = again?.profile ?? this.profileFor(host, index);
    mkdirSync(profile, { recursive: true, mode: 0o700 });
    const nick = again?.nick ?? `u${String(index).padStart(3, '0')}`;
    const argv = ['node', join(this.build, 'bin/lanchat.js'), '--headless', '--json', '--nick', nick];
    argv.push('--profile', profile, ...args);
    const env = { LANCHAT_NETWORK: undefined, LANCHAT_PROFILE: undefined };
    const process = this.network.spawn(host, argv, { env, label: `lanchat ${nick}` });
    const node: FloorNode = {
      index,
      host,
      process,
      spawnedAt: performance.now(),
      readyAt: undefined,
      id: undefined,
      profile,
      nick,
    };
    void process
      .waitFor((e) => e.type === 'ready', 120_000, { what: 'ready' })
      .then(
        (e) => {
          node.readyAt = process.timeline.find((t) => t.event === e)?.at ?? performance.now();
          node.id = String(e.id);
        },
        () => {},
      );
    this.nodes.push(node);
    return node;
  }

  ready(): FloorNode[] {
    return this.nodes.filter((n) => n.id !== undefined);
  }
}

/** Ids `node` has online at time `at` (performance.now()), from its peer_online/offline lines. */
export function onlineAt(node: FloorNode, at = Number.POSITIVE_INFINITY): Set<string> {
  const online = new Set<string>();
  for (const { at: when, event } of node.process.timeline) {
    if (when > at) break;
    const id = (event.peer as { id?: string } | undefined)?.id;
    if (!id) continue;
    if (event.type === 'peer_online') online.add(id);
    else if (event.type === 'peer_offline') online.delete(id);
  }
  return online;
}

/** Directed pairs (a sees b) missing among `nodes` at time `at`. */
export function missingPairs(nodes: FloorNode[], at = Number.POSITIVE_INFINITY): number {
  let missing = 0;
  for (const a of nodes) {
    const seen = onlineAt(a, at);
    for (const b of nodes) if (b !== a && b.id && !seen.has(b.id)) missing++;
  }
  return missing;
}

/** First time (performance.now()) at which `node` had every id of `want` online, or undefined. */
export function sawAllAt(node: FloorNode, want: Set<string>): number | undefined {
  const online = new Set<string>();
  let have = 0;
  if (want.size === 0) return node.readyAt;
  for (const { at, event } of node.process.timeline) {
    const id = (event.peer as { id?: string } | undefined)?.id;
    if (!id || !want.has(id)) continue;
    if (event.type === 'peer_online' && !online.has(id)) {
      online.add(id);
      have++;
      if (have === want.size) return at;
    } else if (event.type === 'peer_offline' && online.delete(id)) have--;
  }
  return undefined;
}

/** Warnings by kind: the message with addresses, numbers and names taken out. */
export function warningKinds(
  nodes: FloorNode[],
  when: (at: number) => boolean = () => true,
): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const node of nodes) {
    for (const { at, event: e } of node.process.timeline) {
      if ((e.type !== 'warning' && e.type !== 'error') || !when(at)) continue;
      const kind = `${e.code}: ${String(e.message)
        .replace(/[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,}(%\w+)?/gi, 'ADDR')
        .replace(/\d+\.\d+\.\d+\.\d+/g, 'ADDR')
        .replace(/\d+/g, 'N')
        .replace(/u\d{3}\S*/g, 'NICK')}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  }
  return kinds;
}
