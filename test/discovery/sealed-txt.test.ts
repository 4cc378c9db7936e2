// The v=2 TXT record of a private network: round trip, size, and hostile input.
import { describe, expect, it } from 'vitest';
import {
  discoveryKeyOf,
  networkKeyFromCode,
  networkKeyFromPassphrase,
} from '../../src/crypto/network-key.js';
import { sealTxt } from '../../src/crypto/txt-seal.js';
import { readPeerTxt } from '../../src/discovery/peer-txt.js';
import { encodeSealedTxt, openSealedTxt, sealedFromPairs } from '../../src/discovery/sealed-txt.js';
import { encodeTxt, MAX_TXT_BYTES, txtPairs } from '../../src/discovery/txt-record.js';

const KEY = discoveryKeyOf(networkKeyFromCode(new Uint8Array(16).fill(7)));
const OTHER = discoveryKeyOf(networkKeyFromCode(new Uint8Array(16).fill(8)));
const TAG = '0123456789abcdef';
const pk = new Uint8Array(32).map((_, i) => i + 1);
const pkB64 = Buffer.from(pk).toString('base64');
const salt = (n: number) => new Uint8Array(16).fill(n);

const bytesOf = (entries: Uint8Array[]) => entries.reduce((n, e) => n + e.length + 1, 0);
const text = (entries: Uint8Array[]) => entries.map((e) => Buffer.from(e).toString('utf8'));
const enc = (...strings: string[]) => strings.map((s) => new Uint8Array(Buffer.from(s)));

describe('sealed TXT (v=2)', () => {
  it('round-trips key and nick under the same discovery key', () => {
    const txt = encodeSealedTxt({ publicKey: pk, nick: 'j.r.r. tølkien' }, KEY, salt(1));
    expect(readPeerTxt(txt, { networkTag: TAG, discoveryKey: KEY })).toEqual({
      kind: 'peer',
      publicKey: pkB64,
      nick: 'j.r.r. tølkien',
    });
  });

  it('has one size whatever the nick (< 200 bytes), and shows neither key, nick nor tag', () => {
    const sizes = ['a', 'x'.repeat(32), '😀'.repeat(20)].map((nick) =>
      bytesOf(encodeSealedTxt({ publicKey: pk, nick }, KEY, salt(2))),
    );
    expect(new Set(sizes).size).toBe(1);
    expect(sizes[0]).toBe(182); // as the README says
    expect(sizes[0]).toBeLessThan(MAX_TXT_BYTES);
    const txt = text(encodeSealedTxt({ publicKey: pk, nick: 'alice' }, KEY, salt(3)));
    expect(txt[0]).toBe('v=2');
    const all = txt.join('\n');
    for (const secret of [
      'alice',
      pkB64,
      Buffer.from(pk).toString('base64url'),
      Buffer.from(pk).toString('hex'),
      TAG,
    ])
      expect(all).not.toContain(secret);
  });

  it('a fresh salt gives unrelated bytes for the same content', () => {
    const a = text(encodeSealedTxt({ publicKey: pk, nick: 'alice' }, KEY, salt(4)));
    const b = text(encodeSealedTxt({ publicKey: pk, nick: 'alice' }, KEY, salt(5)));
    expect(a[2]).not.toBe(b[2]);
  });

  it('is another network for another key, and for a node of the public network (no key)', () => {
    const txt = encodeSealedTxt({ publicKey: pk, nick: 'alice' }, KEY, salt(6));
    expect(readPeerTxt(txt, { networkTag: TAG, discoveryKey: OTHER })).toEqual({ kind: 'foreign' });
    expect(readPeerTxt(txt, { networkTag: TAG })).toEqual({ kind: 'foreign' });
    // A passphrase network is told apart from a code network with the same words either way.
    const words = discoveryKeyOf(networkKeyFromPassphrase('lc1 is not a code prefix here'));
    expect(readPeerTxt(txt, { networkTag: TAG, discoveryKey: words })).toEqual({ kind: 'foreign' });
  });

  it('a read remembered by content is only reused under the context it was read in', () => {
    const txt = encodeSealedTxt({ publicKey: pk, nick: 'alice' }, KEY, salt(7));
    const content = 'alice._lanchat._tcp.local|TXT|sealed-7';
    const peer = { kind: 'peer', publicKey: pkB64, nick: 'alice' };
    expect(readPeerTxt(txt, { networkTag: TAG, discoveryKey: KEY }, content)).toEqual(peer);
    expect(readPeerTxt(txt, { networkTag: TAG, discoveryKey: KEY }, content)).toEqual(peer);
    expect(readPeerTxt(txt, { networkTag: TAG, discoveryKey: OTHER }, content)).toEqual({ kind: 'foreign' });
    expect(readPeerTxt(txt, { networkTag: TAG }, content)).toEqual({ kind: 'foreign' });
    const v1 = encodeTxt({ publicKey: pkB64, networkTag: TAG });
    expect(readPeerTxt(v1, { networkTag: TAG }, 'v1')).toEqual({ kind: 'peer', publicKey: pkB64 });
    expect(readPeerTxt(v1, { networkTag: 'fedcba9876543210' }, 'v1')).toEqual({ kind: 'foreign' });
  });

  it('any flipped bit in salt or box makes it unreadable, never a different peer', () => {
    const txt = text(encodeSealedTxt({ publicKey: pk, nick: 'alice' }, KEY, salt(9)));
    const pairs = txtPairs(enc(...txt));
    const sealed = pairs && sealedFromPairs(pairs);
    if (!sealed) throw new Error('expected a well-formed v=2 record');
    for (const field of ['salt', 'sealed'] as const) {
      for (let bit = 0; bit < sealed[field].length * 8; bit++) {
        const flipped = { ...sealed, [field]: sealed[field].slice() };
        flipped[field][bit >> 3]! ^= 1 << (bit & 7);
        expect(openSealedTxt(flipped, KEY)).toBeUndefined();
      }
    }
    expect(openSealedTxt(sealed, KEY)).toEqual({ publicKey: pkB64, nick: 'alice' });
  });

  it('ignores truncated, oversized and malformed records (not counted as another network)', () => {
    const [v, s, c] = text(encodeSealedTxt({ publicKey: pk, nick: 'alice' }, KEY, salt(10)));
    const ctx = { networkTag: TAG, discoveryKey: KEY };
    const invalid = { kind: 'invalid' };
    expect(readPeerTxt(enc(v!, s!, c!.slice(0, -1)), ctx)).toEqual(invalid);
    expect(readPeerTxt(enc(v!, s!, `${c}A`), ctx)).toEqual(invalid);
    expect(readPeerTxt(enc(v!, s!.slice(0, 10), c!), ctx)).toEqual(invalid);
    expect(readPeerTxt(enc(v!, s!), ctx)).toEqual(invalid);
    expect(readPeerTxt(enc(v!, c!), ctx)).toEqual(invalid);
    expect(readPeerTxt(enc('v=3', s!, c!), ctx)).toEqual(invalid);
    expect(readPeerTxt(enc(v!, `${s}=`, c!), ctx)).toEqual(invalid); // padded: not canonical
    expect(readPeerTxt(enc(v!, s!.replace(/.$/, '+'), c!), ctx)).toEqual(invalid); // base64, not url
    expect(readPeerTxt(enc(v!, s!, c!, 'x'.repeat(MAX_TXT_BYTES * 4)), ctx)).toEqual(invalid);
    expect(readPeerTxt([], ctx)).toEqual(invalid);
    // The first occurrence of a key counts (RFC 6763 §6.4): a second `c` does not rescue a bad one.
    expect(readPeerTxt(enc(v!, s!, 'c=AAAA', c!), ctx)).toEqual(invalid);
    // Keys are case-insensitive (RFC 6763 §6.4); values are not.
    expect(readPeerTxt(enc('V=2', `S${s!.slice(1)}`, `C${c!.slice(1)}`), ctx)).toMatchObject({
      kind: 'peer',
    });
  });

  it('a member holding the key who seals a lying payload gets no peer from it', () => {
    // A hostile member can seal anything: the payload's own fields are checked after opening.
    const payload = (nickLength: number, nick: Uint8Array = new Uint8Array(0), size = 32 + 1 + 63) => {
      const p = new Uint8Array(size);
      p.set(pk, 0);
      p[32] = nickLength;
      p.set(nick.subarray(0, size - 33), 33);
      return p;
    };
    const open = (p: Uint8Array) => openSealedTxt({ salt: salt(11), sealed: sealTxt(KEY, salt(11), p) }, KEY);
    const bob = new Uint8Array(Buffer.from('bob'));
    expect(open(payload(3, bob))).toEqual({ publicKey: pkB64, nick: 'bob' });
    expect(open(payload(64, new Uint8Array(64).fill(0x61)))).toBeUndefined(); // longer than a label
    expect(open(payload(255, new Uint8Array(63).fill(0x61)))).toBeUndefined();
    expect(open(payload(2, new Uint8Array([0xc3, 0x28])))).toBeUndefined(); // not UTF-8
    expect(open(payload(1, new Uint8Array([0xe2])))).toBeUndefined(); // a cut character
    expect(open(payload(3, bob, 95))).toBeUndefined(); // short payload
    expect(open(payload(3, bob, 97))).toBeUndefined(); // long payload
    expect(open(payload(0))).toEqual({ publicKey: pkB64, nick: 'lanchat' }); // as an empty label reads
  });

  it('public-network v=1 records: ours by tag, another network otherwise; old nodes of a private network', () => {
    const v1 = encodeTxt({ publicKey: pkB64, networkTag: TAG });
    expect(readPeerTxt(v1, { networkTag: TAG })).toEqual({ kind: 'peer', publicKey: pkB64 });
    expect(readPeerTxt(v1, { networkTag: 'ffffffffffffffff' })).toEqual({ kind: 'foreign' });
    // A node of our private network that runs an older lanchat still publishes v=1 with our tag.
    expect(readPeerTxt(v1, { networkTag: TAG, discoveryKey: KEY })).toEqual({
      kind: 'peer',
      publicKey: pkB64,
    });
  });
});
