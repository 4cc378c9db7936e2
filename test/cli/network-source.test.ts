// Where the network key comes from (--network, --network-file, --network-prompt, LANCHAT_NETWORK)
// and what it is (a network code or a passphrase).
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { askNetworkIfNeeded, parseCommonOptions, resolveNodeConfig } from '../../src/cli/common-options.js';
import { UsageError } from '../../src/cli/errors.js';
import { ARGV_WARNING } from '../../src/cli/network-secret.js';
import { newNetworkCode, parseNetworkCode } from '../../src/crypto/network-code.js';
import {
  DEFAULT_NETWORK_KEY,
  discoveryKeyOf,
  networkKeyFromCode,
  networkKeyFromPassphrase,
} from '../../src/crypto/network-key.js';

const dir = mkdtempSync(join(tmpdir(), 'lanchat-netsrc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CODE = newNetworkCode();
const CODE_KEY = (() => {
  const parsed = parseNetworkCode(CODE);
  if (!parsed.ok) throw new Error(parsed.problem);
  return networkKeyFromCode(parsed.key);
})();

function resolve(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const warnings: string[] = [];
  const config = resolveNodeConfig(parseCommonOptions(argv).options, {
    env,
    warn: (m) => warnings.push(m),
  });
  return { config, warnings };
}

function fileWith(name: string, content: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('network sources', () => {
  it('takes a code from LANCHAT_NETWORK without any warning, and seals discovery', () => {
    const { config, warnings } = resolve([], { LANCHAT_NETWORK: CODE });
    expect(config.networkKey).toEqual(CODE_KEY);
    expect(config.networkForm).toBe('code');
    expect(config.defaultNetwork).toBe(false);
    expect(config.weakPassphrase).toBe(false);
    expect(config.discoveryKey).toEqual(discoveryKeyOf(CODE_KEY));
    expect(warnings).toEqual([]);
  });

  it('warns that argv is readable by other users, and still works', () => {
    const { config, warnings } = resolve(['--network', CODE]);
    expect(config.networkKey).toEqual(CODE_KEY);
    expect(warnings).toEqual([ARGV_WARNING]);
    expect(ARGV_WARNING).toMatch(/ps/);
  });

  it('the public network publishes in the clear: no discovery key', () => {
    const { config } = resolve([]);
    expect(config.networkKey).toEqual(DEFAULT_NETWORK_KEY);
    expect(config.discoveryKey).toBeUndefined();
    expect(config.networkForm).toBe('public');
  });

  it('reads --network-file of mode 0600, without its trailing newline; it beats the env', () => {
    const path = fileWith('code', `${CODE}\n`, 0o600);
    const { config, warnings } = resolve(['--network-file', path], { LANCHAT_NETWORK: 'other words here' });
    expect(config.networkKey).toEqual(CODE_KEY);
    expect(warnings).toEqual([]);
    const words = fileWith('words', 'Correct Horse Battery Staple 42!\r\n', 0o400);
    expect(resolve(['--network-file', words]).config.networkKey).toEqual(
      networkKeyFromPassphrase('Correct Horse Battery Staple 42!'),
    );
  });

  it('refuses a network file that group or others can read or write', () => {
    for (const mode of [0o640, 0o604, 0o620, 0o644]) {
      const path = fileWith(`open-${mode.toString(8)}`, CODE, mode);
      expect(usageMessage(() => resolve(['--network-file', path]))).toMatch(
        new RegExp(`mode 0${mode.toString(8)}.*chmod 600`),
      );
    }
  });

  it('checks the file a symlink points to, and refuses a directory, an empty or a missing file', () => {
    const target = fileWith('target', CODE, 0o644);
    const link = join(dir, 'link');
    symlinkSync(target, link);
    expect(usageMessage(() => resolve(['--network-file', link]))).toMatch(/mode 0644/);
    expect(usageMessage(() => resolve(['--network-file', dir]))).toMatch(/not a regular file/);
    expect(usageMessage(() => resolve(['--network-file', fileWith('empty', '\n', 0o600)]))).toMatch(/empty/);
    expect(usageMessage(() => resolve(['--network-file', join(dir, 'nope')]))).toMatch(/ENOENT/);
    expect(usageMessage(() => resolve(['--network-file', fileWith('big', 'x'.repeat(5000), 0o600)]))).toMatch(
      /too big/,
    );
  });

  it('tells a code from a passphrase: a mistyped code is an error, not another network', () => {
    const typo = CODE.slice(0, -1) + (CODE.endsWith('0') ? '1' : '0');
    expect(usageMessage(() => resolve([], { LANCHAT_NETWORK: typo }))).toMatch(
      /LANCHAT_NETWORK: this is not a valid network code: its checksum does not match/,
    );
    expect(usageMessage(() => resolve([], { LANCHAT_NETWORK: 'lc1-abcd' }))).toMatch(/characters/);
    // Case, spaces and Crockford look-alikes do not matter.
    expect(resolve([], { LANCHAT_NETWORK: ` ${CODE.toUpperCase()} ` }).config.networkKey).toEqual(CODE_KEY);
    const { config } = resolve([], { LANCHAT_NETWORK: 'office' });
    expect(config.networkForm).toBe('passphrase');
    expect(config.weakPassphrase).toBe(true);
    expect(config.networkKey).toEqual(networkKeyFromPassphrase('office'));
  });

  it('--network - and --network-prompt read the terminal, without echo', async () => {
    for (const argv of [['--network', '-'], ['--network-prompt']]) {
      const stdin = Object.assign(new PassThrough(), {
        isTTY: true,
        rawModes: [] as boolean[],
        setRawMode(mode: boolean) {
          this.rawModes.push(mode);
        },
      });
      let shown = '';
      const asking = askNetworkIfNeeded(parseCommonOptions(argv).options, {
        stdin,
        stderr: (t) => {
          shown += t;
        },
      });
      stdin.write(`${CODE}x\u007f\r`);
      const options = await asking;
      const warnings: string[] = [];
      const config = resolveNodeConfig(options, { env: {}, warn: (m) => warnings.push(m) });
      expect(config.networkKey).toEqual(CODE_KEY);
      expect(warnings).toEqual([]);
      expect(shown).not.toContain(CODE.slice(4));
      expect(stdin.rawModes).toEqual([true, false]);
    }
  });

  it('--network-prompt fails (does not hang) when the terminal closes before Enter', async () => {
    const stdin = Object.assign(new PassThrough(), {
      isTTY: true,
      rawModes: [] as boolean[],
      setRawMode(mode: boolean) {
        this.rawModes.push(mode);
      },
    });
    const asking = askNetworkIfNeeded(parseCommonOptions(['--network-prompt']).options, {
      stdin,
      stderr: () => {},
    });
    stdin.end('half-typed'); // no newline, then end of input
    await expect(asking).rejects.toThrow(/terminal closed before/);
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('refuses to prompt without a terminal', async () => {
    const options = parseCommonOptions(['--network-prompt']).options;
    await expect(askNetworkIfNeeded(options, { stdin: new PassThrough(), stderr: () => {} })).rejects.toThrow(
      /needs a terminal/,
    );
    expect(() => resolveNodeConfig(options, { env: {} })).toThrow(UsageError);
  });
});
