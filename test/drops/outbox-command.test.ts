// `/outbox` in the terminal UI and the headless JSON mode: one line (or one JSON entry) per DM
// that is not yet delivered or went through drops, saying where it is.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HeadlessLine, runCommands } from '../../src/cli/headless.js';
import { parseCommand } from '../../src/commands/command-parser.js';
import type { OutboxView, PeerRef } from '../../src/core/events.js';
import { ChatModel } from '../../src/ui/model/chat-model.js';
import { runLine } from '../../src/ui/model/command-runner.js';
import { eventsOf, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import { FakePort } from '../ui/model/fake-port.js';

const BOB: PeerRef = { id: 'B', nick: 'bob', display: 'bob', verified: false };

class OutboxPort extends FakePort {
  entries: OutboxView[] = [];
  outbox(): OutboxView[] {
    return this.entries;
  }
}

function statusLines(model: ChatModel): string[] {
  const b = model.buffers.get('status');
  const out: string[] = [];
  if (!b) return out;
  for (let s = b.lines.first; s <= b.lines.last; s++) {
    const l = b.lines.get(s);
    if (l && l.kind !== 'day') out.push(l.text);
  }
  return out;
}

describe('/outbox in the terminal UI', () => {
  it('parses', () => {
    expect(parseCommand('/outbox')).toEqual({ ok: true, command: { name: 'outbox' } });
  });

  it('says where each DM is', () => {
    const model = new ChatModel({ now: () => 0 });
    const port = new OutboxPort();
    const screen = { quit: () => {}, help: () => {} };
    runLine(model, port, '/outbox', screen);
    expect(statusLines(model).at(-1)).toMatch(/outbox is empty/);
    port.entries = [
      { id: '1', to: BOB, text: 'a', ts: 1, state: 'queued', holders: 0 },
      { id: '2', to: BOB, text: 'b', ts: 2, state: 'deposited', holders: 3, expires: 9 },
      { id: '3', to: BOB, text: 'c', ts: 3, state: 'delivered', via: 'relay', holders: 2 },
      { id: '4', to: BOB, text: 'd', ts: 4, state: 'expired', holders: 1, expires: 5 },
    ];
    runLine(model, port, '/outbox', screen);
    expect(statusLines(model).slice(-4)).toEqual([
      '→ bob: queued here — "a"',
      '→ bob: queued here, deposited with 3 peers — "b"',
      '→ bob: delivered via relay — "c"',
      '→ bob: queued here; its drops expired — "d"',
    ]);
  });
});

describe('/outbox in headless mode', () => {
  let fx: NodeFixture;
  beforeEach(() => {
    fx = new NodeFixture();
  });
  afterEach(async () => {
    await fx.destroy();
  });

  it('prints one JSON object with every undelivered DM and its drop state', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    const c = await fx.start('carol');
    await waitFor('mesh', () => [a, b, c].every((t) => onlineIds(t).length === 2));
    await fx.stop(b);
    await waitFor('bob offline', () => onlineIds(a).length === 1);
    const id = a.node.sendDirect('bob', 'see you tomorrow');
    await waitFor('deposited', () => eventsOf(a, 'deposited').find((e) => e.id === id));
    const stdin = new PassThrough();
    const out: HeadlessLine[] = [];
    runCommands(a.node, { stdin, write: (line) => out.push(line) }, () => {});
    stdin.write('/outbox\n');
    const line = await waitFor('outbox line', () => out.find((l) => l.type === 'outbox'));
    expect(line).toMatchObject({
      type: 'outbox',
      messages: [
        { id, text: 'see you tomorrow', state: 'deposited', holders: 1, to: { id: b.node.id, nick: 'bob' } },
      ],
    });
    stdin.end();
  });
});
