import { describe, expect, it } from 'vitest';
import {
  formatNetworkCode,
  looksLikeNetworkCode,
  newNetworkCode,
  parseNetworkCode,
} from '../../src/crypto/network-code.js';

const key = Uint8Array.from({ length: 16 }, (_, i) => i * 17);

describe('network codes', () => {
  it('round-trip, in 8 groups of 4 after lc1-', () => {
    const code = formatNetworkCode(key);
    expect(code).toMatch(/^lc1-([0-9a-hjkmnp-tv-z]{4}-){7}[0-9a-hjkmnp-tv-z]{4}$/);
    expect(parseNetworkCode(code)).toEqual({ ok: true, key });
    expect(looksLikeNetworkCode(code)).toBe(true);
    expect(looksLikeNetworkCode('correct horse')).toBe(false);
  });

  it('are random: two new codes differ', () => {
    expect(newNetworkCode()).not.toBe(newNetworkCode());
    expect(parseNetworkCode(newNetworkCode()).ok).toBe(true);
  });

  it('catch every single-character typo', () => {
    const code = formatNetworkCode(key);
    const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
    for (let i = 4; i < code.length; i++) {
      if (code[i] === '-') continue;
      for (const ch of alphabet) {
        if (ch === code[i]) continue;
        const typo = code.slice(0, i) + ch + code.slice(i + 1);
        expect(parseNetworkCode(typo).ok, typo).toBe(false);
      }
    }
  });

  it('forgive case, spacing and Crockford look-alikes (o→0, i/l→1)', () => {
    const code = formatNetworkCode(key);
    const spaced = ` ${code.toUpperCase().replace(/-/g, ' ').replace('LC1 ', 'LC1-')} `;
    expect(parseNetworkCode(spaced)).toEqual({ ok: true, key });
    const withZeroAndOne = formatNetworkCode(new Uint8Array(16));
    expect(withZeroAndOne).toContain('0');
    expect(parseNetworkCode(withZeroAndOne.replace(/0/g, 'O'))).toEqual({
      ok: true,
      key: new Uint8Array(16),
    });
  });

  it('refuse wrong lengths and foreign characters', () => {
    const code = formatNetworkCode(key);
    expect(parseNetworkCode(code.slice(0, -1))).toMatchObject({ ok: false });
    expect(parseNetworkCode(`${code}a`)).toMatchObject({ ok: false });
    expect(parseNetworkCode(`${code.slice(0, -1)}u`)).toMatchObject({
      ok: false,
      problem: /not a code character/,
    });
    expect(parseNetworkCode('words')).toMatchObject({ ok: false });
  });
});
