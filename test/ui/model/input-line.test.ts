import { describe, expect, it } from 'vitest';
import { Completer } from '../../../src/ui/model/completion.js';
import { InputLine } from '../../../src/ui/model/input-line.js';
import { PasteGuard } from '../../../src/ui/model/paste-guard.js';

describe('InputLine', () => {
  it('moves by grapheme over emoji and combining marks', () => {
    const input = new InputLine();
    input.insert('a👍🏽e\u0301');
    expect(input.cursor).toBe(3);
    input.left();
    input.backspace();
    expect(input.text).toBe('ae\u0301');
  });

  it('joins a combining mark typed after a letter', () => {
    const input = new InputLine();
    input.insert('e');
    input.insert('\u0301');
    expect(input.cursor).toBe(1);
  });

  it('edits with Ctrl-A/E/W/U/K/Y and words', () => {
    const input = new InputLine();
    input.insert('hello big world');
    input.killWordBack();
    expect(input.text).toBe('hello big ');
    input.yank();
    expect(input.text).toBe('hello big world');
    input.wordLeft();
    input.wordLeft();
    expect(input.cursor).toBe(6);
    input.killToEnd();
    expect(input.text).toBe('hello ');
    input.home();
    input.insert('> ');
    input.end();
    input.insert('!');
    expect(input.text).toBe('> hello !');
    input.left();
    input.killToStart();
    expect(input.text).toBe('!');
    input.wordRight();
    expect(input.cursor).toBe(1);
  });

  it('browses history and keeps the draft', () => {
    const input = new InputLine();
    input.insert('one');
    input.submit();
    input.insert('two');
    input.submit();
    input.insert('draft');
    input.historyUp();
    expect(input.text).toBe('two');
    input.historyUp();
    input.historyUp();
    expect(input.text).toBe('one');
    input.historyDown();
    input.historyDown();
    expect(input.text).toBe('draft');
  });

  it('scrolls horizontally by width, keeping the cursor visible over wide text', () => {
    const input = new InputLine();
    input.insert('你好世界你好世界你好');
    const view = input.view(8);
    expect(view.cursorColumn).toBeLessThanOrEqual(8);
    expect(view.cursorColumn).toBeGreaterThanOrEqual(0);
    input.home();
    expect(input.view(8)).toEqual({ text: '你好世界', cursorColumn: 0 });
  });
});

describe('Completer', () => {
  const sources = {
    commands: () => ['join', 'msg', 'me', 'nick'],
    rooms: () => ['#general', '#dev'],
    nicks: () => ['alice', 'alex', 'bob'],
  };

  it('completes and cycles nicks, with ": " at line start', () => {
    const input = new InputLine();
    const completer = new Completer(sources);
    input.insert('al');
    completer.complete(input);
    expect(input.text).toBe('alice: ');
    completer.complete(input);
    expect(input.text).toBe('alex: ');
    completer.complete(input);
    expect(input.text).toBe('alice: ');
  });

  it('completes commands, rooms and mid-line nicks', () => {
    const completer = new Completer(sources);
    const input = new InputLine();
    input.insert('/j');
    completer.complete(input);
    expect(input.text).toBe('/join ');
    completer.reset();
    input.insert('#d');
    completer.complete(input);
    expect(input.text).toBe('/join #dev ');
    const other = new InputLine();
    other.insert('hi b');
    completer.reset();
    completer.complete(other);
    expect(other.text).toBe('hi bob ');
  });
});

describe('PasteGuard', () => {
  it('passes one line through and holds several', () => {
    const guard = new PasteGuard();
    expect(guard.paste('just one line\n')).toBe('just one line');
    expect(guard.paste('line 1\r\nline 2\nline 3')).toBeUndefined();
    expect(guard.pending?.lines).toBe(3);
    expect(guard.confirm()).toBe('line 1\nline 2\nline 3');
    expect(guard.pending).toBeUndefined();
    guard.paste('a\nb');
    guard.cancel();
    expect(guard.confirm()).toBeUndefined();
  });
});
