// The real executable, as a user runs it: node bin/lanchat.js → dist/bundle/main.js.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

function lanchat(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.LANCHAT_PROFILE;
  delete env.LANCHAT_NETWORK;
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
});
