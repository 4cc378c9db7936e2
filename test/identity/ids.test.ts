import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { base64Of, fingerprint, idOf, keySuffix, parseId } from '../../src/identity/ids.js';

describe('ids', () => {
  const key = nacl.sign.keyPair().publicKey;

  it('round-trips id → key for many random keys', () => {
    for (let i = 0; i < 200; i++) {
      const k = nacl.randomBytes(32);
      const id = idOf(k);
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(parseId(id)!)).toEqual(Buffer.from(k));
    }
  });

  it('accepts the standard base64 form printed as "public key", padded or not', () => {
    expect(Buffer.from(parseId(base64Of(key))!)).toEqual(Buffer.from(key));
    expect(Buffer.from(parseId(base64Of(key).replace(/=$/, ''))!)).toEqual(Buffer.from(key));
    expect(Buffer.from(parseId(`  ${idOf(key)}\n`)!)).toEqual(Buffer.from(key));
  });

  it('has no characters that would break KEY@HOST:PORT', () => {
    expect(idOf(new Uint8Array(32).fill(0xff))).not.toMatch(/[@:/+=]/);
  });

  const id = idOf(key);
  const rejected: Record<string, string> = {
    empty: '',
    'one character short': id.slice(1),
    'one character long': `${id}A`,
    'illegal character': `${id.slice(0, 42)}!`,
    'inner space': `${id.slice(0, 20)} ${id.slice(21)}`,
    'hex instead of base64': Buffer.from(key).toString('hex'),
    'double padding': `${id.slice(0, 42)}==`,
    // 43 chars carry 258 bits; the 2 spare bits must be zero so that one key has exactly one id.
    'non-canonical last character': `${'A'.repeat(42)}B`,
  };
  for (const [name, text] of Object.entries(rejected)) {
    it(`rejects ${name}`, () => expect(parseId(text)).toBeUndefined());
  }

  it('refuses keys of the wrong length', () => {
    expect(() => idOf(new Uint8Array(31))).toThrow(RangeError);
  });

  it('prints fingerprints and suffixes in a stable format', () => {
    const zero = new Uint8Array(32);
    // SHA-256 of 32 zero bytes starts 66687aadf862bd776c8f.
    expect(fingerprint(zero)).toBe('6668:7aad:f862:bd77:6c8f');
    expect(keySuffix(zero)).toBe('66687aad');
    expect(fingerprint(key)).toMatch(/^[0-9a-f]{4}(:[0-9a-f]{4}){4}$/);
  });
});

describe('splitNickSuffix', () => {
  it('splits a trailing 32-bit #3f2a9c01 key suffix and nothing else', async () => {
    const { splitNickSuffix } = await import('../../src/identity/ids.js');
    expect(splitNickSuffix('alice#3f2A9C01')).toEqual({ nick: 'alice', suffix: '3f2a9c01' });
    expect(splitNickSuffix('alice')).toEqual({ nick: 'alice' });
    expect(splitNickSuffix('a#b#00ff00ff')).toEqual({ nick: 'a#b', suffix: '00ff00ff' });
    expect(splitNickSuffix('alice#zz12zz12')).toEqual({ nick: 'alice#zz12zz12' });
    // The old 16-bit form is no longer a suffix (it could be ground in a second).
    expect(splitNickSuffix('alice#3f2a')).toEqual({ nick: 'alice#3f2a' });
    expect(splitNickSuffix('#abcdabcd')).toEqual({ nick: '#abcdabcd' });
  });
});
