import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/id-command.js';
import { identityPath, loadOrCreateIdentity } from '../../src/identity/identity-store.js';
import { base64Of, fingerprint, idOf, parseId } from '../../src/identity/ids.js';
import { captured } from './captured-io.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lanchat-id-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function runId(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return captured((io) => run(argv, io), { env });
}

describe('lanchat id', () => {
  it('creates the identity on first use, says so on stderr, and prints it', async () => {
    const profile = join(root, 'p');
    const first = await runId(['--profile', profile]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe(`lanchat: created a new identity in ${identityPath(profile)}\n`);
    const identity = await loadOrCreateIdentity(profile);
    expect(first.stdout).toBe(
      `id           ${idOf(identity.publicKey)}\n` +
        `fingerprint  ${fingerprint(identity.publicKey)}\n` +
        `public key   ${base64Of(identity.publicKey)}\n`,
    );
    const second = await runId(['--profile', profile]);
    expect(second.stderr).toBe('');
    expect(second.stdout).toBe(first.stdout);
  });

  it('prints exactly one JSON object with --json', async () => {
    const { code, stdout } = await runId(['--json'], { LANCHAT_PROFILE: join(root, 'env') });
    expect(code).toBe(0);
    const shown = JSON.parse(stdout);
    expect(Object.keys(shown).sort()).toEqual(['fingerprint', 'id', 'publicKey']);
    expect(Buffer.from(parseId(shown.id)!).toString('base64')).toBe(shown.publicKey);
    expect(readFileSync(identityPath(join(root, 'env')), 'utf8')).toContain(shown.publicKey);
  });

  it('prints its usage with --help', async () => {
    const { code, stdout } = await runId(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: lanchat id \[--json\] \[--profile DIR\]/);
  });

  it('exits 2 on bad flags and arguments', async () => {
    for (const argv of [['--bogus'], ['extra'], ['--profile'], ['--profile', ''], ['--json', '--json']]) {
      const { code, stderr, stdout } = await runId(argv);
      expect(code, JSON.stringify(argv)).toBe(2);
      expect(stderr).toMatch(/^lanchat id: .+\nRun 'lanchat id --help' for usage\.\n$/);
      expect(stdout).toBe('');
    }
  });

  it('exits 1 with the fix on an unusable identity file', async () => {
    const profile = join(root, 'p');
    await loadOrCreateIdentity(profile);
    chmodSync(identityPath(profile), 0o644);
    const insecure = await runId(['--profile', profile]);
    expect(insecure.code).toBe(1);
    expect(insecure.stderr).toContain(`chmod 600 ${identityPath(profile)}`);
    chmodSync(identityPath(profile), 0o600);
    writeFileSync(identityPath(profile), '{"version":1');
    const corrupt = await runId(['--profile', profile]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain('NOT replaced');
    expect(corrupt.stdout).toBe('');
  });
});
