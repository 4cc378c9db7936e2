import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { BOB, fillMessages, message } from './store-fixtures.js';

let store: Store;
const texts = (query: string, conversation?: string): string[] =>
  store.messages
    .search(query, conversation === undefined ? { limit: 20 } : { limit: 20, conversation })
    .map((m) => m.text);

beforeAll(() => {
  store = openSqliteStore({ path: ':memory:' });
  const corpus = [
    '你好，世界，今天天气很好',
    '世界很大',
    '東京タワーに行きました',
    'Let us meet at the café tomorrow',
    'Naïve approach, but it works',
    'ship it 🎉 finally',
    'I said "NEAR" and -minus and a*star',
    '한국어 공부',
    'nothing to see',
  ];
  corpus.forEach((text, i) => {
    store.messages.saveIncoming(
      message({ text, ts: 1_000 + i, conversation: i === 1 ? `@${BOB}` : '#general' }),
    );
  });
});
afterAll(() => store.close());

describe('search', () => {
  it('finds a 2-character Chinese word inside a longer sentence', () => {
    expect(texts('世界')).toEqual(['世界很大', '你好，世界，今天天气很好']); // newest first
    expect(texts('天气')).toEqual(['你好，世界，今天天气很好']);
    expect(texts('今天天气很')).toEqual(['你好，世界，今天天气很好']);
  });

  it('finds single CJK characters, including the last one of a run', () => {
    expect(texts('天')).toEqual(['你好，世界，今天天气很好']);
    expect(texts('大')).toEqual(['世界很大']);
  });

  it('does not match characters that are only near each other', () => {
    expect(texts('好世')).toEqual([]); // a comma separates them
    expect(texts('界很好')).toEqual([]);
  });

  it('finds Japanese and Korean words inside sentences', () => {
    expect(texts('タワー')).toEqual(['東京タワーに行きました']);
    expect(texts('東京')).toEqual(['東京タワーに行きました']);
    expect(texts('行き')).toEqual(['東京タワーに行きました']);
    expect(texts('국어')).toEqual(['한국어 공부']);
  });

  it('matches Latin words by prefix, ignoring case and accents', () => {
    expect(texts('CAFE')).toEqual(['Let us meet at the café tomorrow']);
    expect(texts('naive')).toEqual(['Naïve approach, but it works']);
    expect(texts('tomor')).toEqual(['Let us meet at the café tomorrow']);
    expect(texts('meet cafe')).toEqual(['Let us meet at the café tomorrow']);
    expect(texts('meet sushi')).toEqual([]);
  });

  it('finds emoji', () => {
    expect(texts('🎉')).toEqual(['ship it 🎉 finally']);
  });

  it('takes hostile FTS syntax as plain words, without errors', () => {
    for (const query of [
      '"',
      '""',
      '*',
      '-',
      'NEAR(',
      'a OR',
      'NOT',
      '(',
      ')',
      ':',
      '^',
      '{terms}:x',
      "'",
      '\\',
    ]) {
      expect(() => store.messages.search(query, { limit: 5 })).not.toThrow();
    }
    expect(texts('"NEAR"')).toEqual(['I said "NEAR" and -minus and a*star']);
    expect(texts('-minus')).toEqual(['I said "NEAR" and -minus and a*star']);
    expect(texts('')).toEqual([]);
  });

  it('filters by conversation and honours the limit', () => {
    expect(texts('世界', `@${BOB}`)).toEqual(['世界很大']);
    expect(store.messages.search('世界', { limit: 1 })).toHaveLength(1);
  });
});

describe('search at scale', () => {
  it('returns the newest matches first from a large corpus', () => {
    const big = openSqliteStore({ path: ':memory:' });
    fillMessages(big, 20_000);
    const hits = big.messages.search('世界', { limit: 50 });
    expect(hits).toHaveLength(50);
    expect(hits.every((m) => m.text.includes('世界'))).toBe(true);
    const ts = hits.map((m) => m.ts);
    expect(ts).toEqual([...ts].sort((a, b) => b - a));
    // The newest message containing 世界 is the first hit.
    const newest = big.messages
      .roomMessagesSince('#room0', 0, 100_000)
      .concat(
        ...Array.from({ length: 19 }, (_, r) => big.messages.roomMessagesSince(`#room${r + 1}`, 0, 100_000)),
      )
      .filter((m) => m.text.includes('世界'))
      .sort((a, b) => b.ts - a.ts)[0];
    expect(hits[0]?.id).toBe(newest?.id);
    big.close();
  });
});
