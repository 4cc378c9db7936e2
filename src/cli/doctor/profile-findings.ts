// The profile directory: owned by the user, closed to others (it holds the private key and the
// chat history), and on a disk with room for the history and received files.
import { type Stats, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { identityPath } from '../../identity/identity-store.js';
import { type Finding, finding } from './finding.js';

/** Below this the store may fail mid-write: a problem. */
export const DISK_FAIL_BYTES = 50 * 1024 * 1024;
/** Below this, received files will soon not fit: worth a warning. */
export const DISK_WARN_BYTES = 500 * 1024 * 1024;

export interface ProfileProbe {
  stat(path: string): Stats | undefined;
  freeBytes(path: string): number | undefined;
  uid: number | undefined;
}

export const systemProfileProbe: ProfileProbe = {
  stat: (path) => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  },
  freeBytes: (path) => {
    try {
      const s = statfsSync(path);
      return s.bavail * s.bsize;
    } catch {
      return undefined;
    }
  },
  uid: process.getuid?.(),
};

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0');

export function profileFindings(profileDir: string, probe: ProfileProbe = systemProfileProbe): Finding[] {
  const out: Finding[] = [];
  const dir = probe.stat(profileDir);
  if (!dir) {
    out.push(
      finding(
        'profile',
        'info',
        `${profileDir} does not exist yet; lanchat creates it (0700) on first start`,
      ),
    );
  } else if (!dir.isDirectory()) {
    out.push(
      finding('profile', 'fail', `${profileDir} is not a directory`, 'move it away or pass --profile DIR'),
    );
  } else {
    const problems: string[] = [];
    if (probe.uid !== undefined && dir.uid !== probe.uid) problems.push(`owned by uid ${dir.uid}, not you`);
    if ((dir.mode & 0o077) !== 0) problems.push(`mode ${octal(dir.mode)} lets others read your history`);
    const key = probe.stat(identityPath(profileDir));
    if (key && (key.mode & 0o077) !== 0) problems.push(`the identity file is mode ${octal(key.mode)}`);
    if (problems.length === 0)
      out.push(finding('profile', 'ok', `${profileDir}: yours, mode ${octal(dir.mode)}`));
    else
      out.push(
        finding(
          'profile',
          'fail',
          `${profileDir}: ${problems.join('; ')}`,
          `chmod 700 ${profileDir} && chmod 600 ${identityPath(profileDir)} (and chown it to yourself)`,
        ),
      );
  }
  let existing = profileDir;
  while (!probe.stat(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const free = probe.freeBytes(existing);
  if (free === undefined) out.push(finding('disk', 'info', `free space on ${existing}: unknown`));
  else {
    const mb = Math.floor(free / (1024 * 1024));
    const status = free < DISK_FAIL_BYTES ? 'fail' : free < DISK_WARN_BYTES ? 'warn' : 'ok';
    out.push(
      finding(
        'disk',
        status,
        `${mb} MB free for the profile (${existing})`,
        status === 'ok' ? undefined : 'free some space: history and received files need room',
      ),
    );
  }
  return out;
}
