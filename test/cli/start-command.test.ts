import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run, type StartCommandIo } from '../../src/cli/start-command.js';
import { identityPath, loadOrCreateIdentity } from '../../src/identity/identity-store.js';
import { fingerprint, idOf } from '../../src/identity/ids.js';
import { captured } from './captured-io.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lanchat-start-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function runStart(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return captured((io: StartCommandIo) => run(argv, io), { env, username: () => 'tester' });
}

describe('lanchat (start)', () => {
  it('shows nick, id, fingerprint and profile, and exits 0', async () => {
    const profile = join(root, 'p');
    const { code, stdout, stderr } = await runStart(['--profile', profile]);
    expect(code).toBe(0);
    expect(stderr).toContain('created a new identity');
    const identity = await loadOrCreateIdentity(profile);
    expect(stdout).toContain('nick         tester\n');
    expect(stdout).toContain(`id           ${idOf(identity.publicKey)}\n`);
    expect(stdout).toContain(`fingerprint  ${fingerprint(identity.publicKey)}\n`);
    expect(stdout).toContain(`profile      ${profile}\n`);
    expect(stdout).toContain('network      public\n');
    expect(stdout).toMatch(/needs a terminal/);
  });

  it('prints one JSON object with --json and warns about a weak passphrase', async () => {
    const { code, stdout, stderr } = await runStart(['--json', '--nick', 'bob', '--network', 'office'], {
      LANCHAT_PROFILE: join(root, 'env'),
    });
    expect(code).toBe(0);
    expect(stderr).toMatch(/passphrase is weak/);
    expect(stderr).toMatch(/^lanchat: warning: the network key is on the command line/m);
    const shown = JSON.parse(stdout);
    expect(shown).toMatchObject({ type: 'identity', nick: 'bob', profile: join(root, 'env') });
    expect(shown.network).toMatch(/^private/);
  });

  it('prints usage of every flag and sub-command with --help, without touching the profile', async () => {
    const { code, stdout } = await runStart(['--help', '--profile', join(root, 'never')]);
    expect(code).toBe(0);
    for (const word of [
      'lanchat id',
      'lanchat discover',
      '--nick',
      '--profile',
      '--port',
      '--network',
      '--interface',
      '--peer',
      '--json',
      '--headless',
      '--help',
      'LANCHAT_PROFILE',
      'LANCHAT_NETWORK',
    ]) {
      expect(stdout).toContain(word);
    }
    await expect(import('node:fs').then((fs) => fs.existsSync(join(root, 'never')))).resolves.toBe(false);
  });

  it('exits 2 with a usage message on bad flags or an unknown command', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--port', 'x'], /--port expects a port number/],
      [['--nope'], /unknown option '--nope'/],
      [['chat'], /unknown command 'chat' \(commands: id, discover, send, peers, network\)/],
    ];
    for (const [argv, message] of cases) {
      const { code, stderr, stdout } = await runStart(argv);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toContain("Run 'lanchat --help' for usage.");
      expect(stdout).toBe('');
    }
  });

  it('exits 1 with the message on an identity error', async () => {
    const profile = join(root, 'p');
    await loadOrCreateIdentity(profile);
    chmodSync(identityPath(profile), 0o640);
    const { code, stderr } = await runStart(['--profile', profile]);
    expect(code).toBe(1);
    expect(stderr).toContain(`chmod 600 ${identityPath(profile)}`);
  });
});
