import { describe, expect, it } from 'vitest';
import { parseCommonOptions, resolveNodeConfig } from '../../src/cli/common-options.js';
import { type NetworkCommandIo, run } from '../../src/cli/network-command.js';
import { parseNetworkCode } from '../../src/crypto/network-code.js';
import { DEFAULT_NETWORK_KEY, networkKeyFromCode } from '../../src/crypto/network-key.js';
import { captured } from './captured-io.js';

const runNetwork = (argv: string[], randomBytes?: (n: number) => Uint8Array) =>
  captured<NetworkCommandIo>((io) => run(argv, io), randomBytes ? { randomBytes } : {});

describe('lanchat network new', () => {
  it('prints only the code on stdout; it parses back and names a private network', async () => {
    const { code, stdout, stderr } = await runNetwork(['new']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^lc1-[0-9a-z-]{39}\n$/);
    expect(stderr).toMatch(/keep it secret/);
    const parsed = parseNetworkCode(stdout);
    expect(parsed.ok).toBe(true);
    const config = resolveNodeConfig(parseCommonOptions([]).options, {
      env: { LANCHAT_NETWORK: stdout.trim() },
    });
    expect(config.networkForm).toBe('code');
    expect(config.networkKey).not.toEqual(DEFAULT_NETWORK_KEY);
    if (parsed.ok) expect(config.networkKey).toEqual(networkKeyFromCode(parsed.key));
  });

  it('--json gives one object; the code holds the 128 random bits it was given', async () => {
    const bits = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
    const { code, stdout, stderr } = await runNetwork(['new', '--json'], (n) => bits.slice(0, n));
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const shown = JSON.parse(stdout);
    expect(shown.type).toBe('network_code');
    expect(parseNetworkCode(shown.code)).toEqual({ ok: true, key: bits });
  });

  it('two runs give two different codes', async () => {
    const [a, b] = await Promise.all([runNetwork(['new']), runNetwork(['new'])]);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it('shows its usage, and refuses a missing or unknown action (exit 2)', async () => {
    expect((await runNetwork(['--help'])).stdout).toMatch(/Usage: lanchat network new/);
    for (const argv of [[], ['old'], ['new', 'extra'], ['new', '--bogus']]) {
      const { code, stderr } = await runNetwork(argv);
      expect(code, JSON.stringify(argv)).toBe(2);
      expect(stderr).toMatch(/^lanchat network: /);
    }
    const json = await runNetwork(['nope', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'error', code: 'usage' });
  });
});
