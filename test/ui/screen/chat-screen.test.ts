// In-process screen tests: the real blessed UI on a fake TTY, read back from a headless xterm with
// Unicode 11 widths. Run in a forked worker (vitest pool: forks); each test destroys its screen.
import { afterEach, describe, expect, it } from 'vitest';
import { type ChatApp, startChatApp } from '../../../src/ui/blessed/chat-app.js';
import { peer } from '../model/fake-port.js';
import { FakeNode } from './fake-node.js';
import { settle, until } from './screen-wait.js';
import { VirtualTerminal } from './virtual-terminal.js';

let app: ChatApp | undefined;
let vt: VirtualTerminal | undefined;
let quits = 0;

afterEach(() => {
  app?.destroy();
  vt?.dispose();
  app = undefined;
  vt = undefined;
});

function start(cols = 80, rows = 24) {
  vt = new VirtualTerminal(cols, rows);
  const node = new FakeNode();
  node.peers = [peer('id-bob', 'bob')];
  quits = 0;
  app = startChatApp({
    node,
    input: vt.input,
    output: vt.output,
    terminal: 'xterm-256color',
    onQuit: () => quits++,
  });
  return { node, vt, app };
}

describe('chat screen', () => {
  it('draws the layout at 80x24: buffer list, chat, status bar, input', async () => {
    const { vt, app } = start();
    const lines = await settle(vt, app);
    expect(lines[0]).toMatch(/^1\.status/);
    expect(lines[1]).toMatch(/^2\.#general/);
    expect(lines[22]).toMatch(/\[alice\] \[lanchat\] \[1 online\] \[2:#general\]/);
    expect(lines[23]).toMatch(/^\[#general\]/);
    // The buffer list's border runs down column 15 on every chat row.
    for (let y = 0; y < 22; y++) expect(vt.cellAt(y, 15)).toBe('│');
  });

  it('keeps borders aligned after CJK and emoji lines', async () => {
    const { vt, app, node } = start(120, 24);
    node.say('bob', '你好，世界 😀🎉 ok');
    // Emoji every terminal draws two cells wide; ZWJ and skin-tone sequences differ between
    // terminals (xterm.js draws 👍🏽 as four cells), see the model tests for their widths.
    node.say('bob', 'ｆｕｌｌ width and 😀 and more CJK 漢字かな 한국어 to wrap '.repeat(2));
    const lines = await until(vt, app, (l) => l.some((r) => r.includes('你好，世界')));
    // Nick list (right) border at column 104 and buffer list border at 15, on every chat row.
    for (let y = 0; y < 22; y++) {
      expect(vt.cellAt(y, 15), `row ${y}: ${lines[y]}`).toBe('│');
      expect(vt.cellAt(y, 104), `row ${y}: ${lines[y]}`).toBe('│');
    }
    const row = lines.findIndex((r) => r.includes('你好，世界'));
    expect(lines[row]).toMatch(/│ +bob │ 你好，世界 😀🎉 ok/);
    expect(lines.join('\n')).toContain('bob');
  });

  it('re-wraps on resize and collapses the side bars', async () => {
    const { vt, app, node } = start(100, 24);
    node.say('bob', 'a fairly long message that will need to wrap once the terminal gets narrow enough');
    await until(vt, app, (l) => l.some((r) => r.includes('fairly long')));
    vt.resize(50, 20);
    const lines = await until(vt, app, (l) => l[19]?.startsWith('[#general]') ?? false);
    expect(lines[0]).not.toMatch(/^1\.status/);
    const wrapped = lines.filter((r) => /^ +│ /.test(r));
    expect(wrapped.length).toBeGreaterThan(0);
    for (const r of lines) expect(r.length).toBeLessThanOrEqual(50);
  });

  it('edits the input line: typing, emoji, cursor keys, Ctrl-W, and sends on Enter', async () => {
    const { vt, app, node } = start();
    vt.type('hello wörld 😀');
    let lines = await until(vt, app, (l) => l[23]?.includes('😀') ?? false);
    expect(lines[23]).toBe('[#general] hello wörld 😀');
    vt.type('\x17'); // Ctrl-W
    vt.type('\x01'); // Ctrl-A
    vt.type('>');
    vt.type('\x1b[F'); // End
    vt.type('你好');
    lines = await until(vt, app, (l) => l[23]?.includes('你好') ?? false);
    expect(lines[23]).toBe('[#general] >hello wörld 你好');
    // The cursor sits after the last wide character: prompt 11 + text 13 + 你好 4 cells.
    expect(vt.term.buffer.active.cursorX).toBe(11 + 13 + 4);
    vt.type('\r');
    lines = await until(vt, app, (l) => l.some((r) => r.includes('>hello wörld 你好 ✓')));
    expect(node.calls).toEqual(['room #general >hello wörld 你好']);
    expect(lines[23]?.trimEnd()).toBe('[#general]');
  });

  it('holds a bracketed paste of several lines until Enter', async () => {
    const { vt, app, node } = start();
    expect(vt.written).toContain('\x1b[?2004h');
    vt.type('\x1b[200~line one\rline two\r\x1b[201~');
    const lines = await until(vt, app, (l) => l[23]?.includes('Paste of 2 lines') ?? false);
    expect(lines[23]).toContain('Enter sends');
    expect(node.calls).toEqual([]);
    vt.type('\r');
    await until(vt, app, () => node.calls.length > 0);
    expect(node.calls).toEqual(['room #general line one\nline two']);
  });

  it('scrolls with PgUp showing a more counter, End returns to live', async () => {
    const { vt, app, node } = start();
    for (let i = 0; i < 60; i++) node.say('bob', `message number ${i}`);
    await until(vt, app, (l) => l.some((r) => r.includes('message number 59')));
    vt.type('\x1b[5~'); // PgUp
    let lines = await until(vt, app, (l) => !l.some((r) => r.includes('message number 59')));
    expect(lines[21]).toContain('message number 38');
    node.say('bob', 'while scrolled');
    lines = await until(vt, app, (l) => l[22]?.includes('-- more (1) --') ?? false);
    vt.type('\x1b[F'); // End
    lines = await until(vt, app, (l) => l[21]?.includes('while scrolled') ?? false);
    expect(lines[22]).not.toContain('more');
  });

  it('shows hostile peer text inert and quits on Ctrl+C', async () => {
    const { vt, app, node } = start();
    await settle(vt, app);
    const before = vt.written.length;
    node.say('mallory', 'A\x1b]0;pwned\x07B\x1b[2JC\u202eD{bold}E');
    const lines = await until(vt, app, (l) => l.some((r) => r.includes('mallory')));
    expect(lines.join('\n')).toContain('ABCD{bold}E');
    expect(vt.written).not.toContain('pwned');
    expect(vt.written.slice(before)).not.toContain('\x1b[2J');
    expect(vt.written.slice(before)).not.toContain('\u202e');
    vt.type('\x03');
    await until(vt, app, () => quits === 1);
  });

  it('opens the help screen on F1 and switches buffers with Alt+1', async () => {
    const { vt, app } = start();
    vt.type('\x1bOP');
    let lines = await until(vt, app, (l) => l.some((r) => r.includes('Commands')));
    expect(lines.join('\n')).toMatch(/\/join #ROOM/);
    vt.type('\x1b');
    await until(vt, app, (l) => !l.some((r) => r.includes('Commands')));
    vt.type('\x1b1');
    lines = await until(vt, app, (l) => l[23]?.startsWith('[status]') ?? false);
    expect(lines.join('\n')).toContain('F1 or /help');
  });
});
