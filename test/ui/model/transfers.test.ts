import { describe, expect, it } from 'vitest';
import type { PeerRef, TransferView } from '../../../src/core/events.js';
import { ChatModel } from '../../../src/ui/model/chat-model.js';
import { runLine } from '../../../src/ui/model/command-runner.js';
import { stringWidth } from '../../../src/ui/model/display-width.js';
import { applyEvent } from '../../../src/ui/model/event-handlers.js';
import { computeLayout } from '../../../src/ui/model/layout.js';
import {
  formatBytes,
  formatEta,
  formatRate,
  progressLine,
  type TransferState,
  TransferTable,
  transferPanelRows,
} from '../../../src/ui/model/transfers.js';
import { UiController } from '../../../src/ui/model/ui-controller.js';
import { FakePort, peer } from './fake-port.js';

const T0 = new Date(2024, 4, 6, 9, 5).getTime();
const BOB: PeerRef = { id: 'B', nick: 'bob', display: 'bob', verified: false };
const ID = 'Xy9_abcdEFGH1234-zzzzz';

function transfer(patch: Partial<TransferState> = {}): TransferState {
  return {
    id: ID,
    direction: 'in',
    peerId: 'B',
    peerNick: 'bob',
    name: 'report.pdf',
    size: 100_000_000,
    bytes: 52_000_000,
    rate: 85_300_000,
    state: 'accepted',
    ...patch,
  };
}

function lines(model: ChatModel, key: string): string[] {
  const b = model.buffers.get(key);
  if (!b) return [];
  const out: string[] = [];
  for (let s = b.lines.first; s <= b.lines.last; s++) {
    const l = b.lines.get(s);
    if (l && l.kind !== 'day') out.push(`${l.kind}: ${l.text}`);
  }
  return out;
}

class FilePort extends FakePort {
  views: TransferView[] = [];
  failNext: Error | undefined;
  sendFile(name: string, path: string): Promise<TransferView> {
    this.calls.push(`send ${name} ${path}`);
    return this.failNext ? Promise.reject(this.failNext) : Promise.resolve(this.views[0] as TransferView);
  }
  acceptFile(id: string, dir?: string): Promise<TransferView> {
    this.calls.push(`accept ${id} ${dir ?? '-'}`);
    return this.failNext ? Promise.reject(this.failNext) : Promise.resolve(this.views[0] as TransferView);
  }
  rejectFile(id: string): TransferView {
    this.calls.push(`reject ${id}`);
    return this.views[0] as TransferView;
  }
  cancelFile(id: string): Promise<TransferView> {
    this.calls.push(`cancel ${id}`);
    return Promise.resolve(this.views[0] as TransferView);
  }
  transferList(): TransferView[] {
    return this.views;
  }
}

describe('transfer formatting', () => {
  it('draws the example line: arrow, name, bar, percent, rate, ETA', () => {
    const line = progressLine(transfer(), 80);
    expect(line).toMatch(/^⇣ report\.pdf \[█+░+\] {2}52% 85\.3 MB\/s ETA 0:01$/);
    expect(stringWidth(line)).toBeLessThanOrEqual(80);
    const out = progressLine(transfer({ direction: 'out', rate: 6_857_143 }), 60);
    expect(out).toMatch(/^⇡ report\.pdf \[.+\] {2}52% 6\.9 MB\/s ETA 0:07$/);
  });

  it('fits every width from 1 to 120 cells, CJK names included', () => {
    const names = ['report.pdf', '报告-第二季度-财务总结-最终版本.pdf', '😀 photo 写真.jpg', 'x'];
    for (const name of names) {
      for (let width = 1; width <= 120; width++) {
        const line = progressLine(transfer({ name }), width);
        expect(stringWidth(line), `${name} @${width}: ${line}`).toBeLessThanOrEqual(width);
      }
    }
    // A long CJK name is shortened (never split mid-character) before the bar gives way.
    const cjk = progressLine(transfer({ name: '报告-第二季度-财务总结-最终版本.pdf' }), 60);
    expect(cjk).toMatch(/^⇣ 报告.*… \[█+░+\] {2}52% 85\.3 MB\/s ETA 0:01$/);
    expect(stringWidth(cjk)).toBeLessThanOrEqual(60);
    // Narrow: the ETA goes first, then the rate; the percentage stays.
    const narrow = progressLine(transfer(), 36);
    expect(narrow).toContain('52%');
    expect(narrow).not.toContain('ETA');
    expect(progressLine(transfer(), 12)).toBe('⇣ repor… 52%');
    expect(progressLine(transfer(), 5)).toBe('⇣ 52%');
  });

  it('formats ETAs as m:ss and h:mm:ss, and --:-- when unknown', () => {
    expect(formatEta(0)).toBe('0:00');
    expect(formatEta(6.2)).toBe('0:07');
    expect(formatEta(59)).toBe('0:59');
    expect(formatEta(61)).toBe('1:01');
    expect(formatEta(3600)).toBe('1:00:00');
    expect(formatEta(3 * 3600 + 5 * 60 + 9)).toBe('3:05:09');
    expect(formatEta(100 * 3600)).toBe('--:--');
    expect(formatEta(undefined)).toBe('--:--');
    expect(formatEta(Number.POSITIVE_INFINITY)).toBe('--:--');
  });

  it('shows rate 0 as 0 B/s with no ETA, and an unknown size without percent or ETA', () => {
    const stalled = progressLine(transfer({ rate: 0 }), 80);
    expect(stalled).toMatch(/52% 0 B\/s ETA --:--$/);
    const unknown = progressLine(transfer({ size: undefined, bytes: 12_345_678 }), 80);
    expect(unknown).toMatch(/^⇣ report\.pdf \[░+\] 12\.3 MB 85\.3 MB\/s$/);
    expect(unknown).not.toContain('%');
    expect(unknown).not.toContain('ETA');
    // An empty file is complete, not a division by zero.
    expect(progressLine(transfer({ size: 0, bytes: 0 }), 80)).toContain('100%');
    // Never 100% before the last byte.
    expect(progressLine(transfer({ bytes: 99_999_999 }), 80)).toContain(' 99%');
  });

  it('formats sizes and rates in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500)).toBe('1.5 kB');
    expect(formatBytes(85_300_000)).toBe('85.3 MB');
    expect(formatBytes(120_000_000)).toBe('120 MB');
    expect(formatBytes(999_990)).toBe('1.0 MB');
    expect(formatBytes(1_073_741_824)).toBe('1.1 GB');
    expect(formatRate(-5)).toBe('0 B/s');
  });

  it('sums up the transfers that do not get a row of their own', () => {
    const table = new TransferTable();
    for (let i = 0; i < 5; i++)
      table.upsert(`id${i}xxxxxxxx`, { name: `f${i}`, size: 100, bytes: 50, rate: 1000, state: 'accepted' });
    const rows = transferPanelRows(table, 80, 3);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toBe('⇅ 3 more transfers, 3.0 kB/s; /transfers lists them');
    expect(computeLayout(80, 24, { transferRows: 3 }).chat.height).toBe(19);
    expect(computeLayout(80, 24, { transferRows: 1 }).transfers).toEqual({
      left: 0,
      top: 21,
      width: 80,
      height: 1,
    });
    // A tiny terminal keeps its chat rows.
    expect(computeLayout(80, 10, { transferRows: 3 }).transfers).toBeUndefined();
  });
});

describe('transfer events in the model', () => {
  function setup() {
    const alerts: string[] = [];
    const model = new ChatModel({ now: () => T0, onAlert: (a) => alerts.push(`${a.title} | ${a.body}`) });
    applyEvent(model, { type: 'ready', id: 'ME', nick: 'me', port: 1 });
    model.buffers.select(model.room('#general').key);
    const port = new FilePort();
    port.peers = [peer('B', 'bob')];
    const screen = { quit: () => {}, help: () => {} };
    return { model, alerts, port, run: (line: string) => runLine(model, port, line, screen) };
  }

  it('shows an offer in the DM and status buffers with the answer hint, and alerts like a DM', () => {
    const { model, alerts } = setup();
    applyEvent(model, {
      type: 'file_offer',
      id: ID,
      from: { ...BOB, display: 'bob\x1b[31m' },
      name: 'evil\x1b]0;title\x07\u202e.pdf',
      size: 2_500_000,
      sha256: 'a'.repeat(64),
    });
    const text = 'bob offers evil.pdf (2.5 MB): /accept Xy9_abcd or /reject Xy9_abcd';
    expect(lines(model, '@B')).toEqual([`system: ${text}`]);
    expect(lines(model, 'status')).toContain(`system: ${text}`);
    const dm = model.buffers.get('@B');
    expect(dm?.activity).toBe(3);
    expect(alerts).toEqual(['lanchat: bob | offers evil.pdf (2.5 MB)']);
  });

  it('tracks accept, progress, done and failure, with lines in the conversation', () => {
    const { model } = setup();
    applyEvent(model, {
      type: 'file_offer',
      id: ID,
      from: BOB,
      name: 'a.bin',
      size: 1000,
      sha256: 'a'.repeat(64),
    });
    applyEvent(model, { type: 'file_accepted', id: ID, direction: 'in', peer: BOB, offset: 500 });
    expect(lines(model, '@B').at(-1)).toBe('system: receiving a.bin (1.0 kB) from bob, resuming at 50%');
    applyEvent(model, { type: 'file_progress', id: ID, direction: 'in', bytes: 750, size: 1000, rate: 250 });
    expect(model.transfers.active().map((t) => progressLine(t, 40))).toEqual([
      '⇣ a.bin [██████░░]  75% 250 B/s ETA 0:01',
    ]);
    applyEvent(model, {
      type: 'file_done',
      id: ID,
      direction: 'in',
      path: '/home/me/Downloads/a.bin',
      sha256: 'a'.repeat(64),
      size: 1000,
    });
    expect(model.transfers.active()).toEqual([]);
    expect(lines(model, '@B').at(-1)).toBe(
      'system: received a.bin (1.0 kB) from bob, SHA-256 verified: /home/me/Downloads/a.bin',
    );
    applyEvent(model, {
      type: 'file_offered',
      id: 'OUT12345678',
      to: BOB,
      name: 'b.iso',
      size: 4_000_000_000,
      sha256: 'b'.repeat(64),
      path: '/tmp/b.iso',
    });
    applyEvent(model, {
      type: 'file_failed',
      id: 'OUT12345678',
      direction: 'out',
      code: 'hash-mismatch',
      message: 'bob got a different SHA-256 for b.iso',
    });
    expect(lines(model, '@B').slice(-2)).toEqual([
      'system: offering b.iso (4.0 GB) to bob, id OUT12345; /cancel OUT12345 withdraws it',
      'error: b.iso (4.0 GB) failed: bob got a different SHA-256 for b.iso (hash-mismatch)',
    ]);
    expect(lines(model, 'status').at(-1)).toBe(
      'error: b.iso (4.0 GB) failed: bob got a different SHA-256 for b.iso (hash-mismatch)',
    );
  });

  it('runs /accept, /reject, /cancel with the short id and /send, /transfers', async () => {
    const { model, port, run } = setup();
    applyEvent(model, {
      type: 'file_offer',
      id: ID,
      from: BOB,
      name: 'a.bin',
      size: 10,
      sha256: 'a'.repeat(64),
    });
    run('/accept Xy9_abcd /tmp/in');
    run('/reject Xy9_ab');
    run('/cancel Xy9');
    run('/send bob ./notes.txt');
    expect(port.calls).toEqual([
      `accept ${ID} /tmp/in`,
      `reject ${ID}`,
      `cancel ${ID}`,
      'send bob ./notes.txt',
    ]);
    expect(lines(model, '#general').at(-1)).toBe('system: hashing ./notes.txt before offering it to bob…');

    port.failNext = new Error('no such file: ./nope');
    let woken = 0;
    model.wake = () => woken++;
    run('/send bob ./nope');
    await new Promise((r) => setImmediate(r));
    expect(lines(model, '#general').at(-1)).toBe('error: no such file: ./nope');
    expect(woken).toBe(1);

    port.views = [
      {
        id: ID,
        direction: 'in',
        peer: BOB,
        name: 'a.bin',
        size: 10,
        sha256: 'a'.repeat(64),
        state: 'done',
        bytes: 10,
        path: '/tmp/in/a.bin',
      },
    ];
    run('/transfers');
    expect(lines(model, '#general').slice(-2)).toEqual([
      'system: 1 file transfer:',
      'system: ⇣ Xy9_abcd a.bin (10 B) from bob: done, /tmp/in/a.bin',
    ]);
  });

  it('says ambiguous prefixes and missing support inline', () => {
    const { model, run } = setup();
    for (const id of ['abcd1111xx', 'abcd2222xx'])
      applyEvent(model, { type: 'file_offer', id, from: BOB, name: 'x', size: 1, sha256: 'a'.repeat(64) });
    run('/accept abcd');
    expect(lines(model, '#general').at(-1)).toBe(
      'error: 2 transfers start with abcd: type more of the id (/transfers)',
    );
    const plain = new ChatModel({ now: () => T0 });
    runLine(plain, new FakePort(), '/transfers', { quit: () => {}, help: () => {} });
    expect(lines(plain, 'status').at(-1)).toBe('system: no file transfers yet; /send NICK PATH offers one');
    runLine(plain, new FakePort(), '/send bob x', { quit: () => {}, help: () => {} });
    expect(lines(plain, 'status').at(-1)).toBe('error: /send is not available in this version');
  });

  it('completes transfer ids after /accept, /reject and /cancel', () => {
    const { model, port } = setup();
    const ui = new UiController(model, port, { quit: () => {}, redraw: () => {} });
    applyEvent(model, { type: 'file_offer', id: ID, from: BOB, name: 'a', size: 1, sha256: 'a'.repeat(64) });
    for (const ch of '/accept ') ui.key(ch === ' ' ? 'space' : ch, ch);
    ui.key('tab');
    expect(ui.input.text).toBe('/accept Xy9_abcd ');
  });
});
