// The node flags shared by `lanchat` (start) and `lanchat discover`, parsed and validated in one
// place so that both commands accept exactly the same spellings and give the same errors.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_NETWORK_KEY,
  isWeakPassphrase,
  networkKeyFromPassphrase,
  networkTag,
} from '../crypto/network-key.js';
import { parseId } from '../identity/ids.js';
import { checkNick } from '../identity/nick.js';
import { decodeInvite, InviteError, looksLikeInvite } from '../protocol/invite-code.js';
import { parseFlags, parsePort } from './args.js';
import { parseByteSize } from './byte-size.js';
import { UsageError } from './errors.js';
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
  interface: { type: 'string', multiple: true },
  peer: { type: 'string', multiple: true },
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
  'no-peer-exchange': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Usage lines for the flags above, for each command's --help. */
export const COMMON_OPTIONS_USAGE = `  --nick NAME             display name (default: your login name); 1-32 characters
  --profile DIR           where your identity and history live
                          (default: $LANCHAT_PROFILE, else $XDG_CONFIG_HOME/lanchat, else ~/.config/lanchat)
  --port N                TCP port to accept peers on, 1-65535 (default: ${DEFAULT_PORT})
  --network PASSPHRASE    join a private network; only holders of the passphrase can connect
                          (default: $LANCHAT_NETWORK, else the public lanchat network)
  --interface IF          announce and browse only on this interface (repeatable)
  --peer KEY@HOST[:PORT]  also connect to this peer directly, e.g. when multicast is blocked
                          (repeatable); HOST is an IPv4 address, a host name or [IPv6%zone]
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
  /** --network passphrase, if given (LANCHAT_NETWORK is consulted by resolveNodeConfig). */
  network: string | undefined;
  interfaces: string[];
  peers: PeerAddress[];
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
  peerExchange: boolean;
  help: boolean;
}

/** The raw values of COMMON_OPTIONS as parseArgs returns them. */
export interface CommonOptionValues {
  nick?: string | undefined;
  profile?: string | undefined;
  port?: string | undefined;
  network?: string | undefined;
  interface?: string[] | undefined;
  peer?: string[] | undefined;
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
    network:
      values.network === undefined
        ? undefined
        : nonEmpty(values.network, '--network', '--network PASSPHRASE'),
    interfaces: (values.interface ?? []).map(parseInterface),
    peers: (values.peer ?? []).flatMap(parsePeerArgument),
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
    peerExchange: !(values['no-peer-exchange'] ?? false),
    help: values.help ?? false,
  };
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
  /** True when on the public default network (no --network, no LANCHAT_NETWORK). */
  defaultNetwork: boolean;
  /** True when the passphrase is guessable offline from one captured handshake: warn the user. */
  weakPassphrase: boolean;
  interfaces: string[];
  peers: PeerAddress[];
  json: boolean;
  headless: boolean;
  notify: boolean;
  /** Where accepted files go unless /accept names a directory. */
  downloadDir: string;
  autoAcceptVerified: boolean;
  maxFileSize: number;
  /** 0 = auto-away off. */
  awayAfterMs: number;
  catchup: { maxAgeMs: number; maxPerRoom: number };
  readReceipts: boolean;
  /** Peer exchange on (default) or off (--no-peer-exchange). */
  peerExchange: boolean;
}

export interface ResolveContext {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** The login name used as the default nick; injectable because it varies by machine. */
  username?: () => string;
}

export function resolveNodeConfig(options: CommonOptions, context: ResolveContext = {}): NodeConfig {
  const env = context.env ?? process.env;
  const passphrase = options.network ?? (env.LANCHAT_NETWORK === '' ? undefined : env.LANCHAT_NETWORK);
  // scrypt costs ~100 ms, so it runs only when a passphrase was actually given. Without one, an
  // invite made with --with-network brings its network along.
  const invited = options.peers.find((p) => p.networkKey !== undefined)?.networkKey;
  const networkKey =
    passphrase !== undefined ? networkKeyFromPassphrase(passphrase) : (invited ?? DEFAULT_NETWORK_KEY);
  const tag = networkTag(networkKey);
  for (const peer of options.peers) {
    if (peer.networkCheck !== undefined && !tag.startsWith(peer.networkCheck)) {
      throw new UsageError(
        '--peer: the invite is for another lanchat network: start with the same --network passphrase as ' +
          'its maker (or ask for a code made with `lanchat invite --with-network`)',
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
    defaultNetwork: passphrase === undefined && invited === undefined,
    weakPassphrase: passphrase !== undefined && isWeakPassphrase(passphrase),
    interfaces: options.interfaces,
    peers: options.peers,
    json: options.json,
    headless: options.headless,
    notify: options.notify,
    downloadDir:
      options.downloadDir ??
      (env.LANCHAT_DOWNLOAD_DIR ? env.LANCHAT_DOWNLOAD_DIR : join(context.home ?? homedir(), 'Downloads')),
    autoAcceptVerified: options.autoAcceptVerified,
    maxFileSize: options.maxFileSize ?? Number.MAX_SAFE_INTEGER,
    awayAfterMs: options.awayAfterMinutes * 60_000,
    catchup: { maxAgeMs: options.catchupDays * 24 * 3600_000, maxPerRoom: options.catchupMax },
    readReceipts: options.readReceipts,
    peerExchange: options.peerExchange,
  };
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
