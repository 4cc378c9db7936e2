import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkNick } from '../../src/identity/nick.js';
import { nickSkeleton, sameNick } from '../../src/identity/nick-skeleton.js';

// Each row: names a person could not tell apart on a terminal. Every one must collide with the
// first of its row, and the row must get past checkNick (an attacker can send it).
const CONFUSABLES: string[][] = [
  [
    'bob',
    'BOB',
    'Bob',
    'bоb' /* Cyrillic о */,
    'Ｂob',
    'ｂｏｂ',
    'b0b',
    'ВОВ' /* Cyrillic */,
    'ΒΟΒ' /* Greek */,
    'bοb' /* Greek ο */,
    'bób',
    'bȯb',
    '𝐛𝐨𝐛',
  ],
  [
    'alice',
    'ALICE',
    'аlice' /* Cyrillic а */,
    'al1ce',
    'aIice',
    'a|ice',
    'alіce' /* Cyrillic і */,
    'ALİCE',
    'ɑlice',
  ],
  ['paypal', 'раураl' /* Cyrillic р, а, у */, 'PAYPAL'],
  ['mom', 'rnom', 'rnorn'],
  ['wendy', 'vvendy', 'ԝendy'],
  ['strasse', 'straße', 'STRASSE'],
  ['olga', '0lga', 'օlga' /* Armenian */],
  ['nico', 'ηico' /* Greek eta */, 'пico' /* Cyrillic pe */],
  ['hans', 'Нans' /* Cyrillic capital */, 'Ηans' /* Greek capital eta */, 'һans'],
];

describe('nickSkeleton', () => {
  for (const row of CONFUSABLES) {
    it(`makes ${row[0]} collide with each of its look-alikes`, () => {
      for (const name of row) {
        expect(checkNick(name).ok, `${name} is a valid nick`).toBe(true);
        expect(nickSkeleton(name), `${name} vs ${row[0]}`).toBe(nickSkeleton(row[0]!));
      }
    });
  }

  it('keeps different names apart', () => {
    expect(sameNick('bob', 'rob')).toBe(false);
    expect(sameNick('alice', 'alicia')).toBe(false);
    expect(sameNick('bob', 'bob smith')).toBe(false);
    expect(sameNick('bob', 'bob (2)')).toBe(false);
  });

  it('ignores invisible characters and extra spaces in stored legacy nicks', () => {
    expect(sameNick('bob\u200b', 'bob')).toBe(true);
    expect(sameNick('bob\u2060\ufe0f', 'bob')).toBe(true);
    expect(sameNick(' bob  smith ', 'bob smith')).toBe(true);
  });

  it('is idempotent on any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const once = nickSkeleton(s);
        expect(nickSkeleton(once)).toBe(once);
      }),
      { numRuns: 2_000 },
    );
  });

  it('does not depend on case or width: upper, lower and fullwidth forms of a name collide', () => {
    const fullwidth = (s: string) =>
      s.replace(/[!-~]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0));
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,16}$/), (s) => {
        expect(nickSkeleton(s.toUpperCase())).toBe(nickSkeleton(s));
        expect(nickSkeleton(fullwidth(s))).toBe(nickSkeleton(s));
      }),
    );
  });

  it('a confusable substituted anywhere still collides', () => {
    const swaps: [string, string][] = [
      ['o', 'о'],
      ['a', 'а'],
      ['e', 'е'],
      ['p', 'р'],
      ['c', 'с'],
      ['o', 'ο'],
      ['l', 'I'],
      ['o', '0'],
    ];
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{1,12}$/), fc.constantFrom(...swaps), (s, [from, to]) => {
        expect(nickSkeleton(s.replaceAll(from, to))).toBe(nickSkeleton(s));
      }),
    );
  });
});
