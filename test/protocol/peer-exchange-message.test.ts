import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  MAX_PEX_ADDRESSES,
  MAX_PEX_ENTRIES,
  ProtocolError,
} from '../../src/protocol/messages.js';

const bytes = (v: unknown) => new Uint8Array(Buffer.from(JSON.stringify(v)));
const KEY = `${'A'.repeat(42)}E`;

describe('peer exchange message', () => {
  it('decodes entries, keeping only canonical zone-less addresses', () => {
    const m = decodeMessage(
      bytes({
        t: 'peers',
        peers: [{ key: KEY, port: 7475, addrs: ['10.0.0.1', 'FD00::1', 'fe80::1%eth0', 7] }],
      }),
    );
    expect(m).toEqual({ t: 'peers', peers: [{ key: KEY, port: 7475, addrs: ['10.0.0.1'] }] });
  });

  it.each([
    [
      'too many entries',
      { t: 'peers', peers: Array(MAX_PEX_ENTRIES + 1).fill({ key: KEY, port: 1, addrs: [] }) },
    ],
    [
      'too many addresses',
      { t: 'peers', peers: [{ key: KEY, port: 1, addrs: Array(MAX_PEX_ADDRESSES + 1).fill('10.0.0.1') }] },
    ],
    ['a bad key', { t: 'peers', peers: [{ key: 'short', port: 1, addrs: [] }] }],
    ['a non-canonical key', { t: 'peers', peers: [{ key: `${'A'.repeat(42)}B`, port: 1, addrs: [] }] }],
    ['port 0', { t: 'peers', peers: [{ key: KEY, port: 0, addrs: [] }] }],
    ['port 70000', { t: 'peers', peers: [{ key: KEY, port: 70000, addrs: [] }] }],
    ['not a list', { t: 'peers', peers: 'all of them' }],
    ['an entry that is not an object', { t: 'peers', peers: [null] }],
  ])('refuses %s', (_what, value) => {
    expect(() => decodeMessage(bytes(value))).toThrow(ProtocolError);
  });

  it('reads the listening port of a hello, and ignores a bad one', () => {
    const hello = { t: 'hello', v: 1, nick: 'a', caps: [], rooms: [] };
    expect(decodeMessage(bytes({ ...hello, port: 7475 }))).toMatchObject({ port: 7475 });
    for (const port of [0, 65536, -1, 1.5, '7475', null]) {
      expect(decodeMessage(bytes({ ...hello, port }))).not.toHaveProperty('port');
    }
  });
});
