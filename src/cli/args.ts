// Argument mechanics shared by every sub-command: node:util parseArgs in strict mode, with its
// errors turned into UsageError and made a little friendlier (a "did you mean", repeated flags).
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

type StrictConfig<O extends OptionsConfig> = {
  args: string[];
  options: O;
  strict: true;
  allowPositionals: true;
  tokens: true;
};

/** Parses `argv` against `options`; unknown flags, missing values and a single-valued flag given
 * twice are UsageErrors. Positionals are returned for the command to judge. */
export function parseFlags<const O extends OptionsConfig>(argv: string[], options: O) {
  const config: StrictConfig<O> = {
    args: joinValues(argv, options),
    options,
    strict: true,
    allowPositionals: true,
    tokens: true,
  };
  let parsed: ReturnType<typeof parseArgs<StrictConfig<O>>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    throw translate(err, options);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    // Taking the last of two `--port` values silently would hide a typo in a long command line.
    if (seen.has(token.name) && options[token.name]?.multiple !== true) {
      throw new UsageError(`--${token.name} was given more than once`);
    }
    seen.add(token.name);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** `--flag VALUE` → `--flag=VALUE` for flags that take a value: an id may start with '-' (it is
 * base64url), and parseArgs would otherwise refuse `--peer -Xy…@host` as ambiguous. */
function joinValues(argv: string[], options: OptionsConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    const next = argv[i + 1];
    if (
      name !== undefined &&
      options[name]?.type === 'string' &&
      next !== undefined &&
      !isFlag(next, options)
    ) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** A word that is one of our flags (so it is not the value of the flag before it). */
function isFlag(word: string, options: OptionsConfig): boolean {
  if (!word.startsWith('--')) return false;
  const name = word.slice(2).split('=')[0] ?? '';
  return name === '' || Object.hasOwn(options, name);
}

/** A TCP port, 1–65535, written in decimal. */
export function parsePort(text: string, flag: string): number {
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UsageError(`${flag} expects a port number from 1 to 65535, e.g. ${flag} 7475 (got '${text}')`);
  }
  return port;
}

function translate(err: unknown, options: OptionsConfig): Error {
  if (!(err instanceof Error) || !('code' in err) || typeof err.code !== 'string') return err as Error;
  if (!err.code.startsWith('ERR_PARSE_ARGS_')) return err;
  // Node's message ends with advice about '--' that only confuses here; keep the first line.
  const first = err.message.split('\n')[0] ?? err.message;
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'(-[^']*)'/.exec(first)?.[1] ?? '';
    const guess = closest(flag.replace(/^-+/, '').replace(/=.*$/, ''), Object.keys(options));
    return new UsageError(`unknown option '${flag}'${guess ? ` (did you mean --${guess}?)` : ''}`, {
      cause: err,
    });
  }
  return new UsageError(first.replace(/^Option/, 'option'), { cause: err });
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3; // more than two edits away is a different word, not a typo
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
