// `lanchat peers`: who is out there, as the node on this profile sees them. Asks the lanchat
// already running on the profile when there is one; otherwise starts a temporary node, lets it
// discover and connect for a short window, and lists what it found.
import type { PeerInfo, RememberedPeerInfo } from '../core/events.js';
import { parseFlags } from './args.js';
import { type CommandIo, processCommandIo } from './command-io.js';
import {
  askNetworkIfNeeded,
  COMMON_OPTIONS,
  COMMON_OPTIONS_USAGE,
  commonOptionsFrom,
  type ResolveContext,
  resolveNodeConfig,
} from './common-options.js';
import { ControlError, linkUp, MAX_TIMEOUT_MS } from './control-protocol.js';
import { reportCommandError, UsageError } from './errors.js';
import { jsonLine } from './json-line.js';
import { WEAK_PASSPHRASE_WARNING } from './network-secret.js';
import { type RuntimeFactory, reachProfileNode, stopTemporary } from './profile-node.js';

export const DEFAULT_PEERS_WAIT_S = 2;

const commonUsage = COMMON_OPTIONS_USAGE.split('\n')
  .filter((line) => !/^\s+--(headless|json)\b/.test(line))
  .join('\n');

export const PEERS_USAGE = `Usage: lanchat peers [--wait S] [--json] [options]

Lists the lanchat peers this profile's node knows: nick, online (yes, no, or reconnecting: its
link broke and it is being dialled again), address and id. If lanchat already runs with this
profile, it is asked (through control.sock in the profile directory); otherwise peers starts
lanchat itself for a short discovery window and says goodbye.

  --wait S           seconds to discover and connect when peers starts lanchat itself
                     (default ${DEFAULT_PEERS_WAIT_S})
  --json             print one JSON object {"type":"peers","peers":[{id,nick,address,online,
                     connected,...}],
                     "remembered":[{id,nick,addresses,port,lastConnected,lastError,online}]}
${commonUsage}
  (--nick, --port, --network, --interface and --peer apply only when peers starts lanchat itself)

Exit status: 0 success, 1 failure (e.g. unusable database or identity), 2 bad command line.
`;

const PEERS_OPTIONS = (() => {
  const { headless: _headless, ...common } = COMMON_OPTIONS;
  return { ...common, wait: { type: 'string' } } as const;
})();

export interface PeersCommandIo extends CommandIo {
  username?: () => string;
  createRuntime?: RuntimeFactory;
}

export async function run(argv: string[], io: PeersCommandIo = processCommandIo): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseFlags(argv, PEERS_OPTIONS);
    json = values.json ?? false;
    if (values.help) {
      io.stdout(PEERS_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const waitMs = waitFrom(values.wait);
    const context: ResolveContext = {
      env: io.env,
      ...(io.username ? { username: io.username } : {}),
      warn: (m: string) => io.stderr(`lanchat peers: warning: ${m}\n`),
    };
    const config = resolveNodeConfig(await askNetworkIfNeeded(commonOptionsFrom(values)), context);
    if (config.weakPassphrase) io.stderr(`lanchat peers: warning: ${WEAK_PASSPHRASE_WARNING}.\n`);
    const node = await reachProfileNode({
      config,
      deadline: Date.now() + Math.max(waitMs, 5_000),
      ...(io.createRuntime ? { createRuntime: io.createRuntime } : {}),
      onCreatedIdentity: (path) => io.stderr(`lanchat peers: created a new identity in ${path}\n`),
    });
    let peers: PeerInfo[];
    let remembered: RememberedPeerInfo[] | undefined;
    if (node.kind === 'running') {
      try {
        const answer = await node.client.request({ cmd: 'peers' });
        if (answer.type === 'error') throw new ControlError('bad-reply', answer.message);
        if (answer.type !== 'peers') {
          throw new ControlError('bad-reply', `the running lanchat answered peers with '${answer.type}'`);
        }
        peers = answer.peers;
        remembered = answer.remembered;
      } finally {
        node.client.close();
      }
    } else {
      try {
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        peers = node.runtime.node.peerList();
        remembered = node.runtime.node.rememberedPeers();
      } finally {
        await stopTemporary(node.runtime);
      }
    }
    const line = remembered === undefined ? { type: 'peers', peers } : { type: 'peers', peers, remembered };
    io.stdout(json ? `${jsonLine(line)}\n` : peersTable(peers));
    return 0;
  } catch (err) {
    return reportCommandError(err, 'lanchat peers', { json, stdout: io.stdout, stderr: io.stderr });
  }
}

function waitFrom(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PEERS_WAIT_S * 1000;
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 0 && seconds * 1000 <= MAX_TIMEOUT_MS)) {
    throw new UsageError(`--wait expects seconds, e.g. --wait 5 (got '${value}')`);
  }
  return Math.round(seconds * 1000);
}

// Nicks and addresses come from the network: never let them drive the terminal.
const printable = (s: string) => s.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, '?');

/** The display form (key suffix while two identities claim look-alike nicks). A peer only heard of
 * in mDNS has no name: what its announcement claims is shown as an unverified claim. */
function shownName(p: PeerInfo): string {
  const claim = p.advertisedNick === undefined ? '' : ` (mDNS claims "${p.advertisedNick}")`;
  return printable(`${p.display ?? p.nick}${claim}`);
}

/** A lost link's grace (online, no link up) reads "reconnecting", as in /peers. */
function onlineCell(p: PeerInfo): string {
  if (!p.online) return 'no';
  return linkUp(p) ? 'yes' : 'reconnecting';
}

export function peersTable(peers: PeerInfo[]): string {
  if (peers.length === 0) return 'no peers found\n';
  const rows = [
    ['NICK', 'ONLINE', 'ADDRESS', 'ID'],
    ...[...peers]
      .sort((a, b) => Number(b.online) - Number(a.online) || a.display.localeCompare(b.display))
      .map((p) => [shownName(p), onlineCell(p), printable(p.address) || '-', p.id]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i < 3 ? cell.padEnd((widths[i] ?? 0) + (cell.length - [...cell].length)) : cell))
        .join('  '),
    )
    .join('\n')
    .concat('\n');
}
