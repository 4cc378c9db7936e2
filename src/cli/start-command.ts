// `lanchat` with no sub-command: will start the node and its terminal UI. Until those exist it
// validates every node flag (so scripts written now keep working) and shows who you are.
import { openIdentity } from '../identity/identity-store.js';
import { fingerprint, idOf } from '../identity/ids.js';
import { type CommandIo, processCommandIo } from './command-io.js';
import {
  askNetworkIfNeeded,
  COMMON_OPTIONS_USAGE,
  parseCommonOptions,
  type ResolveContext,
  resolveNodeConfig,
} from './common-options.js';
import { reportError, UsageError } from './errors.js';
import { WEAK_PASSPHRASE_WARNING } from './network-secret.js';

export const START_USAGE = `lanchat: serverless peer-to-peer messenger for your LAN

Usage:
  lanchat [options]          start the chat UI (in a terminal; otherwise show your identity)
  lanchat --headless [--json] [options]
                             run the node without UI: commands on stdin, events on stdout
  lanchat id [--json]        print your id, fingerprint and public key (see lanchat id --help)
  lanchat discover [options] list the lanchat peers on your network (see lanchat discover --help)
  lanchat network new        make a private network's code (see lanchat network --help)
  lanchat doctor [--json]    check why peers are missing, and say what to do (lanchat doctor --help)
  lanchat invite [--json]    print an invite code for a peer on another subnet (lanchat invite --help)

Options (for lanchat and lanchat discover):
${COMMON_OPTIONS_USAGE}

Environment:
  LANCHAT_PROFILE    profile directory, when --profile is not given
  LANCHAT_NETWORK    network code or passphrase, when no --network* flag is given
  XDG_CONFIG_HOME    base of the default profile directory

Exit status: 0 success, 1 failure (e.g. unusable identity file), 2 bad command line.
`;

export interface StartCommandIo extends CommandIo {
  username?: () => string;
  stdin?: NodeJS.ReadableStream;
  /** The terminal for the chat UI; without one (a pipe, a test) `lanchat` shows the identity. */
  tty?: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream };
}

const processIo: StartCommandIo = {
  ...processCommandIo,
  ...(process.stdout.isTTY && process.stdin.isTTY
    ? { tty: { stdin: process.stdin, stdout: process.stdout } }
    : {}),
};

export async function run(argv: string[], io: StartCommandIo = processIo): Promise<number> {
  try {
    const { options, positionals } = parseCommonOptions(argv);
    if (options.help) {
      io.stdout(START_USAGE);
      return 0;
    }
    // main.ts sends anything that is not a known sub-command here, so a typo lands here too.
    if (positionals.length > 0) {
      throw new UsageError(
        `unknown command '${positionals[0]}' (commands: id, discover, send, peers, network)`,
      );
    }
    const context: ResolveContext = {
      env: io.env,
      ...(io.username ? { username: io.username } : {}),
      warn: (m: string) => io.stderr(`lanchat: warning: ${m}\n`),
    };
    const config = resolveNodeConfig(await askNetworkIfNeeded(options), context);
    if (config.weakPassphrase) {
      io.stderr(`lanchat: warning: ${WEAK_PASSPHRASE_WARNING}.\n`);
    }
    const { identity, path, created } = await openIdentity(config.profileDir);
    if (created) io.stderr(`lanchat: created a new identity in ${path}\n`);
    if (config.headless) {
      // Loaded on demand: a headless node need not load blessed and the UI (≈ 50 ms at start-up).
      const { runHeadlessSession } = await import('./headless-session.js');
      return await runHeadlessSession(config, identity, {
        stdin: io.stdin ?? process.stdin,
        stdout: io.stdout,
      });
    }
    if (io.tty && !config.json) {
      const { runUiSession } = await import('./ui-session.js');
      return await runUiSession(config, identity, { ...io.tty, stderr: io.stderr, env: io.env });
    }
    const shown = {
      nick: config.nick,
      id: idOf(identity.publicKey),
      fingerprint: fingerprint(identity.publicKey),
      profile: config.profileDir,
      network: config.defaultNetwork ? 'public' : `private (tag ${config.networkTag})`,
    };
    if (config.json) {
      io.stdout(`${JSON.stringify({ type: 'identity', ...shown, networkTag: config.networkTag })}\n`);
    } else {
      io.stdout(
        `nick         ${shown.nick}\nid           ${shown.id}\nfingerprint  ${shown.fingerprint}\n` +
          `profile      ${shown.profile}\nnetwork      ${shown.network}\n\n` +
          'The chat UI needs a terminal (stdin and stdout are not a TTY here). Run lanchat in a ' +
          "terminal, or chat with 'lanchat --headless' (commands on stdin, /help lists them).\n",
      );
    }
    return 0;
  } catch (err) {
    return reportError(err, 'lanchat', io.stderr);
  }
}
