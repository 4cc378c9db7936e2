// The real executable, as a user runs it: node bin/lanchat.js → dist/bundle/main.js.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseId } from '../../src/identity/ids.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'lanchat-bin-'));
  // Built by the global setup (test/support/build-once.ts): bin/lanchat.js runs the bundle.
  expect(existsSync(join(repo, 'dist/bundle/main.js')), 'dist/bundle/main.js was not built').toBe(true);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function lanchat(
  args: string[],
  extraEnv: Record<string, string | undefined> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.LANCHAT_PROFILE;
  delete env.LANCHAT_NETWORK;
  for (const [key, value] of Object.entries(extraEnv)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repo, 'bin/lanchat.js'), ...args],
      { cwd: root, env },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('bin/lanchat.js', () => {
  it('`lanchat id --json` prints valid JSON and `lanchat` (npm start) shows the same id, exit 0', async () => {
    const profile = join(root, 'profile');
    const id = await lanchat(['id', '--json', '--profile', profile]);
    expect(id.code).toBe(0);
    expect(id.stderr).toContain('created a new identity');
    const shown = JSON.parse(id.stdout);
    expect(parseId(shown.id)).toBeDefined();
    expect(shown.fingerprint).toMatch(/^[0-9a-f]{4}(:[0-9a-f]{4}){4}$/);

    const start = await lanchat(['--profile', profile, '--nick', 'bin-test']);
    expect(start.code).toBe(0);
    expect(start.stderr).toBe('');
    expect(start.stdout).toContain(`id           ${shown.id}`);
    expect(start.stdout).toContain('nick         bin-test');
  });

  it('`lanchat network new` prints a code that `lanchat --network-file` accepts as a private network', async () => {
    const made = await lanchat(['network', 'new']);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/^lc1-[0-9a-z-]{39}\n$/);
    const file = join(root, 'network-code');
    writeFileSync(file, made.stdout, { mode: 0o600 });
    const start = await lanchat(['--profile', join(root, 'net-profile'), '--network-file', file]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/network {6}private/);
    expect(start.stderr).not.toMatch(/warning/);
  });

  it('prints help and exits 0', async () => {
    const help = await lanchat(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--peer KEY@HOST[:PORT]');
  });

  it('exits 2 on a bad flag, 1 on an unusable profile, never with a stack trace', async () => {
    const bad = await lanchat(['--port', '99999']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port expects a port number/);
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const notDir = await lanchat(['--profile', file]);
    expect(notDir.code).toBe(1);
    expect(notDir.stderr).toMatch(/not a directory/);
    expect(bad.stderr + notDir.stderr).not.toMatch(/\n\s+at /);
  });

  describe("V8's compile cache lives in the user's cache directory, not in /tmp (emptied at boot)", () => {
    /** Files under `dir`, recursively. */
    const filesUnder = (dir: string): string[] =>
      existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }) : [];
    // Node's own trace of the cache (Node >= 22.1): whether the main module's cached code was used.
    const trace = { NODE_DEBUG_NATIVE: 'COMPILE_CACHE', NODE_COMPILE_CACHE: undefined };

    it('$XDG_CACHE_HOME/lanchat/compile-cache: filled by one start, used by the next', async () => {
      const xdg = join(root, 'xdg-cache');
      const first = await lanchat(['--help'], { ...trace, XDG_CACHE_HOME: xdg });
      expect(first.code).toBe(0);
      expect(filesUnder(join(xdg, 'lanchat', 'compile-cache')).length).toBeGreaterThan(1);
      const second = await lanchat(['--help'], { ...trace, XDG_CACHE_HOME: xdg });
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/main\.js was accepted/);
    });

    it('~/.cache/lanchat/compile-cache when XDG_CACHE_HOME is unset or relative', async () => {
      const home = join(root, 'home');
      mkdirSync(home);
      expect((await lanchat(['--help'], { HOME: home, XDG_CACHE_HOME: 'relative/cache' })).code).toBe(0);
      expect(filesUnder(join(home, '.cache', 'lanchat', 'compile-cache')).length).toBeGreaterThan(1);
      expect(existsSync(join(root, 'relative'))).toBe(false);
    });

    it('one directory per build: a start removes those other builds left (Node never prunes)', async () => {
      const xdg = join(root, 'xdg-prune');
      const builds = join(xdg, 'lanchat', 'compile-cache');
      mkdirSync(join(builds, 'an-older-build', 'v0'), { recursive: true });
      writeFileSync(join(builds, 'an-older-build', 'v0', 'entry'), 'stale');
      expect((await lanchat(['--help'], { XDG_CACHE_HOME: xdg })).code).toBe(0);
      const left = readdirSync(builds);
      expect(left).toHaveLength(1);
      expect(left[0]).not.toBe('an-older-build');
      expect(filesUnder(join(builds, left[0]!)).length).toBeGreaterThan(1);
      // The same build again keeps its directory (and uses it).
      const again = await lanchat(['--help'], { ...trace, XDG_CACHE_HOME: xdg });
      expect(readdirSync(builds)).toEqual(left);
      expect(again.stderr).toMatch(/main\.js was accepted/);
    });

    it('NODE_COMPILE_CACHE, when set, is where Node puts it', async () => {
      const own = join(root, 'own-cache');
      const xdg = join(root, 'xdg-unused');
      const run = await lanchat(['--help'], { NODE_COMPILE_CACHE: own, XDG_CACHE_HOME: xdg });
      expect(run.code).toBe(0);
      expect(filesUnder(own).length).toBeGreaterThan(1);
      expect(existsSync(xdg)).toBe(false);
    });
  });
});
