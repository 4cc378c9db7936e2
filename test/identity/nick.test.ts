import { describe, expect, it } from 'vitest';
import { checkNick } from '../../src/identity/nick.js';

describe('checkNick', () => {
  it('trims and keeps good names', () => {
    expect(checkNick('  alice ')).toEqual({ ok: true, nick: 'alice' });
    expect(checkNick('Zoë Ålund')).toEqual({ ok: true, nick: 'Zoë Ålund' });
    expect(checkNick('x'.repeat(32))).toEqual({ ok: true, nick: 'x'.repeat(32) });
    // 32 code points, even when each is a surrogate pair in UTF-16.
    expect(checkNick('😀'.repeat(32)).ok).toBe(true);
  });

  it('normalises to NFC so one name has one spelling', () => {
    expect(checkNick('Zoe\u0308')).toEqual({ ok: true, nick: 'Zo\u00eb' });
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
  };
  for (const [name, nick] of Object.entries(bad)) {
    it(`rejects ${name}`, () => expect(checkNick(nick).ok).toBe(false));
  }
});
