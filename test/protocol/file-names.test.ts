import { describe, expect, it } from 'vitest';
import { MAX_SAFE_NAME_BYTES, numberedName, safeFileName } from '../../src/protocol/file-names.js';
import { decodeMessage, encodeMessage, type WireMessage } from '../../src/protocol/messages.js';

describe('safeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\evil.bat', 'evil.bat'],
    ['..', 'file'],
    ['.bashrc', 'bashrc'],
    ['   ', 'file'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['com1.tar.gz', '_com1.tar.gz'],
    ['a\u0000b\u001bc.txt', 'a_b_c.txt'],
    ['invoice\u202Efdp.exe', 'invoice_fdp.exe'],
    ['zero\u200Bwidth', 'zero_width'],
    ['what?.txt', 'what_.txt'],
    ['trailing. . ', 'trailing'],
    ['日本語のファイル.txt', '日本語のファイル.txt'],
  ])('%j → %j', (offered, safe) => {
    expect(safeFileName(offered)).toBe(safe);
  });

  it('caps the length in UTF-8 bytes, keeping the extension and whole code points', () => {
    const name = safeFileName(`${'ü'.repeat(300)}.jpeg`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_SAFE_NAME_BYTES);
    expect(name.endsWith('.jpeg')).toBe(true);
    expect(name).not.toContain('\uFFFD');
  });

  it('numbers alternatives before the extension', () => {
    expect(numberedName('a.txt', 0)).toBe('a.txt');
    expect(numberedName('a.txt', 2)).toBe('a (2).txt');
    expect(numberedName('Makefile', 1)).toBe('Makefile (1)');
  });
});

describe('file messages on the wire', () => {
  const round = (m: unknown) => decodeMessage(encodeMessage(m as WireMessage));
  const id = 'AbCdEfGh12345678';
  it('round-trips valid messages', () => {
    const offer = { t: 'file_offer', id, name: 'x', size: 5, sha256: 'a'.repeat(64) };
    expect(round(offer)).toEqual(offer);
    expect(round({ t: 'file_accept', id, offset: 3 })).toEqual({ t: 'file_accept', id, offset: 3 });
    expect(round({ t: 'file_result', id, ok: false, code: 'hash-mismatch' })).toMatchObject({ ok: false });
  });
  it.each([
    { t: 'file_offer', id: '../x', name: 'x', size: 1, sha256: 'a'.repeat(64) },
    { t: 'file_offer', id, name: '', size: 1, sha256: 'a'.repeat(64) },
    { t: 'file_offer', id, name: 'x', size: -1, sha256: 'a'.repeat(64) },
    { t: 'file_offer', id, name: 'x', size: 1.5, sha256: 'a'.repeat(64) },
    { t: 'file_offer', id, name: 'x', size: 1, sha256: 'XYZ' },
    { t: 'file_accept', id, offset: 'zero' },
    { t: 'hello', v: 1, nick: 'a', caps: [], rooms: [], purpose: 'file', transfer: 'x', offset: 0 },
    { t: 'hello', v: 1, nick: 'a', caps: [], rooms: [], purpose: 'shell' },
  ])('refuses %j', (bad) => {
    expect(() => round(bad)).toThrow();
  });
  it('reads the data-link fields of a hello', () => {
    const hello = {
      t: 'hello',
      v: 1,
      nick: 'a',
      caps: [],
      rooms: [],
      purpose: 'file',
      transfer: id,
      offset: 9,
    };
    expect(round(hello)).toMatchObject({ purpose: 'file', transfer: id, offset: 9 });
  });
});
