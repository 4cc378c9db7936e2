import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseRoom, roomKey } from '../../src/protocol/names.js';

describe('room names: one normalisation for every path', () => {
  it('is idempotent, so normalising twice (parser, then node, then store) changes nothing', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const once = normaliseRoom(s);
        expect(normaliseRoom(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('maps the spellings a human reads as one name to one room', () => {
    for (const spelling of ['#Dev', '#DEV', '＃ｄｅｖ', '#ｄev'])
      expect(roomKey(spelling)).toEqual({ ok: true, room: '#dev' });
    expect(roomKey('#cafe\u0301')).toEqual(roomKey('#caf\u00e9'));
    // Turkish dotted capital I: lower-casing yields i + combining dot, which NFKC keeps apart.
    expect(normaliseRoom('#\u0130')).toBe(normaliseRoom(normaliseRoom('#\u0130')));
  });

  it('refuses names that are not rooms, whatever they normalise to', () => {
    for (const bad of ['dev', '#', '#a b', '#a\u0085b', '#a\u009bb', `#${'x'.repeat(33)}`]) {
      expect(roomKey(bad).ok).toBe(false);
    }
  });
});
