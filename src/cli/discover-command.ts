// `lanchat discover`: publish ourselves and list peers via mDNS/DNS-SD (plus --peer), without
// opening any TCP port. It is the tool for "why don't I see Bob?" and the process the network-
// namespace tests drive: with --json, stdout carries exactly one JSON object per line.
import { createInterface } from 'node:readline';
import type { Discovery, DiscoveryEvent, PeerHint } from '../discovery/discovery.js';
import { loadOrCreateIdentity } from '../identity/identity-store.js';
import { base64Of, idOf } from '../identity/ids.js';
import { sanitize } from '../ui/model/sanitize.js';
import { type CommandIo, processCommandIo } from './command-io.js';
import {
  askNetworkIfNeeded,
  COMMON_OPTIONS_USAGE,
  parseCommonOptions,
  resolveNodeConfig,
} from './common-options.js';
import { discoverySources } from './discovery-sources.js';
import { reportCommandError, UsageError } from './errors.js';
import { jsonLine } from './json-line.js';

export const DISCOVER_USAGE = `Usage: lanchat discover [options]

Publishes you on the LAN (mDNS/DNS-SD, _lanchat._tcp) and lists the peers it finds, until
Ctrl-C or /quit. It does not open the TCP port; it only announces it.

${COMMON_OPTIONS_USAGE}
`;

/** Bound on goodbye sending at exit, so a wedged socket cannot keep the process alive. */
const STOP_TIMEOUT_MS = 3000;

export interface DiscoverIo extends CommandIo {
  stdin: NodeJS.ReadableStream;
}

const processIo: DiscoverIo = { ...processCommandIo, stdin: process.stdin };

type Line = Record<string, unknown> & { type: string };

function peerJson(p: PeerHint) {
  return { publicKey: p.publicKey, nick: p.nick, addresses: p.addresses, port: p.port, source: p.source };
}

function eventLine(e: DiscoveryEvent): Line {
  switch (e.type) {
    case 'up':
      return { type: 'peer_up', peer: peerJson(e.peer) };
    case 'update':
      return { type: 'peer_update', peer: peerJson(e.peer) };
    case 'down':
      return { type: 'peer_down', publicKey: e.publicKey, reason: e.reason };
    case 'renamed':
      return { type: 'renamed', nick: e.nick, previous: e.previous };
    case 'announced':
      return { type: 'announced', nick: e.nick };
    case 'warning':
      return { type: 'warning', code: e.code, message: e.message };
  }
}

// Nicks and messages come from the network: never let them drive the terminal.
// The same sanitizing as the terminal UI: no escape sequence, control or bidi character from a
// peer reaches the user's terminal through the text output either.
const printable = (s: unknown) => sanitize(String(s));

function humanLine(l: Line): string {
  const peer = l.peer as ReturnType<typeof peerJson> | undefined;
  switch (l.type) {
    case 'ready':
      return `publishing "${printable(l.nick)}" (port ${l.port}) on ${(l.interfaces as string[]).join(', ') || 'no interface yet'}; id ${l.id}`;
    case 'peer_up':
    case 'peer_update':
      return `${l.type === 'peer_up' ? '+' : '~'} ${printable(peer?.nick)}  ${peer?.addresses.join(', ')} port ${peer?.port}  [${peer?.source}]  ${peer?.publicKey}`;
    case 'peer_down':
      return `- ${l.publicKey} (${l.reason})`;
    case 'renamed':
      return `name "${printable(l.previous)}" is taken on this network; now "${printable(l.nick)}"`;
    case 'announced':
      return `announced as "${printable(l.nick)}"`;
    case 'warning':
      return `warning: ${printable(l.message)}`;
    case 'error':
      return `error: ${printable(l.message)}`;
    default:
      return 'bye';
  }
}

export async function run(argv: string[], io: DiscoverIo = processIo): Promise<number> {
  let json = argv.includes('--json');
  const print = (line: Line) => {
    if (json) io.stdout(`${jsonLine(line)}\n`);
    else if (line.type === 'warning' || line.type === 'error')
      io.stderr(`lanchat discover: ${humanLine(line)}\n`);
    else io.stdout(`${humanLine(line)}\n`);
  };
  let discovery: Discovery | undefined;
  try {
    const { options, positionals } = parseCommonOptions(argv);
    json = options.json;
    if (options.help) {
      io.stdout(DISCOVER_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const config = resolveNodeConfig(await askNetworkIfNeeded(options), {
      env: io.env,
      warn: (m: string) => io.stderr(`lanchat discover: warning: ${m}\n`),
    });
    if (config.weakPassphrase) {
      print({
        type: 'warning',
        code: 'weak-passphrase',
        message: 'the --network passphrase is easy to guess offline',
      });
    }
    const identity = await loadOrCreateIdentity(config.profileDir);
    const sources = discoverySources(config);
    const mdns = sources.mdns;
    discovery = sources.discovery;
    discovery.subscribe((e) => print(eventLine(e)));
    await discovery.start({
      nick: config.nick,
      port: config.port,
      publicKey: identity.publicKey,
      networkTag: config.networkTag,
    });
    print({
      type: 'ready',
      id: idOf(identity.publicKey),
      publicKey: base64Of(identity.publicKey),
      nick: mdns.nick,
      port: config.port,
      interfaces: mdns.interfaces(),
    });
    await untilQuit(io.stdin);
    await withTimeout(discovery.stop(), STOP_TIMEOUT_MS);
    print({ type: 'bye' });
    return 0;
  } catch (err) {
    await discovery?.stop().catch(() => undefined);
    return reportCommandError(err, 'lanchat discover', { json, stdout: io.stdout, stderr: io.stderr });
  }
}

/** Resolves on SIGINT, SIGTERM or a `/quit` line. End of stdin does not count: the command is
 * often started with stdin closed (</dev/null, a service manager). */
function untilQuit(stdin: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: stdin, terminal: false });
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      rl.close();
      // A paused pipe would still hold the event loop open.
      if ('destroy' in stdin && typeof stdin.destroy === 'function') stdin.destroy();
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    rl.on('line', (line) => {
      if (line.trim() === '/quit') done();
    });
  });
}

async function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
