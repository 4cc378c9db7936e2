// `lanchat invite`: prints a code that carries this node's key, its private addresses and port
// and a check of its network, for a colleague on another subnet: `lanchat --peer CODE` or
// `/connect CODE`. The network secret is in it only with --with-network.
import { networkInterfaces } from 'node:os';
import { openIdentity } from '../identity/identity-store.js';
import { idOf } from '../identity/ids.js';
import { classifyAddress } from '../protocol/address-policy.js';
import { encodeInvite, INVITE_URI_PREFIX } from '../protocol/invite-code.js';
import { parseFlags } from './args.js';
import { type CommandIo, processCommandIo } from './command-io.js';
import {
  askNetworkIfNeeded,
  COMMON_OPTIONS,
  commonOptionsFrom,
  resolveNodeConfig,
} from './common-options.js';
import { ControlClient } from './control-client.js';
import { controlSocketPath } from './control-protocol.js';
import { reportError, UsageError } from './errors.js';

/** Addresses put in a code: enough for a dual-stack host with a VPN, short enough to paste. */
export const INVITE_ADDRESSES = 4;

export const INVITE_USAGE = `Usage: lanchat invite [--json] [--with-network] [--profile DIR] [--port N]
                      [--network CODE | --network-file PATH | --network-prompt] [--interface IF]...

Prints an invite code for a peer on another subnet (where multicast does not reach): they start
lanchat with --peer CODE, or type /connect CODE. The code holds your key, your private addresses
(IPv4 and IPv6 unique-local; link-local only if there is nothing else), your port and a check of
your network. Once connected, both sides remember each other, and peer exchange introduces
everyone else on either side.

  --json                 print one JSON object {"code", "uri", "id", "addresses", "port", ...}
  --with-network         put the network key itself into the code, so that the peer joins your
                         --network without the passphrase (anyone who sees the code can join too)
  --port N               the port your lanchat accepts peers on, when it is not running (default:
                         7475; a lanchat running on the profile is asked for the port it really has)
  --network CODE         your network (also --network-file, --network-prompt, $LANCHAT_NETWORK;
                         default: the public network)
  --interface IF         only addresses of this interface (repeatable)
  --profile DIR          profile directory
  -h, --help             show this help
`;

export interface InviteCommandIo extends CommandIo {
  /** The host's interfaces (injectable for tests). */
  interfaces?: () => ReturnType<typeof networkInterfaces>;
}

export async function run(argv: string[], io: InviteCommandIo = processCommandIo): Promise<number> {
  try {
    const { values, positionals } = parseFlags(argv, {
      ...COMMON_OPTIONS,
      'with-network': { type: 'boolean' },
    });
    if (values.help) {
      io.stdout(INVITE_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const options = await askNetworkIfNeeded(commonOptionsFrom(values));
    const config = resolveNodeConfig(options, {
      env: io.env,
      warn: (message) => io.stderr(`lanchat: ${message}\n`),
    });
    const port = (await runningPort(config.profileDir)) ?? config.port;
    const addresses = inviteAddresses((io.interfaces ?? networkInterfaces)(), options.interfaces);
    if (addresses.length === 0) {
      throw new UsageError(
        'no private IPv4 or unique-local IPv6 address on this host' +
          (options.interfaces.length > 0 ? ` (on ${options.interfaces.join(', ')})` : '') +
          '; give your id and address by hand instead: --peer KEY@HOST (see lanchat id)',
      );
    }
    const { identity, path, created } = await openIdentity(config.profileDir);
    if (created) io.stderr(`lanchat: created a new identity in ${path}\n`);
    const withNetwork = values['with-network'] ?? false;
    const code = encodeInvite({
      publicKey: identity.publicKey,
      networkCheck: config.networkTag.slice(0, 8),
      port,
      addresses,
      ...(withNetwork ? { networkKey: config.networkKey } : {}),
    });
    const shown = {
      code,
      uri: `${INVITE_URI_PREFIX}${code}`,
      id: idOf(identity.publicKey),
      addresses,
      port,
      networkTag: config.networkTag,
      withNetwork,
    };
    if (values.json) io.stdout(`${JSON.stringify(shown)}\n`);
    else {
      io.stdout(
        `${code}\n\n${shown.uri}\n\n` +
          `Give it to a colleague on another subnet: lanchat --peer CODE, or /connect CODE.\n` +
          `It holds your id ${shown.id}, ${addresses.join(', ')} port ${port}, and ` +
          (withNetwork
            ? 'your NETWORK KEY: anyone who sees this code can join your network.\n'
            : 'a check of your network (not its passphrase).\n'),
      );
    }
    return 0;
  } catch (err) {
    return reportError(err, 'lanchat invite', io.stderr);
  }
}

/** Private addresses first (IPv4, then unique-local IPv6), link-local IPv4 only when there is
 * nothing else; never loopback or IPv6 link-local (meaningless without our interface name). */
export function inviteAddresses(
  interfaces: ReturnType<typeof networkInterfaces>,
  only: readonly string[],
): string[] {
  const privateV4: string[] = [];
  const privateV6: string[] = [];
  const linkLocal: string[] = [];
  for (const [name, list] of Object.entries(interfaces)) {
    if (only.length > 0 && !only.includes(name)) continue;
    for (const info of list ?? []) {
      if (info.internal) continue;
      const kind = classifyAddress(info.address);
      if (kind === 'private') (info.family === 'IPv4' ? privateV4 : privateV6).push(info.address);
      else if (kind === 'link-local' && info.family === 'IPv4') linkLocal.push(info.address);
    }
  }
  const preferred = [...privateV4, ...privateV6];
  return [...new Set(preferred.length > 0 ? preferred : linkLocal)].slice(0, INVITE_ADDRESSES);
}

/** The port of the lanchat running on this profile, if one is: it may have fallen back from the
 * default to another (another user's lanchat on the host holds 7475), and a code with the wrong
 * port would send the colleague nowhere. */
async function runningPort(profileDir: string): Promise<number | undefined> {
  const client = await ControlClient.connect(controlSocketPath(profileDir));
  if (!client) return undefined;
  try {
    const reply = await client.request({ cmd: 'diagnose' });
    return reply.type === 'diagnosis' ? reply.diagnosis.port : undefined;
  } catch {
    return undefined;
  } finally {
    client.close();
  }
}
