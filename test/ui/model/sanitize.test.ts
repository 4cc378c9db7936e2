import { describe, expect, it } from 'vitest';
import { notificationSequence, tmuxPassthrough } from '../../../src/ui/model/notification.js';
import { sanitize, sanitizeName } from '../../../src/ui/model/sanitize.js';

describe('sanitize', () => {
  it.each([
    ['title change', 'a\x1b]0;pwned\x07b', 'ab'],
    ['title change ended by ST', 'a\x1b]2;pwned\x1b\\b', 'ab'],
    ['clear screen', '\x1b[2Jhi', 'hi'],
    ['cursor move', 'x\x1b[10;1Hy', 'xy'],
    ['C1 CSI', 'x\x9b31my', 'xy'],
    ['DCS', 'x\x1bPq#0;2;0;0;0\x1b\\y', 'xy'],
    ['bell and backspace', 'a\x07b\x08c', 'abc'],
    ['bidi override', 'abc\u202etxt.exe', 'abctxt.exe'],
    ['bidi isolates', '\u2066a\u2067b\u2068c\u2069', 'abc'],
    ['carriage return (fake line)', 'hi\rbob: fake', 'hi bob: fake'],
    ['line separator', 'a\u2028b', 'ab'],
    ['lone ESC', 'a\x1b', 'a'],
  ])('removes %s', (_, input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });

  it('keeps newlines only in multiline mode, and keeps CJK and emoji', () => {
    expect(sanitize('a\nb', { multiline: true })).toBe('a\nb');
    expect(sanitize('a\nb')).toBe('a b');
    expect(sanitize('你好，世界 👍🏽')).toBe('你好，世界 👍🏽');
  });

  it('leaves blessed tag syntax as plain text (the renderer never parses tags)', () => {
    expect(sanitize('{bold}x{/bold}')).toBe('{bold}x{/bold}');
  });

  it('never returns an empty name', () => {
    expect(sanitizeName('\x1b[2J')).toBe('?');
  });
});

describe('notifications', () => {
  it('builds bell, OSC 9 and OSC 777 with the text made harmless', () => {
    const seq = notificationSequence('lanchat: bob', 'hi;\x07\x1b]0;x\x07there', false);
    expect(seq).toBe('\x07\x1b]9;lanchat: bob: hi,there\x07\x1b]777;notify;lanchat: bob;hi,there\x07');
  });

  it('wraps for tmux passthrough with ESC doubled', () => {
    expect(tmuxPassthrough('\x1b]9;x\x07')).toBe('\x1bPtmux;\x1b\x1b]9;x\x07\x1b\\');
    expect(notificationSequence('t', 'b', true)).toContain('\x1bPtmux;\x1b\x1b]777;notify;t;b\x07\x1b\\');
  });
});
