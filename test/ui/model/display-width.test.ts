import { describe, expect, it } from 'vitest';
import { ellipsize, fitWidth, graphemes, stringWidth } from '../../../src/ui/model/display-width.js';
import { wrapText } from '../../../src/ui/model/wrap.js';

describe('display width', () => {
  it.each([
    ['hello', 5],
    ['你好，世界', 10],
    ['ｆｕｌｌ', 8],
    ['한국어', 6],
    ['😀', 2],
    ['👍🏽', 2],
    ['👨‍👩‍👧', 2],
    ['❤️', 2],
    ['❤', 1],
    ['🇫🇷', 2],
    ['e\u0301', 1],
    ['a\u200db', 2],
    ['\u0301', 0],
  ])('%s is %i cells', (text, width) => {
    expect(stringWidth(text)).toBe(width);
  });

  it('keeps ZWJ sequences, skin tones and combining marks in one cluster', () => {
    expect(graphemes('a👨‍👩‍👧👍🏽e\u0301')).toEqual(['a', '👨‍👩‍👧', '👍🏽', 'e\u0301']);
  });

  it('fits and ellipsizes without splitting a wide cluster', () => {
    expect(fitWidth('你好', 3)).toBe('你 ');
    expect(stringWidth(fitWidth('a😀b', 2))).toBe(2);
    expect(ellipsize('你好世界', 5)).toBe('你好…');
  });
});

describe('wrapText', () => {
  it('wraps at spaces by display width', () => {
    expect(wrapText('the quick brown fox', 10)).toEqual(['the quick', 'brown fox']);
  });

  it('splits CJK (no spaces) by width, never exceeding it', () => {
    const rows = wrapText('你好，世界你好，世界', 7);
    for (const r of rows) expect(stringWidth(r)).toBeLessThanOrEqual(7);
    expect(rows.join('')).toBe('你好，世界你好，世界');
    expect(rows[0]).toBe('你好，');
  });

  it('keeps emoji clusters whole and rows within width', () => {
    const text = 'hi 👍🏽👨‍👩‍👧😀🎉 ok'.repeat(3);
    for (const width of [3, 4, 5, 9]) {
      const rows = wrapText(text, width);
      for (const r of rows) expect(stringWidth(r)).toBeLessThanOrEqual(width);
      expect(rows.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
    }
  });

  it('hard-breaks a word longer than the row and keeps newlines', () => {
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('one\ntwo', 10)).toEqual(['one', 'two']);
  });
});

describe('graphemes fast path', () => {
  it('splits text of never-joining characters exactly as Intl.Segmenter does', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const pool = 'aZ9 ~éß¿│─┼═→⇣✓…「」。、あアー漢字你好世界！（）';
    for (let round = 0; round < 500; round++) {
      let text = '';
      for (let i = 0; i < 1 + (round % 40); i++) text += pool[(round * 7919 + i * 104729) % pool.length];
      expect(graphemes(text)).toEqual(Array.from(segmenter.segment(text), (s) => s.segment));
    }
  });

  it('still joins clusters the fast path must not split', () => {
    expect(graphemes('e\u0301x')).toEqual(['e\u0301', 'x']);
    expect(graphemes('👍🏽!')).toEqual(['👍🏽', '!']);
    expect(graphemes('が')).toEqual(['が']);
    expect(graphemes('か\u3099')).toEqual(['か\u3099']);
  });
});
