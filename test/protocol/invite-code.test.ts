// Invite codes are typed, pasted and forwarded by people: every malformed one must give a clear
// InviteError, never a crash or a half-parsed invite.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkInviteNetwork,
  decodeInvite,
  encodeInvite,
  type Invite,
  InviteError,
  looksLikeInvite,
  MAX_INVITE_CHARS,
} from '../../src/protocol/invite-code.js';

const KEY = new Uint8Array(32).map((_, i) => i + 1);
const TAG = '0123456789abcdef';
const base: Invite = {
  publicKey: KEY,
  networkCheck: TAG.slice(0, 8),
  port: 7475,
  addresses: ['10.213.5.1', 'fd13:5:1::1'],
};

function errorOf(text: string): InviteError {
  try {
    decodeInvite(text);
  } catch (err) {
    if (err instanceof InviteError) return err;
    throw err;
  }
  throw new Error(`decoded: ${text}`);
}

describe('invite codes', () => {
  it('round-trips, as a code and as a lanchat:// URI, in any case', () => {
    const code = encodeInvite(base);
    expect(code).toMatch(/^lc[0-9a-z]+$/);
    expect(code.length).toBeLessThan(120); // one IPv4 and one IPv6 address
    for (const text of [code, code.toUpperCase(), `lanchat://invite/${code}`, `  ${code}\n`]) {
      const decoded = decodeInvite(text);
      expect(decoded.publicKey).toEqual(KEY);
      expect(decoded.port).toBe(7475);
      expect(decoded.addresses).toEqual(['10.213.5.1', 'fd13:5:1::1']);
      expect(decoded.networkKey).toBeUndefined();
      expect(decoded.refused).toEqual([]);
    }
    expect(looksLikeInvite(code)).toBe(true);
    expect(looksLikeInvite(`lcAAAA@10.0.0.1`)).toBe(false);
  });

  it('carries the network key only when asked', () => {
    const networkKey = new Uint8Array(randomBytes(32));
    const decoded = decodeInvite(encodeInvite({ ...base, networkKey }));
    expect(decoded.networkKey).toEqual(networkKey);
  });

  it('checks the network', () => {
    const decoded = decodeInvite(encodeInvite(base));
    expect(() => checkInviteNetwork(decoded, TAG)).not.toThrow();
    expect(() => checkInviteNetwork(decoded, 'ffffffff00000000')).toThrow(/another lanchat network/);
  });

  it('refuses truncated codes at every length', () => {
    const code = encodeInvite(base);
    for (let n = 0; n < code.length; n++) {
      const err = errorOf(code.slice(0, n));
      expect(['malformed', 'checksum']).toContain(err.code);
    }
  });

  it('refuses a code with one character changed (checksum)', () => {
    const code = encodeInvite(base);
    let checked = 0;
    for (let i = 2; i < code.length - 1; i++) {
      const swapped = code[i] === 'a' ? 'b' : 'a';
      const err = errorOf(code.slice(0, i) + swapped + code.slice(i + 1));
      expect(['checksum', 'version', 'malformed']).toContain(err.code);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('refuses another version with a message that says so', () => {
    const code = encodeInvite(base);
    // Version 1 is the first byte: its top five bits are the first base32 character after "lc".
    const err = errorOf(`lc2${code.slice(3)}`);
    expect(err.code).toBe('version');
    expect(err.message).toMatch(/version \d+/);
  });

  it('refuses huge input and garbage without trying to parse it', () => {
    expect(errorOf('lc'.padEnd(MAX_INVITE_CHARS + 1, 'a')).code).toBe('too-long');
    expect(errorOf('x'.repeat(10_000_000)).code).toBe('too-long');
    for (const garbage of [
      '',
      'hello',
      'lc!!!!',
      'lanchat://invite/',
      '💥',
      'lc\u0000\u0001',
      'KEY@10.0.0.1',
    ]) {
      expect(errorOf(garbage).code).toBe('malformed');
    }
    for (let i = 0; i < 200; i++) {
      const random = `lc${randomBytes(1 + (i % 120)).toString('hex')}`;
      expect(['malformed', 'checksum', 'version']).toContain(errorOf(random).code);
    }
  });

  it('drops addresses outside the policy, and refuses a code with none left', () => {
    const mixed = decodeInvite(
      encodeInvite({
        ...base,
        addresses: [
          '224.0.0.251',
          '10.0.0.9',
          '255.255.255.255',
          '0.0.0.0',
          '8.8.8.8',
          'fe80::1',
          '127.0.0.1',
        ],
      }),
    );
    expect(mixed.addresses).toEqual(['10.0.0.9']);
    expect(mixed.refused.map((r) => r.address)).toEqual([
      '224.0.0.251',
      '255.255.255.255',
      '0.0.0.0',
      '8.8.8.8',
      'fe80::1',
      '127.0.0.1',
    ]);
    const err = errorOf(encodeInvite({ ...base, addresses: ['ff02::fb', '::', '::1'] }));
    expect(err.code).toBe('no-address');
    expect(err.message).toMatch(/multicast/);
  });
});
