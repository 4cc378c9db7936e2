// Where a private network's key comes from, and what it is. Sources, one at a time:
// `--network VALUE` (argv: readable by every local user through ps, so it warns), `--network-file
// PATH` (must be 0600 or stricter, like an ssh key), `--network-prompt` / `--network -` (typed
// without echo, only on a terminal), else $LANCHAT_NETWORK (the environment of a process is
// readable only by its user and root). The value is a network code (`lc1-…`, from `lanchat
// network new`) or, as a fallback, a passphrase; a value that starts with `lc1-` is always read
// as a code and a typo in it is an error, never silently a different network.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { looksLikeNetworkCode, parseNetworkCode } from '../crypto/network-code.js';
import {
  DEFAULT_NETWORK_KEY,
  isWeakPassphrase,
  networkKeyFromCode,
  networkKeyFromPassphrase,
} from '../crypto/network-key.js';
import { UsageError } from './errors.js';

/** A network file holds one line; anything bigger is the wrong file. */
const MAX_NETWORK_FILE_BYTES = 4096;

export type NetworkForm = 'public' | 'code' | 'passphrase';

export interface NetworkChoice {
  networkKey: Uint8Array;
  form: NetworkForm;
  weakPassphrase: boolean;
}

export const PUBLIC_NETWORK: NetworkChoice = {
  networkKey: DEFAULT_NETWORK_KEY,
  form: 'public',
  weakPassphrase: false,
};

/** The network a code or passphrase names. `origin` says where it came from, for errors. */
export function networkFromSecret(secret: string, origin: string): NetworkChoice {
  if (looksLikeNetworkCode(secret)) {
    const parsed = parseNetworkCode(secret);
    if (!parsed.ok)
      throw new UsageError(
        `${origin}: this is not a valid network code: ${parsed.problem}. Copy it again from ` +
          "'lanchat network new' (a passphrase cannot start with lc1-)",
      );
    return { networkKey: networkKeyFromCode(parsed.key), form: 'code', weakPassphrase: false };
  }
  // scrypt costs ~100 ms, so it runs only when a passphrase was actually given.
  return {
    networkKey: networkKeyFromPassphrase(secret),
    form: 'passphrase',
    weakPassphrase: isWeakPassphrase(secret),
  };
}

/** Reads --network-file: a regular file, not readable or writable by group or others, one line
 * (a trailing newline is not part of the key). */
export function readNetworkFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`--network-file ${path}: cannot open it (${code})`, { cause: err });
  }
  try {
    // fstat of the open file, not stat of the path: what we check is what we read.
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UsageError(`--network-file ${path}: not a regular file`);
    if ((stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new UsageError(
        `--network-file ${path}: other users may read or change it (mode ${mode}); ` +
          `run 'chmod 600 ${path}' so that only you can`,
      );
    }
    if (stat.size > MAX_NETWORK_FILE_BYTES)
      throw new UsageError(`--network-file ${path}: ${stat.size} bytes is too big for a network key`);
    const buffer = Buffer.alloc(MAX_NETWORK_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_NETWORK_FILE_BYTES)
        throw new UsageError(`--network-file ${path}: too big for a network key`);
    }
    const text = buffer
      .subarray(0, length)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (text === '') throw new UsageError(`--network-file ${path}: the file is empty`);
    return text;
  } finally {
    closeSync(fd);
  }
}

export const WEAK_PASSPHRASE_WARNING =
  'the network passphrase is weak; anyone who captures one lanchat packet of your network can ' +
  "guess it offline. Prefer a code from 'lanchat network new', or use 20+ characters or several " +
  'random words';

export const ARGV_WARNING =
  'the network key is on the command line, where every user of this machine can read it (ps); ' +
  'use LANCHAT_NETWORK, --network-file PATH or --network-prompt instead';
