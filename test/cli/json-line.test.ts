import { describe, expect, it } from 'vitest';
import { jsonLine } from '../../src/cli/json-line.js';

describe('JSON lines for the terminal', () => {
  it('escapes C1 controls, separators and bidi controls, which JSON.stringify leaves raw', () => {
    const text = 'a\u009b2Jb\u009d0;title\u0007c\u0085d\u2028e\u202ef';
    expect(JSON.stringify({ text })).toMatch(/[\u0080-\u009f]/); // the problem
    const line = jsonLine({ type: 'message', text });
    expect(line).not.toMatch(/[\u0080-\u009f\u2028\u202e]/);
    expect(line).toContain('\\u009b');
    expect(JSON.parse(line)).toEqual({ type: 'message', text }); // lossless
  });

  it('leaves everything else as JSON.stringify writes it', () => {
    const value = { nick: 'Zoë', text: '你好 👋 "quoted" \\ \n', n: 1 };
    expect(jsonLine(value)).toBe(JSON.stringify(value));
  });
});
