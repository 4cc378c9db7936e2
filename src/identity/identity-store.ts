// The user's long-term identity on disk: created once, then only ever read. Losing or silently
// replacing it would make every contact see a stranger, so this file is careful to never overwrite
// an existing key, never use one that others could have read or swapped, and never "repair" one.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { type FileHandle, link, mkdir, open, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { IdentityError } from './identity-error.js';
import { decodeIdentityFile, encodeIdentityFile, type Identity } from './identity-file.js';
import { generateIdentity } from './keygen.js';

export type { Identity } from './identity-file.js';

export const IDENTITY_FILE_NAME = 'identity.json';
// A real identity file is ~200 bytes; anything far larger is not ours and is not read into memory.
const MAX_IDENTITY_FILE_BYTES = 64 * 1024;
// Mode bits are meaningless on Windows (ACLs there); the checks would only refuse good files.
const CHECK_MODES = process.platform !== 'win32';

export interface OpenedIdentity {
  identity: Identity;
  /** Absolute path of the key file. */
  path: string;
  /** True when this call generated the key (first run). */
  created: boolean;
}

export function identityPath(profileDir: string): string {
  return join(resolve(profileDir), IDENTITY_FILE_NAME);
}

/** Loads the identity from `profileDir`, creating the directory (0700) and a new key (0600) on
 * first run. Throws IdentityError when an existing key file must not be used. */
export async function loadOrCreateIdentity(profileDir: string): Promise<Identity> {
  return (await openIdentity(profileDir)).identity;
}

/** Like loadOrCreateIdentity, but also says where the key is and whether it was just created, so
 * the CLI can tell the user. `generate` is injectable for tests. */
export async function openIdentity(
  profileDir: string,
  generate: () => Identity = generateIdentity,
): Promise<OpenedIdentity> {
  const dir = resolve(profileDir);
  const path = join(dir, IDENTITY_FILE_NAME);
  await ensureProfileDir(dir);
  const existing = await readIdentity(path);
  if (existing) return { identity: existing, path, created: false };
  const won = await createIdentityFile(path, generate());
  // Another process may have created the file between our read and our link: theirs wins, and we
  // return it so that both processes run as the same identity.
  const identity = won ?? (await readIdentity(path));
  if (!identity) {
    throw new IdentityError('unreadable', path, `${path} vanished while lanchat was creating it; try again.`);
  }
  return { identity, path, created: won !== undefined };
}

async function ensureProfileDir(dir: string): Promise<void> {
  try {
    // Parents (e.g. ~/.config) get the default mode; only the profile itself is private.
    await mkdir(dirname(dir), { recursive: true });
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') {
      throw new IdentityError(
        'unwritable',
        dir,
        `cannot create the profile directory ${dir}: ${describe(err)}`,
        {
          cause: err,
        },
      );
    }
  }
  const info = await stat(dir).catch((err: unknown) => {
    throw new IdentityError('unreadable', dir, `cannot read the profile directory ${dir}: ${describe(err)}`, {
      cause: err,
    });
  });
  if (!info.isDirectory()) {
    throw new IdentityError('unwritable', dir, `the profile path ${dir} exists but is not a directory.`);
  }
  // Whoever can write the directory can swap our key file for theirs, or the database for one that
  // feeds us forged history: group members as much as everybody (OpenSSH's StrictModes refuses
  // both too). Whoever owns it can chmod it back at any time.
  if (!CHECK_MODES) return;
  if ((info.mode & 0o022) !== 0) {
    const octal = (info.mode & 0o777).toString(8).padStart(3, '0');
    const who = (info.mode & 0o002) !== 0 ? 'other users' : 'its group';
    throw new IdentityError(
      'insecure-permissions',
      dir,
      `the profile directory ${dir} has permissions ${octal}: it is writable by ${who}, who could replace ` +
        `your identity or your history. Run: chmod 700 ${shellQuote(dir)}`,
    );
  }
  const me = process.getuid?.();
  if (me !== undefined && info.uid !== me) {
    throw new IdentityError(
      'insecure-permissions',
      dir,
      `the profile directory ${dir} belongs to another user (uid ${info.uid}), not to you (uid ${me}), ` +
        `who could replace your identity. Run: chown ${me} ${shellQuote(dir)} && chmod 700 ${shellQuote(dir)}, ` +
        'or use your own --profile.',
    );
  }
}

/** Reads and validates the key file; undefined when there is none. */
async function readIdentity(path: string): Promise<Identity | undefined> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: a FIFO planted at the path must not hang the start-up.
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new IdentityError('unreadable', path, `cannot read the identity file ${path}: ${describe(err)}`, {
      cause: err,
    });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new IdentityError('unreadable', path, `the identity file ${path} is not a regular file.`);
    }
    checkKeyFileOwnership(path, info.mode, info.uid);
    if (info.size > MAX_IDENTITY_FILE_BYTES) throw corrupt(path, `it is ${info.size} bytes long`);
    const text = await handle.readFile({ encoding: 'utf8' });
    const decoded = decodeIdentityFile(text);
    if (!decoded.ok) throw corrupt(path, decoded.problem);
    return decoded.identity;
  } catch (err) {
    if (err instanceof IdentityError) throw err;
    throw new IdentityError('unreadable', path, `cannot read the identity file ${path}: ${describe(err)}`, {
      cause: err,
    });
  } finally {
    await handle.close();
  }
}

// As ssh does for private keys: a key that others could read may already be copied, so using it
// silently would hide a compromise. Refuse and say how to fix it.
function checkKeyFileOwnership(path: string, mode: number, uid: number): void {
  if (!CHECK_MODES) return;
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw new IdentityError(
      'insecure-permissions',
      path,
      `the identity file ${path} has permissions ${octal}, so other users can access your secret key. ` +
        `Run: chmod 600 ${shellQuote(path)}`,
    );
  }
  const me = process.getuid?.();
  if (me !== undefined && uid !== me) {
    throw new IdentityError(
      'insecure-permissions',
      path,
      `the identity file ${path} belongs to another user (uid ${uid}), not to you (uid ${me}). ` +
        `Run: chown ${me} ${shellQuote(path)}, or use your own --profile.`,
    );
  }
}

function corrupt(path: string, problem: string): IdentityError {
  return new IdentityError(
    'corrupt',
    path,
    `the identity file ${path} is damaged: ${problem}. It was NOT replaced. Restore it from a backup, ` +
      `or move it away (mv ${shellQuote(path)} ${shellQuote(`${path}.broken`)}) and start again to ` +
      'create a new identity; the old identity is then lost and contacts will see you as a new key.',
  );
}

/** Writes the key to a private temp file, then hard-links it into place: link() fails if the name
 * exists, so two processes starting at once cannot both create (or overwrite) an identity, and
 * the final name only ever points at a complete, fsynced file. Returns undefined if we lost. */
async function createIdentityFile(path: string, identity: Identity): Promise<Identity | undefined> {
  const content = encodeIdentityFile(identity);
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeNewFile(temp, content);
    try {
      await link(temp, path);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'EEXIST') return undefined;
      // Some file systems (FAT, some network mounts) have no hard links: fall back to O_EXCL on
      // the final name, which is still exclusive but not crash-atomic. A crash mid-write leaves a
      // file that the next start reports as damaged rather than silently replacing.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw err;
      try {
        await writeNewFile(path, content);
      } catch (fallbackErr) {
        if (errorCode(fallbackErr) === 'EEXIST') return undefined;
        throw fallbackErr;
      }
    }
    await syncDir(dirname(path));
    return identity;
  } catch (err) {
    throw new IdentityError('unwritable', path, `cannot create the identity file ${path}: ${describe(err)}`, {
      cause: err,
    });
  } finally {
    await unlink(temp).catch(() => {});
  }
}

async function writeNewFile(path: string, content: string): Promise<void> {
  // 'wx' = O_CREAT|O_EXCL: never follows or reuses something already there. The umask can only
  // remove bits from 0600, never add them.
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Makes the new directory entry durable; not every platform can open a directory, and a failure
// here does not make the key any less valid, so it is best effort.
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {}
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
