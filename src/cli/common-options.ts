// The node flags shared by `lanchat` (start) and `lanchat discover`, parsed and validated in one
// place so that both commands accept exactly the same spellings and give the same errors.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_INBOUND_RATE, INBOUND_BURST_SECONDS } from '../connection/peer-link.js';
import { DEFAULT_MAX_DOWNLOADING_BYTES } from '../core/files/transfer-service.js';
import { DEFAULT_MAX_HISTORY_BYTES } from '../core/history-quota.js';
import { MAX_PEERS, MAX_PEERS_PER_ADDRESS } from '../core/peer-caps.js';
import { discoveryKeyOf, networkTag } from '../crypto/network-key.js';
import { isDnsSdDomain } from '../discovery/dns-sd-records.js';
import { parseId } from '../identity/ids.js';
import { checkNick } from '../identity/nick.js';
import { decodeInvite, InviteError, looksLikeInvite } from '../protocol/invite-code.js';
import { parseFlags, parsePort } from './args.js';
import { parseByteSize } from './byte-size.js';
import { UsageError } from './errors.js';
import { type PromptTerminal, promptNetworkSecret } from './network-prompt.js';
import {
  ARGV_WARNING,
  type NetworkChoice,
  type NetworkForm,
  networkFromSecret,
  PUBLIC_NETWORK,
  readNetworkFile,
} from './network-secret.js';
import { resolveProfileDir } from './profile.js';

export const DEFAULT_PORT = 7475;
const MAX_INTERFACE_LENGTH = 64;
const MAX_HOSTNAME_LENGTH = 253;

/** The parseArgs spec; a command with extra flags spreads it into its own spec and then calls
 * commonOptionsFrom on the values. */
export const COMMON_OPTIONS = {
  nick: { type: 'string' },
  profile: { type: 'string' },
  port: { type: 'string' },
  network: { type: 'string' },
  'network-file': { type: 'string' },
  'network-prompt': { type: 'boolean' },
  interface: { type: 'string', multiple: true },
  peer: { type: 'string', multiple: true },
  'dns-sd-domain': { type: 'string', multiple: true },
  'dns-server': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  headless: { type: 'boolean' },
  'no-notify': { type: 'boolean' },
  'download-dir': { type: 'string' },
  'auto-accept-verified': { type: 'boolean' },
  'max-file-size': { type: 'string' },
  'away-after': { type: 'string' },
  'catchup-days': { type: 'string' },
  'catchup-max': { type: 'string' },
  'no-read-receipts': { type: 'boolean' },
  'max-peers': { type: 'string' },
  'max-peers-per-address': { type: 'string' },
  'max-peer-rate': { type: 'string' },
  'max-history-size': { type: 'string' },
  'max-downloading': { type: 'string' },
  'no-hold': { type: 'boolean' },
  'no-peer-exchange': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Usage lines for the flags above, for each command's --help. */
export const COMMON_OPTIONS_USAGE = `  --nick NAME             display name (default: your login name); 1-32 characters
  --profile DIR           where your identity and history live
                          (default: $LANCHAT_PROFILE, else $XDG_CONFIG_HOME/lanchat, else ~/.config/lanchat)
  --port N                TCP port to accept peers on, 1-65535 (default: ${DEFAULT_PORT})
  --network CODE          join a private network: a code from 'lanchat network new' (or, as a
                          fallback, a passphrase); only its holders can connect. On the command
                          line other local users can read it (ps): prefer the next two, or
                          $LANCHAT_NETWORK (default: $LANCHAT_NETWORK, else the public network)
  --network-file PATH     read the network code or passphrase from PATH (mode 0600 or stricter)
  --network-prompt        type it in, without echo (also: --network -); needs a terminal
  --interface IF          announce and browse only on this interface (repeatable)
  --peer KEY@HOST[:PORT]  also connect to this peer directly, e.g. when multicast is blocked
                          (repeatable); HOST is an IPv4 address, a host name or [IPv6%zone]
  --dns-sd-domain DOMAIN  also find peers an admin lists in DNS as _lanchat._tcp.DOMAIN
                          (unicast DNS-SD; looked up at start and every minute; repeatable)
  --dns-server IP[:PORT]  ask this DNS server for --dns-sd-domain instead of the system's (repeatable)
  --peer CODE             the same with an invite code from \`lanchat invite\`
  --no-peer-exchange      do not tell peers about each other, nor listen when they do
                          (strict LAN-only: only mDNS, --peer and remembered peers)
  --json                  print machine-readable JSON lines
  --headless              no terminal UI
  --no-notify             no bell or desktop notification (OSC 9/777) on a DM or mention
  --download-dir DIR      where accepted files go (default: $LANCHAT_DOWNLOAD_DIR, else ~/Downloads)
  --auto-accept-verified  accept files from verified contacts (/verify) without asking
  --max-file-size SIZE    refuse offers above SIZE, e.g. 4G (default: no limit)
  --away-after MINUTES    go away after this long without input; 0 = never (default: 10)
  --catchup-days N        room catch-up asks for at most the last N days (default: 7)
  --catchup-max N         and at most N messages per room (default: 1000)
  --no-read-receipts      do not tell senders when you have seen their DMs
  --max-peers N           link at most N peers at once (default: 1024)
  --max-peers-per-address N
                          and at most N identities from one IP address (default: 16)
  --max-peer-rate N       read at most N messages a second from one peer, after a burst of 25×N;
                          a faster peer is slowed, never dropped; 0 = no limit (default: 2000)
  --max-history-size SIZE above SIZE, remove the oldest room messages (never DMs or undelivered
                          ones), e.g. 500M; 0 = keep everything (default: 2G)
  --max-downloading SIZE  refuse offers and /accept beyond SIZE of unfinished downloads in total
                          (default: 16G)
  --no-hold               do not hold sealed DMs for offline peers (your own are still deposited)
  -h, --help              show this help`;

/** A peer given on the command line: its key is known in advance, so the handshake can pin it. */
export interface PeerAddress {
  publicKey: Uint8Array;
  /** IPv4 address, host name, or IPv6 address without brackets (with its `%zone`, if any). */
  host: string;
  port: number;
  /** From an invite code: the start of the inviter's network tag (checked by resolveNodeConfig). */
  networkCheck?: string;
  /** From an invite made with --with-network: the network key itself. */
  networkKey?: Uint8Array;
}

export interface CommonOptions {
  /** Validated --nick, if given. */
  nick: string | undefined;
  /** Raw --profile, if given (resolved by resolveNodeConfig). */
  profile: string | undefined;
  port: number;
  /** --network code or passphrase on argv, if given (LANCHAT_NETWORK is consulted by
   * resolveNodeConfig). */
  network: string | undefined;
  networkFile: string | undefined;
  /** --network-prompt or `--network -`: askNetworkIfNeeded reads it before resolveNodeConfig. */
  networkPrompt: boolean;
  /** What was typed at the prompt (set by askNetworkIfNeeded). */
  promptedNetwork?: string | undefined;
  interfaces: string[];
  peers: PeerAddress[];
  /** --dns-sd-domain: domains whose _lanchat._tcp records are browsed. */
  dnsSdDomains: string[];
  /** --dns-server: resolvers for those lookups (default: the system's). */
  dnsServers: string[];
  json: boolean;
  headless: boolean;
  /** Bell and desktop notifications in the terminal UI (off with --no-notify). */
  notify: boolean;
  downloadDir: string | undefined;
  autoAcceptVerified: boolean;
  maxFileSize: number | undefined;
  awayAfterMinutes: number;
  catchupDays: number;
  catchupMax: number;
  readReceipts: boolean;
  maxPeers: number;
  maxPeersPerAddress: number;
  /** Messages a second read from one peer; 0 = unlimited. */
  maxPeerRate: number;
  /** Bytes of history before the oldest room messages are pruned; null = never. */
  maxHistorySize: number | null;
  /** Total size of unfinished incoming transfers. */
  maxDownloading: number;
  hold: boolean;
  peerExchange: boolean;
  help: boolean;
}

/** The raw values of COMMON_OPTIONS as parseArgs returns them. */
export interface CommonOptionValues {
  nick?: string | undefined;
  profile?: string | undefined;
  port?: string | undefined;
  network?: string | undefined;
  'network-file'?: string | undefined;
  'network-prompt'?: boolean | undefined;
  interface?: string[] | undefined;
  peer?: string[] | undefined;
  'dns-sd-domain'?: string[] | undefined;
  'dns-server'?: string[] | undefined;
  json?: boolean | undefined;
  headless?: boolean | undefined;
  'no-notify'?: boolean | undefined;
  'download-dir'?: string | undefined;
  'auto-accept-verified'?: boolean | undefined;
  'max-file-size'?: string | undefined;
  'away-after'?: string | undefined;
  'catchup-days'?: string | undefined;
  'catchup-max'?: string | undefined;
  'no-read-receipts'?: boolean | undefined;
  'max-peers'?: string | undefined;
  'max-peers-per-address'?: string | undefined;
  'max-peer-rate'?: string | undefined;
  'max-history-size'?: string | undefined;
  'max-downloading'?: string | undefined;
  'no-hold'?: boolean | undefined;
  'no-peer-exchange'?: boolean | undefined;
  help?: boolean | undefined;
}

export function parseCommonOptions(argv: string[]): { options: CommonOptions; positionals: string[] } {
  const { values, positionals } = parseFlags(argv, COMMON_OPTIONS);
  return { options: commonOptionsFrom(values), positionals };
}

export function commonOptionsFrom(values: CommonOptionValues): CommonOptions {
  const count = (flag: string, raw: string | undefined, fallback: number, max: number) => {
    if (raw === undefined) return fallback;
    const value = /^[0-9]{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(value <= max))
      throw new UsageError(`--${flag} takes a whole number from 0 to ${max}; got '${raw}'`);
    return value;
  };
  return {
    nick: values.nick === undefined ? undefined : nickFromFlag(values.nick),
    profile:
      values.profile === undefined ? undefined : nonEmpty(values.profile, '--profile', '--profile DIR'),
    port: values.port === undefined ? DEFAULT_PORT : parsePort(values.port, '--port'),
    ...networkOptionsFrom(values),
    interfaces: (values.interface ?? []).map(parseInterface),
    peers: (values.peer ?? []).flatMap(parsePeerArgument),
    dnsSdDomains: (values['dns-sd-domain'] ?? []).map(parseDnsSdDomain),
    dnsServers: (values['dns-server'] ?? []).map(parseDnsServer),
    json: values.json ?? false,
    headless: values.headless ?? false,
    notify: !(values['no-notify'] ?? false),
    downloadDir:
      values['download-dir'] === undefined
        ? undefined
        : nonEmpty(values['download-dir'], '--download-dir', '--download-dir DIR'),
    autoAcceptVerified: values['auto-accept-verified'] ?? false,
    maxFileSize:
      values['max-file-size'] === undefined
        ? undefined
        : parseByteSize(values['max-file-size'], '--max-file-size'),
    awayAfterMinutes: count('away-after', values['away-after'], 10, 7 * 24 * 60),
    catchupDays: count('catchup-days', values['catchup-days'], 7, 3650),
    catchupMax: count('catchup-max', values['catchup-max'], 1000, 1_000_000),
    readReceipts: !(values['no-read-receipts'] ?? false),
    maxPeers: atLeastOne('max-peers', count('max-peers', values['max-peers'], MAX_PEERS, 1_000_000)),
    maxPeersPerAddress: atLeastOne(
      'max-peers-per-address',
      count('max-peers-per-address', values['max-peers-per-address'], MAX_PEERS_PER_ADDRESS, 1_000_000),
    ),
    maxPeerRate: count('max-peer-rate', values['max-peer-rate'], DEFAULT_INBOUND_RATE.perSecond, 1_000_000),
    maxHistorySize: sizeOrOff(values['max-history-size'], '--max-history-size', DEFAULT_MAX_HISTORY_BYTES),
    maxDownloading:
      values['max-downloading'] === undefined
        ? DEFAULT_MAX_DOWNLOADING_BYTES
        : parseByteSize(values['max-downloading'], '--max-downloading'),
    hold: !(values['no-hold'] ?? false),
    peerExchange: !(values['no-peer-exchange'] ?? false),
    help: values.help ?? false,
  };
}

function networkOptionsFrom(values: CommonOptionValues) {
  const prompt = (values['network-prompt'] ?? false) || values.network === '-';
  const argv = values.network === '-' ? undefined : values.network;
  const file = values['network-file'];
  const given = [argv !== undefined, file !== undefined, prompt].filter(Boolean).length;
  if (given > 1)
    throw new UsageError('give the network one way: --network, --network-file or --network-prompt');
  return {
    network: argv === undefined ? undefined : nonEmpty(argv, '--network', '--network CODE'),
    networkFile: file === undefined ? undefined : nonEmpty(file, '--network-file', '--network-file PATH'),
    networkPrompt: prompt,
  };
}

/** Reads the network code or passphrase from the terminal when --network-prompt asks for it;
 * every command calls this between parsing and resolveNodeConfig. */
export async function askNetworkIfNeeded(
  options: CommonOptions,
  terminal?: PromptTerminal,
): Promise<CommonOptions> {
  if (!options.networkPrompt || options.promptedNetwork !== undefined) return options;
  return { ...options, promptedNetwork: await promptNetworkSecret(terminal) };
}

/** A size flag where 0 turns the limit off. */
function sizeOrOff(raw: string | undefined, flag: string, fallback: number): number | null {
  if (raw === undefined) return fallback;
  if (raw.trim() === '0') return null;
  return parseByteSize(raw, flag);
}

function atLeastOne(flag: string, value: number): number {
  if (value < 1) throw new UsageError(`--${flag} must be at least 1 (0 would refuse every peer)`);
  return value;
}

/** `--peer` takes KEY@HOST[:PORT] or an invite code (one entry per address in the code). */
export function parsePeerArgument(text: string): PeerAddress[] {
  if (!looksLikeInvite(text)) return [parsePeerAddress(text)];
  try {
    const invite = decodeInvite(text);
    return invite.addresses.map((host) => {
      const peer: PeerAddress = {
        publicKey: invite.publicKey,
        host,
        port: invite.port,
        networkCheck: invite.networkCheck,
      };
      if (invite.networkKey) peer.networkKey = invite.networkKey;
      return peer;
    });
  } catch (err) {
    if (err instanceof InviteError) throw new UsageError(`--peer: ${err.message}`);
    throw err;
  }
}

/** Parses `KEY@HOST[:PORT]`; KEY is a lanchat id (or base64 key), PORT defaults to 7475. */
export function parsePeerAddress(text: string): PeerAddress {
  const fail = (problem: string): never => {
    throw new UsageError(
      `--peer '${text}': ${problem}. Expected KEY@HOST[:PORT], e.g. --peer KEY@192.168.1.20:7475 ` +
        'or --peer KEY@[fe80::1%eth0]:7475, where KEY is the id printed by `lanchat id`',
    );
  };
  const at = text.indexOf('@');
  if (at < 0) return fail("missing '@' between the key and the host");
  const publicKey = parseId(text.slice(0, at));
  if (!publicKey) return fail('the key is not a valid lanchat id (43 characters of base64url)');
  const { host, portText } = splitHostPort(text.slice(at + 1), fail);
  const port = portText === undefined ? DEFAULT_PORT : portOrFail(portText, fail);
  return { publicKey, host, port };
}

function splitHostPort(
  rest: string,
  fail: (problem: string) => never,
): { host: string; portText: string | undefined } {
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return fail("missing ']' after the IPv6 address");
    const host = rest.slice(1, close);
    if (!isIPv6(host)) return fail(`'${host}' is not an IPv6 address`);
    const after = rest.slice(close + 1);
    if (after === '') return { host, portText: undefined };
    if (!after.startsWith(':')) return fail(`unexpected '${after}' after the IPv6 address`);
    return { host, portText: after.slice(1) };
  }
  const colons = rest.split(':').length - 1;
  if (colons > 1) return fail('put an IPv6 address in brackets');
  const [host = '', portText] = rest.split(':');
  if (host === '') return fail('the host is empty');
  if (!isIPv4(host) && !isHostname(host)) return fail(`'${host}' is not an IPv4 address or a host name`);
  return { host, portText };
}

function portOrFail(text: string, fail: (problem: string) => never): number {
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  return port >= 1 && port <= 65535 ? port : fail(`the port '${text}' is not a number from 1 to 65535`);
}

// RFC 1123 names. All-numeric dotted names are refused unless they are valid IPv4: the resolver
// would read "10.1.2" as 10.1.0.2, which is never what was meant.
function isHostname(host: string): boolean {
  if (host.length > MAX_HOSTNAME_LENGTH || isIP(host) !== 0) return false;
  if (/^[0-9.]+$/.test(host)) return false;
  const label = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
  return new RegExp(`^${label}(?:\\.${label})*\\.?$`).test(host);
}

function parseDnsSdDomain(domain: string): string {
  if (!isDnsSdDomain(domain)) {
    throw new UsageError(
      `--dns-sd-domain '${domain}' is not a domain name; expected e.g. --dns-sd-domain corp.example`,
    );
  }
  return domain.replace(/\.$/, '');
}

/** IPv4, IPv4:PORT, IPv6 or [IPv6]:PORT: the forms node:dns's setServers takes. */
function parseDnsServer(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::([0-9]{1,5}))?$/.exec(text);
  const v4 = /^([0-9.]+)(?::([0-9]{1,5}))?$/.exec(text);
  const host = bracketed?.[1] ?? v4?.[1] ?? text;
  const port = bracketed?.[2] ?? v4?.[2];
  const ok =
    (bracketed ? isIPv6(host) : v4 ? isIPv4(host) : isIPv6(text)) &&
    (port === undefined || (Number(port) >= 1 && Number(port) <= 65535));
  if (!ok) {
    throw new UsageError(
      `--dns-server '${text}' is not an IP address with an optional port; expected e.g. --dns-server 10.0.0.53 or --dns-server [fd00::53]:5353`,
    );
  }
  return text;
}

function parseInterface(name: string): string {
  if (name === '' || name.length > MAX_INTERFACE_LENGTH || /[\s\p{Cc}]/u.test(name)) {
    throw new UsageError(
      `--interface '${name}' is not an interface name; expected e.g. --interface eth0 (repeatable)`,
    );
  }
  return name;
}

function nickFromFlag(raw: string): string {
  const checked = checkNick(raw);
  if (!checked.ok) throw new UsageError(`--nick: ${checked.problem}; expected e.g. --nick alice`);
  return checked.nick;
}

function nonEmpty(value: string, flag: string, form: string): string {
  if (value === '') throw new UsageError(`${flag} must not be empty; expected ${form}`);
  return value;
}

/** Everything a node needs from the command line and environment, resolved. */
export interface NodeConfig {
  profileDir: string;
  nick: string;
  port: number;
  networkKey: Uint8Array;
  networkTag: string;
  /** Seals our mDNS TXT on a private network; undefined on the public one. */
  discoveryKey: Uint8Array | undefined;
  /** True when on the public default network (no --network, no LANCHAT_NETWORK). */
  defaultNetwork: boolean;
  networkForm: NetworkForm;
  /** True when the passphrase is guessable offline from one captured handshake: warn the user. */
  weakPassphrase: boolean;
  interfaces: string[];
  peers: PeerAddress[];
  dnsSdDomains: string[];
  dnsServers: string[];
  json: boolean;
  headless: boolean;
  notify: boolean;
  /** Where accepted files go unless /accept names a directory. */
  downloadDir: string;
  autoAcceptVerified: boolean;
  maxFileSize: number;
  maxDownloadingBytes: number;
  /** 0 = auto-away off. */
  awayAfterMs: number;
  catchup: { maxAgeMs: number; maxPerRoom: number };
  readReceipts: boolean;
  /** Peers linked at once, in total and from one address (core/peer-caps.ts). */
  peerCaps: { total: number; perAddress: number };
  /** Messages a second read from one peer, and the burst; null: unlimited. */
  inboundRate: { perSecond: number; burst: number } | null;
  /** Room history is pruned above this many bytes; null: never. */
  maxHistoryBytes: number | null;
  /** Hold sealed drops for others (--no-hold turns it off). */
  hold: boolean;
  /** Peer exchange on (default) or off (--no-peer-exchange). */
  peerExchange: boolean;
}

export interface ResolveContext {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** The login name used as the default nick; injectable because it varies by machine. */
  username?: () => string;
  /** Where warnings about how the network key was given go (the argv one); default: dropped. */
  warn?: (message: string) => void;
}

export function resolveNodeConfig(options: CommonOptions, context: ResolveContext = {}): NodeConfig {
  const env = context.env ?? process.env;
  const chosen = chooseNetwork(options, env, context.warn ?? (() => {}));
  // Without a network of its own, an invite made with --with-network brings its network along.
  const invited =
    chosen.form === 'public' ? options.peers.find((p) => p.networkKey !== undefined)?.networkKey : undefined;
  const network = invited ? { networkKey: invited, form: 'code' as const, weakPassphrase: false } : chosen;
  const { networkKey } = network;
  const tag = networkTag(networkKey);
  for (const peer of options.peers) {
    if (peer.networkCheck !== undefined && !tag.startsWith(peer.networkCheck)) {
      throw new UsageError(
        '--peer: the invite is for another lanchat network: start with the same --network as its ' +
          'maker (or ask for a code made with `lanchat invite --with-network`)',
      );
    }
  }
  return {
    profileDir: resolveProfileDir({
      flag: options.profile,
      env,
      ...(context.home === undefined ? {} : { home: context.home }),
    }),
    nick: options.nick ?? defaultNick(context.username ?? (() => userInfo().username)),
    port: options.port,
    networkKey,
    networkTag: tag,
    discoveryKey: network.form === 'public' ? undefined : discoveryKeyOf(networkKey),
    defaultNetwork: network.form === 'public',
    networkForm: network.form,
    weakPassphrase: network.weakPassphrase,
    interfaces: options.interfaces,
    peers: options.peers,
    dnsSdDomains: options.dnsSdDomains,
    dnsServers: options.dnsServers,
    json: options.json,
    headless: options.headless,
    notify: options.notify,
    downloadDir:
      options.downloadDir ??
      (env.LANCHAT_DOWNLOAD_DIR ? env.LANCHAT_DOWNLOAD_DIR : join(context.home ?? homedir(), 'Downloads')),
    autoAcceptVerified: options.autoAcceptVerified,
    maxFileSize: options.maxFileSize ?? Number.MAX_SAFE_INTEGER,
    maxDownloadingBytes: options.maxDownloading,
    awayAfterMs: options.awayAfterMinutes * 60_000,
    catchup: { maxAgeMs: options.catchupDays * 24 * 3600_000, maxPerRoom: options.catchupMax },
    readReceipts: options.readReceipts,
    peerCaps: { total: options.maxPeers, perAddress: options.maxPeersPerAddress },
    inboundRate:
      options.maxPeerRate === 0
        ? null
        : { perSecond: options.maxPeerRate, burst: INBOUND_BURST_SECONDS * options.maxPeerRate },
    maxHistoryBytes: options.maxHistorySize,
    hold: options.hold,
    peerExchange: options.peerExchange,
  };
}

/** The network from the one source given (see network-secret.ts), else $LANCHAT_NETWORK. */
function chooseNetwork(
  options: CommonOptions,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): NetworkChoice {
  if (options.network !== undefined) {
    warn(ARGV_WARNING);
    return networkFromSecret(options.network, '--network');
  }
  if (options.networkFile !== undefined)
    return networkFromSecret(readNetworkFile(options.networkFile), `--network-file ${options.networkFile}`);
  if (options.networkPrompt) {
    if (options.promptedNetwork === undefined) throw new UsageError('--network-prompt: nothing was read');
    return networkFromSecret(options.promptedNetwork, '--network-prompt');
  }
  const fromEnv = env.LANCHAT_NETWORK;
  if (fromEnv === undefined || fromEnv === '') return PUBLIC_NETWORK;
  return networkFromSecret(fromEnv, 'LANCHAT_NETWORK');
}

/** The login name when it is a valid nick, else 'anon' (userInfo throws in containers without a
 * passwd entry for the uid). */
export function defaultNick(username: () => string): string {
  try {
    const checked = checkNick(username());
    if (checked.ok) return checked.nick;
  } catch {}
  return 'anon';
}
