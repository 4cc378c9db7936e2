// `lanchat network new`: makes a private network's key, 128 random bits written as a short code
// with a checksum (network-code.ts). This is the recommended way to make a private network:
// unlike a passphrase, a code cannot be guessed from a captured packet, however much computing
// an attacker has. Passphrases stay possible as a fallback (--network).
import { newNetworkCode } from '../crypto/network-code.js';
import { parseFlags } from './args.js';
import { type CommandIo, processCommandIo } from './command-io.js';
import { reportCommandError, UsageError } from './errors.js';

export const NETWORK_USAGE = `Usage: lanchat network new [--json]

Makes a new private network: prints a random network code (lc1-…, 128 bits and a checksum).
Give it to the members once, over a channel you trust, and each of them starts lanchat with it:
  (umask 077; lanchat network new > ~/.lanchat-network)   then   lanchat --network-file ~/.lanchat-network
or LANCHAT_NETWORK=<code> lanchat, or lanchat --network-prompt (paste it, it is not shown).

  --json      print one JSON object {"type":"network_code","code"}
  -h, --help  show this help
`;

export interface NetworkCommandIo extends CommandIo {
  /** Randomness for the code; tests pass their own. */
  randomBytes?: (n: number) => Uint8Array;
}

export async function run(argv: string[], io: NetworkCommandIo = processCommandIo): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseFlags(argv, {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    json = values.json ?? false;
    if (values.help) {
      io.stdout(NETWORK_USAGE);
      return 0;
    }
    const [action, extra] = positionals;
    if (action !== 'new') {
      throw new UsageError(
        action === undefined
          ? "missing action: 'lanchat network new'"
          : `unknown action '${action}' (expected new)`,
      );
    }
    if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
    const code = newNetworkCode(io.randomBytes); // undefined: the default, the OS CSPRNG
    if (json) io.stdout(`${JSON.stringify({ type: 'network_code', code })}\n`);
    else {
      // The code alone on stdout, so `lanchat network new > file` stores just the code.
      io.stdout(`${code}\n`);
      io.stderr(
        'lanchat network: this code is the key of a new private network; keep it secret.\n' +
          'Members start lanchat with --network-file FILE (mode 0600), LANCHAT_NETWORK or --network-prompt.\n',
      );
    }
    return 0;
  } catch (err) {
    return reportCommandError(err, 'lanchat network', { json, stdout: io.stdout, stderr: io.stderr });
  }
}
