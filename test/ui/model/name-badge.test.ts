// A message from an identity whose nick collides with another's carries its key suffix (and a
// warning when it imitates a verified contact) in a badge drawn in inverse video: no text from a
// peer is ever drawn that way, so the line cannot look like one from the verified contact.
import { describe, expect, it } from 'vitest';
import type { PeerRef } from '../../../src/core/events.js';
import type { ChatLine } from '../../../src/ui/model/chat-line.js';
import { ChatModel } from '../../../src/ui/model/chat-model.js';
import { applyEvent } from '../../../src/ui/model/event-handlers.js';
import { formatLine, geometryFor } from '../../../src/ui/model/line-format.js';
import { rowText } from '../../../src/ui/model/style.js';

const T0 = new Date(2024, 4, 6, 12, 0).getTime();

function lastLineFrom(from: PeerRef, text: string): { line: ChatLine; alerts: string[] } {
  const alerts: string[] = [];
  const model = new ChatModel({ now: () => T0, onAlert: (a) => alerts.push(a.title) });
  applyEvent(model, { type: 'ready', id: 'ME', nick: 'alice', port: 7475 });
  applyEvent(model, { type: 'message', id: 'm1', from, text, ts: T0, kind: 'text' });
  const buffer = model.buffers.get(`@${from.id}`)!;
  return { line: buffer.lines.findByMsgId('m1')!, alerts };
}

describe('name badge', () => {
  const impostor: PeerRef = {
    id: 'EVIL',
    nick: 'b\u043eb',
    display: 'b\u043eb#1234abcd',
    suffix: '1234abcd',
    warning: 'not the bob#66687aad you verified',
    verified: false,
  };

  it('draws the suffix and the warning in inverse video after the bare nick', () => {
    const { line, alerts } = lastLineFrom(impostor, 'it is me');
    expect(line.nick).toBe('b\u043eb');
    expect(line.badge).toEqual({ text: '#1234abcd ⚠ not the bob#66687aad you verified', warn: true });
    const [row] = formatLine(line, geometryFor(80));
    expect(rowText(row!)).toContain('b\u043eb │ #1234abcd ⚠ not the bob#66687aad you verified it is me');
    const badge = row!.find((s) => s.text === line.badge!.text);
    expect(badge?.style?.inverse).toBe(true);
    // Peer text is never inverse.
    expect(row!.filter((s) => s.style?.inverse)).toEqual([badge]);
    expect(alerts[0]).toContain('not the bob#66687aad you verified');
  });

  it('looks different from a line of the verified bob, and a typed look-alike badge stays plain', () => {
    const bob: PeerRef = {
      id: 'BOB',
      nick: 'bob',
      display: 'bob#66687aad',
      suffix: '66687aad',
      verified: true,
    };
    const real = lastLineFrom(bob, 'hello').line;
    const forged = lastLineFrom(
      { id: 'X', nick: 'bob', display: 'bob', verified: false },
      '#66687aad hello',
    ).line;
    const realRow = formatLine(real, geometryFor(80))[0]!;
    const forgedRow = formatLine(forged, geometryFor(80))[0]!;
    expect(rowText(realRow)).toBe(rowText(forgedRow)); // same characters…
    expect(realRow.some((s) => s.style?.inverse)).toBe(true); // …but only ours has the badge
    expect(forgedRow.some((s) => s.style?.inverse)).toBe(false);
  });

  it('ignores a suffix that is not 8 hex digits (an older or broken core)', () => {
    const { warning: _, ...noWarning } = impostor;
    const { line } = lastLineFrom({ ...noWarning, suffix: 'zz' }, 'x');
    expect(line.badge).toBeUndefined();
    expect(line.nick).toBe('b\u043eb#1234abcd');
  });
});
