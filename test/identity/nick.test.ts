import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkNick, isCanonicalNick } from '../../src/identity/nick.js';
import { sanitizeName } from '../../src/ui/model/sanitize.js';

describe('checkNick', () => {
  it('trims and keeps good names', () => {
    expect(checkNick('  alice ')).toEqual({ ok: true, nick: 'alice' });
    expect(checkNick('Zoë Ålund')).toEqual({ ok: true, nick: 'Zoë Ålund' });
    expect(checkNick('x'.repeat(32))).toEqual({ ok: true, nick: 'x'.repeat(32) });
    // 32 code points, even when each is a surrogate pair in UTF-16.
    expect(checkNick('😀'.repeat(32)).ok).toBe(true);
    expect(checkNick('alice (2)')).toEqual({ ok: true, nick: 'alice (2)' }); // an mDNS rename
  });

  it('maps to one spelling: NFKC (composition, fullwidth, compatibility forms) and single spaces', () => {
    expect(checkNick('Zoe\u0308')).toEqual({ ok: true, nick: 'Zo\u00eb' });
    expect(checkNick('Ｂｏｂ')).toEqual({ ok: true, nick: 'Bob' });
    expect(checkNick('𝐛𝐨𝐛')).toEqual({ ok: true, nick: 'bob' });
    expect(checkNick('bob\u00a0\u3000 smith')).toEqual({ ok: true, nick: 'bob smith' });
    expect(isCanonicalNick('Bob')).toBe(true);
    expect(isCanonicalNick('Ｂob')).toBe(false);
    expect(isCanonicalNick('bob  smith')).toBe(false);
  });

  const bad: Record<string, string> = {
    empty: '',
    blank: '   ',
    'too long': 'x'.repeat(33),
    'escape sequence': 'bob\u001b[31m',
    newline: 'bob\nalice',
    DEL: 'bob\u007f',
    'C1 control': 'bob\u009b',
    'bidi override': 'bob\u202egnp.exe',
    'bidi isolate': '\u2066alice\u2069',
    'zero-width space': 'bob\u200b',
    'zero-width joiner': 'b\u200dob',
    'word joiner': 'bo\u2060b',
    'Arabic letter mark': 'bob\u061c',
    BOM: '\ufeffbob',
    'soft hyphen': 'bo\u00adb',
    'variation selector': 'bob\ufe0f',
    'variation selector supplement': 'bob\u{e0100}',
    'tag characters': 'bob\u{e0062}\u{e006f}',
    'Hangul filler': 'bob\u3164',
    'braille blank': 'bob\u2800',
    'line separator': 'bob\u2028',
    'private use': 'bob\ue000',
    unassigned: 'bob\u0378',
    'lone surrogate': 'bob\ud800',
    'a key suffix': 'bob#5bdd',
    'a hash anywhere': 'b#b',
    'an at sign': 'bob@home',
    'a leading combining mark': '\u0301bob',
    'only punctuation': '...',
  };
  for (const [name, nick] of Object.entries(bad)) {
    it(`rejects ${name}`, () => expect(checkNick(nick).ok).toBe(false));
  }

  it('says why', () => {
    expect(checkNick('bob#5bdd')).toMatchObject({ problem: expect.stringMatching(/"#"/) });
    expect(checkNick('bob\u200b')).toMatchObject({ problem: expect.stringMatching(/U\+200B/) });
  });
});

describe('checkNick properties', () => {
  const anyText = fc.string({ unit: 'binary', maxLength: 40 });

  it('is idempotent: an accepted nick is accepted again as itself', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const once = checkNick(raw);
        if (!once.ok) return;
        expect(checkNick(once.nick)).toEqual(once);
        expect(isCanonicalNick(once.nick)).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('an accepted nick renders exactly as stored: the screen sanitizer has nothing to strip', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const checked = checkNick(raw);
        if (checked.ok) expect(sanitizeName(checked.nick)).toBe(checked.nick);
      }),
      { numRuns: 5_000 },
    );
  });

  it('never accepts a nick with a default-ignorable, format or control character, # or @', () => {
    const invisible = fc.constantFrom(
      '\u200b',
      '\u200c',
      '\u200d',
      '\u2060',
      '\u061c',
      '\ufeff',
      '\u00ad',
      '\ufe0f',
      '\u{e0041}',
      '\u034f',
      '\u180e',
      '\u3164',
      '\u202e',
      '\u2066',
      '\u0007',
      '\u009b',
      '#',
      '@',
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), invisible, fc.string({ maxLength: 10 }), (a, c, b) => {
        expect(checkNick(`${a}x${c}y${b}`).ok).toBe(false);
      }),
    );
  });
});
