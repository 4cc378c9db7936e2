import { mkdtempSync, rmSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCommonOptions, resolveNodeConfig } from '../../src/cli/common-options.js';
import { controlSocketPath } from '../../src/cli/control-protocol.js';
import { ControlServer } from '../../src/cli/control-server.js';
import { UsageError } from '../../src/cli/errors.js';
import { type InviteCommandIo, inviteAddresses, run } from '../../src/cli/invite-command.js';
import type { LanchatNode } from '../../src/core/node.js';
import { networkKeyFromPassphrase, networkTag } from '../../src/crypto/network-key.js';
import { loadOrCreateIdentity } from '../../src/identity/identity-store.js';
import { idOf } from '../../src/identity/ids.js';
import { decodeInvite } from '../../src/protocol/invite-code.js';
import { captured } from './captured-io.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lanchat-invite-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function iface(address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  const base = { address, netmask: '', mac: '00:00:00:00:00:00', internal, cidr: null };
  return family === 'IPv4' ? { ...base, family } : { ...base, family, scopeid: 0 };
}

const OFFICE = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [
    iface('192.168.10.20', 'IPv4'),
    iface('fe80::1', 'IPv6'),
    iface('fd00:10::20', 'IPv6'),
    iface('2001:db8::20', 'IPv6'),
  ],
  wg0: [iface('100.64.3.4', 'IPv4')],
};

function runInvite(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]> = () => OFFICE,
) {
  return captured<InviteCommandIo>((io) => run(argv, io), { env, interfaces });
}

describe('lanchat invite', () => {
  it('puts the port of the lanchat running on the profile in the code, not the default', async () => {
    const profile = join(root, 'p');
    await loadOrCreateIdentity(profile);
    // A node that fell back to another port (7475 was taken) answers diagnose with the real one.
    const node = { diagnose: () => ({ nick: 'alice', port: 7999, peers: [] }) } as unknown as LanchatNode;
    const server = new ControlServer({
      node,
      outbox: { deliveryState: () => undefined } as never,
      socketPath: controlSocketPath(profile),
    });
    await server.listen();
    try {
      const out = await runInvite(['--json', '--profile', profile]);
      expect(out.code).toBe(0);
      const shown = JSON.parse(out.stdout) as { code: string; port: number };
      expect(shown.port).toBe(7999);
      expect(decodeInvite(shown.code).port).toBe(7999);
    } finally {
      await server.close();
    }
  });

  it('prints a code with our key, private addresses and port, and no network key', async () => {
    const profile = join(root, 'p');
    const out = await runInvite(['--json', '--profile', profile, '--port', '7600']);
    expect(out.code).toBe(0);
    const shown = JSON.parse(out.stdout) as { code: string; uri: string; id: string; addresses: string[] };
    const identity = await loadOrCreateIdentity(profile);
    expect(shown.id).toBe(idOf(identity.publicKey));
    expect(shown.addresses).toEqual(['192.168.10.20', '100.64.3.4', 'fd00:10::20']);
    expect(shown.uri).toBe(`lanchat://invite/${shown.code}`);
    const invite = decodeInvite(shown.code);
    expect(invite.publicKey).toEqual(identity.publicKey);
    expect(invite.port).toBe(7600);
    expect(invite.networkKey).toBeUndefined();
    // And `--peer CODE` reads it back, one entry per address, on the same network.
    const { options } = parseCommonOptions(['--peer', shown.code]);
    expect(options.peers.map((p) => p.host)).toEqual(shown.addresses);
    expect(resolveNodeConfig(options, { env: {} }).defaultNetwork).toBe(true);
  });

  it('puts the network key in only with --with-network; the receiver then joins that network', async () => {
    const env = { LANCHAT_NETWORK: 'correct horse battery staple 42!' };
    const plain = JSON.parse((await runInvite(['--json', '--profile', join(root, 'p')], env)).stdout) as {
      code: string;
    };
    const secret = JSON.parse(
      (await runInvite(['--json', '--with-network', '--profile', join(root, 'p')], env)).stdout,
    ) as { code: string };
    const key = networkKeyFromPassphrase(env.LANCHAT_NETWORK);
    expect(decodeInvite(plain.code).networkKey).toBeUndefined();
    expect(decodeInvite(secret.code).networkKey).toEqual(key);
    // Without the passphrase, the plain code is refused (other network), the secret one adopted.
    expect(() => resolveNodeConfig(parseCommonOptions(['--peer', plain.code]).options, { env: {} })).toThrow(
      /another lanchat network/,
    );
    const joined = resolveNodeConfig(parseCommonOptions(['--peer', secret.code]).options, { env: {} });
    expect(joined.networkTag).toBe(networkTag(key));
    expect(resolveNodeConfig(parseCommonOptions(['--peer', plain.code]).options, { env }).networkTag).toBe(
      networkTag(key),
    );
  });

  it('says what to do when the host has no private address', async () => {
    const out = await runInvite(['--profile', join(root, 'p')], {}, () => ({
      eth0: [iface('8.8.4.4', 'IPv4')],
    }));
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/no private IPv4.*--peer KEY@HOST/);
  });

  it('chooses addresses: private first, link-local IPv4 only as a last resort, per interface', () => {
    expect(inviteAddresses(OFFICE, ['wg0'])).toEqual(['100.64.3.4']);
    expect(inviteAddresses({ eth0: [iface('169.254.7.7', 'IPv4'), iface('fe80::7', 'IPv6')] }, [])).toEqual([
      '169.254.7.7',
    ]);
    expect(inviteAddresses({ eth0: [iface('169.254.7.7', 'IPv4'), iface('10.1.1.1', 'IPv4')] }, [])).toEqual([
      '10.1.1.1',
    ]);
  });

  it('--peer refuses a damaged code with a usage error', () => {
    for (const bad of ['lc0000', 'lanchat://invite/lczz', `lc${'a'.repeat(500)}`]) {
      expect(() => parseCommonOptions(['--peer', bad])).toThrow(UsageError);
    }
  });
});
