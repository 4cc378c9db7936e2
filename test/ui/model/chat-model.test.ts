import { describe, expect, it } from 'vitest';
import { ACTIVITY, mentions } from '../../../src/ui/model/activity.js';
import { ChatModel, type HistoryMessage } from '../../../src/ui/model/chat-model.js';
import { applyEvent } from '../../../src/ui/model/event-handlers.js';
import { geometryFor } from '../../../src/ui/model/line-format.js';
import { visibleWindow } from '../../../src/ui/model/message-window.js';
import { rowText } from '../../../src/ui/model/style.js';
import { peer } from './fake-port.js';

const T0 = new Date(2024, 4, 6, 12, 0).getTime();
const ref = (id: string, nick: string) => ({ id, nick, display: nick, verified: false });

function started(options: ConstructorParameters<typeof ChatModel>[0] = {}) {
  let now = T0;
  const alerts: string[] = [];
  const model = new ChatModel({
    now: () => now,
    onAlert: (a) => alerts.push(`${a.title}|${a.body}`),
    ...options,
  });
  applyEvent(model, { type: 'ready', id: 'ME', nick: 'alice', port: 7475 });
  model.buffers.select(model.room('#general').key);
  applyEvent(model, { type: 'peer_online', peer: peer('B', 'bob') });
  return { model, alerts, tick: (ms: number) => (now += ms) };
}

const say = (
  from: string,
  text: string,
  extra: Record<string, unknown> = { room: '#general' },
  id = `${Math.random()}`,
) => ({
  type: 'message',
  id,
  from: ref(from, from === 'B' ? 'bob' : from),
  text,
  ts: T0,
  kind: 'text',
  ...extra,
});

describe('ChatModel', () => {
  it('orders activity join < message < private < mention and finds mentions as words', () => {
    expect(ACTIVITY.join < ACTIVITY.message && ACTIVITY.message < ACTIVITY.private).toBe(true);
    expect(ACTIVITY.private < ACTIVITY.mention).toBe(true);
    expect(mentions('hi Alice!', 'alice')).toBe(true);
    expect(mentions('alice: look', 'alice')).toBe(true);
    expect(mentions('malice', 'alice')).toBe(false);
  });

  it('counts unread and activity only for buffers not on screen, and orders the hotlist', () => {
    const { model, alerts, tick } = started();
    applyEvent(model, { type: 'joined', room: '#dev', members: [] });
    applyEvent(model, { type: 'joined', room: '#ops', members: [] });
    model.buffers.select('#general');
    applyEvent(model, say('B', 'in general'));
    expect(model.buffers.get('#general')?.unread).toBe(0);
    applyEvent(model, say('B', 'dev chatter', { room: '#dev' }));
    tick(1000);
    applyEvent(model, say('B', 'alice, look', { room: '#ops' }));
    tick(1000);
    applyEvent(model, say('B', 'psst', {}));
    const dev = model.buffers.get('#dev');
    expect(dev?.unread).toBe(1);
    expect(dev?.activity).toBe(ACTIVITY.message);
    expect(model.buffers.get('#ops')?.activity).toBe(ACTIVITY.mention);
    expect(model.buffers.get('@B')?.activity).toBe(ACTIVITY.private);
    expect(model.buffers.hotlist().map((b) => b.key)).toEqual(['#ops', '@B', '#dev']);
    expect(alerts).toEqual(['lanchat: bob in #ops|alice, look', 'lanchat: bob|psst']);
    model.buffers.jumpToActivity();
    expect(model.buffers.current.key).toBe('#ops');
    expect(model.buffers.get('#ops')?.unread).toBe(0);
    model.buffers.jumpToActivity();
    model.buffers.jumpToActivity();
    model.buffers.jumpToActivity();
    expect(model.buffers.current.key).toBe('#general');
  });

  it('numbers buffers status, #general, rooms, DMs and cycles', () => {
    const { model } = started();
    applyEvent(model, say('B', 'psst', {}));
    applyEvent(model, { type: 'joined', room: '#zed', members: [] });
    applyEvent(model, { type: 'joined', room: '#abc', members: [] });
    expect(model.buffers.list().map((b) => b.key)).toEqual(['status', '#general', '#abc', '#zed', '@B']);
    model.buffers.selectIndex(5);
    model.buffers.cycle(1);
    expect(model.buffers.current.key).toBe('status');
    model.buffers.cycle(-1);
    expect(model.buffers.current.key).toBe('@B');
  });

  it('marks my messages sent → delivered → read, and queued when offline', () => {
    const { model } = started();
    applyEvent(model, { type: 'sent', id: 'm1', text: 'hi', ts: T0, queued: false, to: ref('B', 'bob') });
    applyEvent(model, { type: 'sent', id: 'm2', text: 'later', ts: T0, queued: true, to: ref('B', 'bob') });
    const dm = model.buffers.get('@B');
    const line = dm?.lines.newest();
    expect(line?.delivery).toBe('queued');
    expect(model.sentLine('m1')?.delivery).toBe('sent');
    applyEvent(model, { type: 'delivered', id: 'm1', to: ref('B', 'bob') });
    expect(model.sentLine('m1')?.delivery).toBe('delivered');
    applyEvent(model, { type: 'read', id: 'm1', by: ref('B', 'bob') });
    expect(model.sentLine('m1')?.delivery).toBe('read');
    const rows = visibleWindow(dm!, geometryFor(60), 5).rows.map(rowText);
    expect(rows.some((r) => r.includes('hi ✓✓'))).toBe(true);
    expect(rows.some((r) => r.includes('later …'))).toBe(true);
  });

  it('sanitizes hostile nicks and text before they reach a line', () => {
    const { model } = started();
    applyEvent(model, { ...say('X', 'hi\x1b]0;pwned\x07\x1b[2J\u202eevil'), from: ref('X', 'ev\x1b[31mil') });
    const line = model.buffers.get('#general')?.lines.newest();
    expect(line?.text).toBe('hievil');
    expect(line?.nick).toBe('evil');
  });

  it('ignores unknown event types', () => {
    const { model } = started();
    const before = model.version;
    applyEvent(model, { type: 'from_the_future', x: 1 } as { type: string });
    expect(model.version).toBe(before);
  });

  it('adds day-change lines and a read marker', () => {
    const { model, tick } = started();
    applyEvent(model, say('B', 'today'));
    model.buffers.select('status');
    tick(24 * 3600_000);
    applyEvent(model, { ...say('B', 'tomorrow'), ts: T0 + 24 * 3600_000 });
    model.buffers.select('#general');
    const rows = visibleWindow(model.buffers.current, geometryFor(60), 8).rows.map(rowText);
    const markerAt = rows.findIndex((r) => /^─{60}$/.test(r));
    const dayAt = rows.findIndex((r) => r.includes('Tuesday, 2024-05-07'));
    expect(markerAt).toBeGreaterThan(-1);
    expect(dayAt).toBeGreaterThan(markerAt);
    expect(rows[rows.length - 1]).toContain('tomorrow');
  });

  it('loads history when a buffer opens and does not show a live copy twice', () => {
    const stored: HistoryMessage[] = [
      { id: 'h1', senderNick: 'bob', text: 'old one', kind: 'text', ts: T0 - 5000, direction: 'in' },
      { id: 'h2', senderNick: 'bob', text: 'psst', kind: 'text', ts: T0, direction: 'in' },
    ];
    const { model } = started({ loadHistory: (conversation) => (conversation === '@B' ? stored : []) });
    applyEvent(model, say('B', 'psst', {}, 'h2'));
    const texts = [];
    const dm = model.buffers.get('@B')!;
    for (let s = dm.lines.first; s <= dm.lines.last; s++) texts.push(dm.lines.get(s)?.text);
    expect(texts.filter((t) => t === 'psst')).toHaveLength(1);
    expect(texts).toContain('old one');
  });

  it('never opens a room buffer because a peer joined it: such a room is an offer line', () => {
    const { model } = started();
    applyEvent(model, { type: 'member_joined', room: '#spam', peer: ref('C', 'carol') });
    expect(model.buffers.get('#spam')).toBeUndefined();
    applyEvent(model, { type: 'room_offer', room: '#spam', peer: ref('C', 'carol') });
    expect(model.buffers.get('#spam')).toBeUndefined();
    const status = model.buffers.status;
    const texts = [];
    for (let s = status.lines.first; s <= status.lines.last; s++) texts.push(status.lines.get(s)?.text);
    expect(texts).toContain('carol is in #spam; /join #spam to join it');
  });

  it('tracks members, nick changes and peers going offline', () => {
    const { model } = started();
    applyEvent(model, { type: 'joined', room: '#dev', members: [ref('B', 'bob')] });
    applyEvent(model, { type: 'member_joined', room: '#dev', peer: ref('C', 'carol') });
    applyEvent(model, { type: 'nick', peer: ref('B', 'robert'), previous: 'bob' });
    expect([...model.buffers.get('#dev')!.members.values()].sort()).toEqual(['carol', 'robert']);
    applyEvent(model, { type: 'member_parted', room: '#dev', peer: ref('C', 'carol') });
    applyEvent(model, { type: 'peer_offline', peer: ref('B', 'robert'), reason: 'quit' });
    expect(model.peers.get('B')?.online).toBe(false);
    expect(model.buffers.get('#dev')!.members.size).toBe(0);
  });
});
