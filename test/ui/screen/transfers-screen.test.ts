// In-process screen test of file transfers: offer line, a live progress bar above the status bar
// at 80×24, and the bar going away when the transfer is done.
import { afterEach, describe, expect, it } from 'vitest';
import type { PeerRef } from '../../../src/core/events.js';
import { type ChatApp, startChatApp } from '../../../src/ui/blessed/chat-app.js';
import { peer } from '../model/fake-port.js';
import { FakeNode } from './fake-node.js';
import { until } from './screen-wait.js';
import { VirtualTerminal } from './virtual-terminal.js';

let app: ChatApp | undefined;
let vt: VirtualTerminal | undefined;

afterEach(() => {
  app?.destroy();
  vt?.dispose();
  app = undefined;
  vt = undefined;
});

const BOB: PeerRef = { id: 'id-bob', nick: 'bob', display: 'bob', verified: false };
const ID = 'Tq7_ab12CD34ef56GH78ij';

function start(cols = 80, rows = 24) {
  vt = new VirtualTerminal(cols, rows);
  const node = new FakeNode();
  node.peers = [peer(BOB.id, BOB.nick)];
  app = startChatApp({
    node,
    input: vt.input,
    output: vt.output,
    terminal: 'xterm-256color',
    onQuit: () => {},
  });
  return { node, vt, app };
}

describe('file transfers on screen', () => {
  it('shows the offer, a progress bar above the status bar, and the result', async () => {
    const { node, vt, app } = start();
    node.emit({
      type: 'file_offer',
      id: ID,
      from: BOB,
      // A hostile name: a title-setting OSC and a bidi override must arrive inert.
      name: '报告\x1b]0;pwned\x07\u202eQ3.pdf',
      size: 200_000_000,
      sha256: 'a'.repeat(64),
    });
    // The offer lands in bob's DM buffer (3rd) and the status buffer; the bell/OSC went out.
    let lines = await until(vt, app, (l) => l.some((r) => r.includes('3.bob')));
    expect(vt.written).toContain('\x07\x1b]9;lanchat: bob: offers 报告Q3.pdf (200 MB)\x07');
    vt.type('\x1b1'); // Alt+1: the status buffer
    lines = await until(vt, app, (l) => l.some((r) => r.includes('offers 报告Q3.pdf')));
    const row = lines.findIndex((r) => r.includes('offers'));
    expect(lines[row]).toMatch(/│ +-- │ bob offers 报告Q3\.pdf \(200 MB\): \/accept$/);
    expect(lines[row + 1]).toMatch(/│ Tq7_ab12 or \/reject Tq7_ab12$/);
    expect(lines.join('\n')).not.toContain('pwned');

    vt.type('/accept Tq7_ab12\r');
    await until(vt, app, () => node.calls.includes(`accept ${ID}`));

    node.emit({ type: 'file_accepted', id: ID, direction: 'in', peer: BOB, offset: 0 });
    node.emit({
      type: 'file_progress',
      id: ID,
      direction: 'in',
      bytes: 104_000_000,
      size: 200_000_000,
      rate: 85_300_000,
    });
    lines = await until(vt, app, (l) => l[21]?.startsWith('⇣ ') ?? false);
    expect(lines[21]).toMatch(/^⇣ 报告Q3\.pdf \[█{15}░{15}\] {2}52% 85\.3 MB\/s ETA 0:02 *$/);
    expect(lines[22]).toMatch(/\[alice\] \[lanchat\] \[1 online\]/);
    expect(lines[23]).toMatch(/^\[status\]/);
    // The chat area gave up one row; the buffer list border still runs down column 15.
    for (let y = 0; y < 21; y++) expect(vt.cellAt(y, 15)).toBe('│');
    expect(vt.cellAt(21, 15)).not.toBe('│');

    // Further progress updates the same row.
    node.emit({
      type: 'file_progress',
      id: ID,
      direction: 'in',
      bytes: 190_000_000,
      size: 200_000_000,
      rate: 90_000_000,
    });
    lines = await until(vt, app, (l) => l[21]?.includes(' 95%') ?? false);
    expect(lines[21]).toMatch(/\[█{28}░{2}\] {2}95% 90\.0 MB\/s ETA 0:01/);

    node.emit({
      type: 'file_done',
      id: ID,
      direction: 'in',
      path: '/home/alice/Downloads/报告Q3.pdf',
      sha256: 'a'.repeat(64),
      size: 200_000_000,
    });
    // Wait for the result itself: line 22 already began with '[' (the status bar, one row up while
    // the progress bar was shown), so waiting for that raced the redraw on a loaded machine.
    lines = await until(
      vt,
      app,
      (l) => !l.some((r) => r.startsWith('⇣ ')) && l.join('\n').includes('received 报告Q3.pdf'),
    );
    expect(lines.join('\n')).toContain('received 报告Q3.pdf (200 MB) from bob,');
    expect(lines.some((r) => r.startsWith('⇣ '))).toBe(false);
    expect(lines[23]).toMatch(/^\[status\]/);
    for (let y = 0; y < 22; y++) expect(vt.cellAt(y, 15)).toBe('│');
  });

  it('redraws for progress alone at most about 4 times per second', async () => {
    const { node, vt, app } = start();
    node.emit({ type: 'file_accepted', id: ID, direction: 'out', peer: BOB, offset: 0 });
    await until(vt, app, (l) => l[21]?.startsWith('⇡ ') ?? false);
    const before = app.screen.frames;
    const started = Date.now();
    const flood = setInterval(() => {
      node.emit({
        type: 'file_progress',
        id: ID,
        direction: 'out',
        bytes: Date.now() - started,
        size: 10_000,
        rate: 1000,
      });
    }, 5);
    await new Promise((r) => setTimeout(r, 1000));
    clearInterval(flood);
    const frames = app.screen.frames - before;
    // At most one frame per 250 ms of the flood (plus the first), measured against the time the
    // flood really lasted: on a loaded machine the 1 s wait may take longer.
    const lasted = Date.now() - started;
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThanOrEqual(1 + Math.ceil(lasted / 250));
    await vt.flush();
  });
});
