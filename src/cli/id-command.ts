// `lanchat id`: shows who you are, so you can give your id to a colleague (for --peer, or to
// compare fingerprints). Creates the identity on first use, like every other command.
import { openIdentity } from '../identity/identity-store.js';
import { base64Of, fingerprint, idOf } from '../identity/ids.js';
import { parseFlags } from './args.js';
import { type CommandIo, processCommandIo } from './command-io.js';
import { reportError, UsageError } from './errors.js';
import { resolveProfileDir } from './profile.js';

export const ID_USAGE = `Usage: lanchat id [--json] [--profile DIR]

Prints your lanchat id (give it to others, e.g. for --peer KEY@HOST), its fingerprint and your
public key. Creates your identity first if there is none yet.

  --json          print one JSON object {"id", "fingerprint", "publicKey"}
  --profile DIR   profile directory (default: $LANCHAT_PROFILE, else $XDG_CONFIG_HOME/lanchat,
                  else ~/.config/lanchat)
  -h, --help      show this help
`;

export type IdCommandIo = CommandIo;

export async function run(argv: string[], io: IdCommandIo = processCommandIo): Promise<number> {
  try {
    const { values, positionals } = parseFlags(argv, {
      json: { type: 'boolean' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout(ID_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.profile === '') throw new UsageError('--profile must not be empty; expected --profile DIR');
    const profileDir = resolveProfileDir({ flag: values.profile, env: io.env });
    const { identity, path, created } = await openIdentity(profileDir);
    // On stderr, so `lanchat id --json | jq` still sees only JSON.
    if (created) io.stderr(`lanchat: created a new identity in ${path}\n`);
    const shown = {
      id: idOf(identity.publicKey),
      fingerprint: fingerprint(identity.publicKey),
      publicKey: base64Of(identity.publicKey),
    };
    if (values.json) {
      io.stdout(`${JSON.stringify(shown)}\n`);
    } else {
      io.stdout(
        `id           ${shown.id}\nfingerprint  ${shown.fingerprint}\npublic key   ${shown.publicKey}\n`,
      );
    }
    return 0;
  } catch (err) {
    return reportError(err, 'lanchat id', io.stderr);
  }
}
