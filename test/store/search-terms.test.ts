import { describe, expect, it } from 'vitest';
import { indexTerms, MAX_QUERY_TERMS, matchExpression } from '../../src/store/search-terms.js';

const tokens = (terms: string): string[] => terms.split(/\s+/).filter(Boolean);

describe('indexTerms', () => {
  it('leaves text without CJK or emoji as it is (unicode61 handles it)', () => {
    expect(indexTerms('Café at 10, naïve?')).toBe('Café at 10, naïve?');
  });

  it('turns a CJK run into bigrams plus its last character', () => {
    expect(indexTerms('天气很好')).toBe('天气 气很 很好 好');
    expect(indexTerms('你')).toBe('你');
  });

  it('splits CJK runs at punctuation and keeps Latin words whole', () => {
    expect(tokens(indexTerms('你好，世界 iPhone很好'))).toEqual([
      '你好',
      '好',
      ',',
      '世界',
      '界',
      'iPhone',
      '很好',
      '好',
    ]);
  });

  it('treats kana, the prolonged sound mark and Hangul as CJK', () => {
    expect(indexTerms('タワー')).toBe('タワ ワー ー');
    expect(indexTerms('한국어')).toBe('한국 국어 어');
  });

  it('gives each emoji its own token, dropping joiners, selectors and skin tones', () => {
    expect(tokens(indexTerms('ok🎉done 👍🏽 ❤️'))).toEqual(['ok', '🎉', 'done', '👍', '❤']);
    expect(indexTerms('👨‍👩‍👧')).toBe('👨 👩 👧');
  });

  it('normalizes full-width and half-width forms (NFKC)', () => {
    expect(indexTerms('ＡＢＣ')).toBe('ABC');
    expect(indexTerms('ﾀﾜｰ')).toBe('タワ ワー ー');
  });
});

describe('matchExpression', () => {
  it('quotes Latin words as prefix terms', () => {
    expect(matchExpression('hello wor')).toBe('"hello"* "wor"*');
  });

  it('makes a CJK word the phrase of its bigrams, and one character a prefix', () => {
    expect(matchExpression('世界')).toBe('"世界"');
    expect(matchExpression('天气很')).toBe('"天气 气很"');
    expect(matchExpression('天')).toBe('"天"*');
  });

  it('neutralizes FTS syntax in user text', () => {
    expect(matchExpression('"unbalanced')).toBe('"unbalanced"*');
    expect(matchExpression('a* -b NEAR(c d) OR e AND NOT f')).toBe(
      '"a"* "b"* "NEAR"* "c"* "d"* "OR"* "e"* "AND"* "NOT"* "f"*',
    );
    expect(matchExpression('terms: x {terms} ^y')).toBe('"terms"* "x"* "terms"* "y"*');
  });

  it('returns undefined when nothing is searchable, and caps the number of terms', () => {
    expect(matchExpression('  "*-^ ')).toBeUndefined();
    expect(matchExpression('')).toBeUndefined();
    const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    expect(matchExpression(many)?.split(' ')).toHaveLength(MAX_QUERY_TERMS);
  });
});
