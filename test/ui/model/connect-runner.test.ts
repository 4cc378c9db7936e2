// /connect and /forget in the terminal UI: the node's answer (or its error) becomes a line in the
// current buffer.
import { describe, expect, it } from 'vitest';
import { ChatModel } from '../../../src/ui/model/chat-model.js';
import { runLine } from '../../../src/ui/model/command-runner.js';
import { FakePort } from './fake-port.js';

const screen = { quit: () => {}, help: () => {} };

function lastLine(model: ChatModel): string {
  const b = model.buffers.current;
  const l = b.lines.get(b.lines.last);
  return l ? `${l.kind}: ${l.text}` : '';
}

class ConnectPort extends FakePort {
  targets: string[] = [];
  connectPeer(target: string) {
    if (target === 'lcbroken') throw new Error('the code is damaged (wrong checksum): copy it again, whole');
    this.targets.push(target);
    return { id: 'K'.repeat(43), addresses: ['10.0.2.7', 'fd13::7'], port: 7475 };
  }
}

describe('/connect in the UI', () => {
  it('hands the code to the node and says where it dials', () => {
    const model = new ChatModel({ now: () => 0 });
    const port = new ConnectPort();
    runLine(model, port, '/connect lcgood', screen);
    expect(port.targets).toEqual(['lcgood']);
    expect(lastLine(model)).toBe(`system: connecting to ${'K'.repeat(43)} at 10.0.2.7, fd13::7 port 7475…`);
  });

  it('shows a bad code as an error line', () => {
    const model = new ChatModel({ now: () => 0 });
    runLine(model, new ConnectPort(), '/connect lcbroken', screen);
    expect(lastLine(model)).toBe('error: the code is damaged (wrong checksum): copy it again, whole');
  });

  it('says when the node cannot connect by code', () => {
    const model = new ChatModel({ now: () => 0 });
    runLine(model, new FakePort(), '/connect lcgood', screen);
    expect(lastLine(model)).toMatch(/^error: \/connect is not available/);
  });
});
