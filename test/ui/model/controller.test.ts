import { describe, expect, it } from 'vitest';
import { ChatModel } from '../../../src/ui/model/chat-model.js';
import { stringWidth } from '../../../src/ui/model/display-width.js';
import { applyEvent } from '../../../src/ui/model/event-handlers.js';
import { computeLayout } from '../../../src/ui/model/layout.js';
import { formatLine, geometryFor, textColumn } from '../../../src/ui/model/line-format.js';
import { visibleWindow } from '../../../src/ui/model/message-window.js';
import { statusBarRow } from '../../../src/ui/model/status-bar.js';
import { rowText } from '../../../src/ui/model/style.js';
import { UiController } from '../../../src/ui/model/ui-controller.js';
import { FakePort, peer } from './fake-port.js';

const T0 = new Date(2024, 4, 6, 9, 5).getTime();

function setup() {
  const model = new ChatModel({ now: () => T0 });
  const port = new FakePort();
  port.peers = [peer('B', 'bob')];
  let quits = 0;
  const ui = new UiController(model, port, { quit: () => quits++, redraw: () => {} });
  applyEvent(model, { type: 'ready', id: 'ME', nick: 'me', port: 1 });
  model.buffers.select(model.room('#general').key);
  const type = (text: string) => {
    for (const ch of text) ui.key(ch, ch);
  };
  return { model, port, ui, type, quits: () => quits };
}

describe('line format', () => {
  it('lays out HH:MM │ nick │ text with continuation rows under the text column', () => {
    const g = geometryFor(40);
    const rows = formatLine(
      { seq: 0, ts: T0, kind: 'message', nick: 'bob', text: '你好，世界 and 😀 emoji that wraps around' },
      g,
    ).map(rowText);
    expect(rows[0]).toMatch(/^09:05 │ {3}bob │ 你好，世界/);
    const col = textColumn(g);
    for (const r of rows) expect(stringWidth(r)).toBeLessThanOrEqual(40);
    for (const r of rows.slice(1)) expect(r.slice(0, col)).toBe(`${' '.repeat(col - 2)}│ `);
  });
});

describe('scrolling', () => {
  it('PgUp shows a more counter for new lines, End returns to live', () => {
    const { model, ui } = setup();
    ui.viewport = { width: 60, height: 5 };
    for (let i = 0; i < 30; i++)
      applyEvent(model, {
        type: 'sent',
        id: `m${i}`,
        text: `line ${i}`,
        ts: T0,
        queued: false,
        room: '#general',
      });
    const g = geometryFor(60);
    const live = visibleWindow(model.buffers.current, g, 5).rows.map(rowText);
    expect(live[4]).toContain('line 29');
    ui.key('pageup');
    const up = visibleWindow(model.buffers.current, g, 5).rows.map(rowText);
    expect(up[4]).toContain('line 25');
    applyEvent(model, { type: 'sent', id: 'x', text: 'new', ts: T0, queued: false, room: '#general' });
    expect(rowText(statusBarRow(model, 100))).toContain('-- more (1) --');
    for (let i = 0; i < 20; i++) ui.key('pageup');
    expect(visibleWindow(model.buffers.current, g, 5).atTop).toBe(true);
    ui.key('end');
    expect(model.buffers.current.scroll).toBeUndefined();
    expect(visibleWindow(model.buffers.current, g, 5).rows.map(rowText)[4]).toContain('new');
  });
});

describe('UiController', () => {
  it('sends typed text to the current room and commands through the shared parser', () => {
    const { ui, port, type } = setup();
    type('hello 你好');
    ui.key('enter');
    type('/me waves');
    ui.key('enter');
    type('/msg bob psst');
    ui.key('enter');
    type('//not a command');
    ui.key('enter');
    expect(port.calls).toEqual([
      'room #general text hello 你好',
      'room #general action waves',
      'dm bob text psst',
      'room #general text /not a command',
    ]);
  });

  it('shows clear inline errors for wrong usage and node failures', () => {
    const { ui, model, type } = setup();
    type('/join nohash');
    ui.key('enter');
    expect(model.buffers.current.lines.newest()?.text).toMatch(
      /room name starts with #.*usage: \/join #ROOM/,
    );
    type('/msg nobody hi');
    ui.key('enter');
    expect(model.buffers.current.lines.newest()).toMatchObject({
      kind: 'error',
      text: 'nobody called nobody is known',
    });
    type('/bogus');
    ui.key('enter');
    expect(model.buffers.current.lines.newest()?.text).toMatch(/unknown command \/bogus/);
    type('/window 9');
    ui.key('enter');
    expect(model.buffers.current.lines.newest()?.text).toBe('there is no buffer 9');
  });

  it('switches buffers with Alt+N, /join and /query, and quits on Ctrl+C and /quit', () => {
    const { ui, model, type, quits } = setup();
    type('/join #dev');
    ui.key('enter');
    expect(model.buffers.current.key).toBe('#dev');
    ui.key('M-1');
    expect(model.buffers.current.key).toBe('status');
    type('/query bob');
    ui.key('enter');
    expect(model.buffers.current.key).toBe('@B');
    ui.key('C-c');
    type('/quit');
    ui.key('enter');
    expect(quits()).toBe(2);
  });

  it('/query and /whois compare names like people read them and never pick one of two look-alikes', () => {
    const { ui, model, port, type } = setup();
    port.peers.push({ ...peer('E', 'b\u043eb'), display: 'b\u043eb#1234abcd', suffix: '1234abcd' });
    port.peers[0] = { ...peer('B', 'bob'), display: 'bob#66687aad', suffix: '66687aad', verified: true };
    type('/query BOB');
    ui.key('enter');
    expect(model.buffers.current.key).toBe('#general');
    expect(model.buffers.current.lines.newest()?.text).toBe(
      'BOB is claimed by 2 identities (bob#66687aad, b\u043eb#1234abcd); use one of those names',
    );
    type('/query bob#66687aad');
    ui.key('enter');
    expect(model.buffers.current.key).toBe('@B');
    type('/whois b\u043eb#1234abcd');
    ui.key('enter');
    expect(model.buffers.current.lines.newest()?.text).toMatch(/^b\u043eb#1234abcd: online, not verified, /);
  });

  it('/whois and /peers tell a peer in its lost-link grace (online, no link) from one connected', () => {
    const { ui, model, port, type } = setup();
    port.peers[0] = { ...peer('B', 'bob'), connected: false };
    port.peers.push(peer('C', 'carol'), peer('D', 'dan', false));
    type('/whois bob');
    ui.key('enter');
    expect(model.buffers.current.lines.newest()?.text).toMatch(/^bob: reconnecting, not verified, /);
    type('/peers');
    ui.key('enter');
    const lines = model.buffers.current.lines;
    const shown = [lines.last - 2, lines.last - 1, lines.last].map((n) => lines.get(n)?.text.split(',')[0]);
    expect(shown).toEqual(['bob: reconnecting', 'carol: online', 'dan: offline']);
  });

  it('holds a multi-line paste until Enter and sends it as one message', () => {
    const { ui, port } = setup();
    ui.pasted('line one\nline two\n');
    expect(ui.paste.pending?.lines).toBe(2);
    ui.key('x', 'x');
    expect(port.calls).toEqual([]);
    ui.key('enter');
    expect(port.calls).toEqual(['room #general text line one\nline two']);
    ui.pasted('/etc/passwd\nsecond');
    ui.key('escape');
    expect(port.calls).toHaveLength(1);
  });

  it('opens the help screen with every command and key', () => {
    const { ui } = setup();
    ui.key('f1');
    expect(ui.mode).toBe('help');
    const text = ui.help.join('\n');
    for (const word of [
      '/msg',
      '/join',
      '/part',
      '/nick',
      '/peers',
      '/quit',
      '/clear',
      '/window',
      'Alt+A',
      'Alt+L',
      'PgUp',
    ]) {
      expect(text).toContain(word);
    }
    ui.key('escape');
    expect(ui.mode).toBe('chat');
  });
});

describe('layout', () => {
  it('keeps the chat wide at 80x24 and collapses side bars when narrow', () => {
    const l80 = computeLayout(80, 24);
    expect(l80.bufferList?.width).toBe(16);
    expect(l80.chat).toEqual({ left: 16, top: 0, width: 64, height: 22 });
    expect(l80.nickList).toBeUndefined();
    const l120 = computeLayout(120, 40);
    expect(l120.nickList?.left).toBe(104);
    const l50 = computeLayout(50, 20);
    expect(l50.bufferList).toBeUndefined();
    expect(l50.chat.width).toBe(50);
    expect(computeLayout(120, 40, { copyMode: true }).chat.width).toBe(120);
  });
});
