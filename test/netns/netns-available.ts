// Can this machine build namespace networks (and run avahi in them)? Tests ask first and skip
// with the printed reason, so a laptop without root still runs the rest of the suite.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export type Availability = { ok: true } | { ok: false; reason: string };

let availability: Availability | undefined;

/** Whether this machine can build namespace networks. Tests: `describe.skipIf(!netns.ok)`. */
export function netnsAvailable(): Availability {
  availability ??= probeNetns();
  return availability;
}

function probeNetns(): Availability {
  if (process.platform !== 'linux') return { ok: false, reason: 'network namespaces need Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'network namespace tests need root' };
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return { ok: false, reason: "'ip' (iproute2) is not installed" };
  }
  const probe = `${uniquePrefix()}probe`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
  } catch (err) {
    return { ok: false, reason: `ip netns add failed: ${errorText(err)}` };
  }
  try {
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
  } catch {
    // Left over only if deletion itself is broken; nothing else we can do from here.
  }
  return { ok: true };
}

/** Whether avahi-daemon can be run inside namespaces (on top of netnsAvailable). */
export function avahiAvailable(): Availability {
  const base = netnsAvailable();
  if (!base.ok) return base;
  for (const tool of ['avahi-daemon', 'avahi-browse', 'avahi-publish', 'dbus-daemon', 'unshare']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return { ok: false, reason: `${tool} is not installed` };
    }
  }
  return { ok: true };
}

/** "lct" + 6 random hex + "-": unique per test file, so parallel workers never collide. */
export function uniquePrefix(): string {
  return `lct${randomBytes(3).toString('hex')}-`;
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'stderr' in err) {
    const stderr = String((err as { stderr: unknown }).stderr).trim();
    if (stderr) return stderr;
  }
  return err instanceof Error ? err.message : String(err);
}
