// The catch-up server's pacing with a fake clock and a fake link whose send queue the test fills
// and drains: one request at a time, batches only while there is room and one per turn, starts
// at least SERVE_INTERVAL_MS apart, a bounded backlog with one warning, nothing after a close.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../../src/connection/peer-link.js';
import {
  type Answer,
  CatchUpServer,
  MAX_WAITING_REQUESTS,
  SERVE_INTERVAL_MS,
} from '../../src/core/catch-up-server.js';
import type { WireMessage } from '../../src/protocol/messages.js';
import { FakeClock } from './fake-clock.js';

class FakeLink extends EventEmitter {
  hasRoom = true;
  isClosed = false;
  readonly sent: string[] = [];
  send(message: WireMessage): boolean {
    this.sent.push((message as { room: string }).room);
    return true;
  }
  close(): void {
    this.isClosed = true;
    this.emit('close');
  }
}

/** An answer of `batches` messages tagged with `tag`; records when it was started. */
function answer(tag: string, batches: number, started: string[]): () => Answer {
  return () => {
    started.push(tag);
    return (function* () {
      for (let i = 0; i < batches; i++)
        yield { t: 'catchup', room: tag, messages: [], done: i === batches - 1 };
      return undefined;
    })();
  };
}

function setup() {
  const clock = new FakeClock();
  const link = new FakeLink();
  const server = new CatchUpServer({ clock });
  return { clock, link, server, peerLink: link as unknown as PeerLink };
}

describe('catch-up server', () => {
  it('serves one request at a time, one batch per turn, starts SERVE_INTERVAL_MS apart', () => {
    const { clock, link, server, peerLink } = setup();
    const started: string[] = [];
    server.enqueue(peerLink, answer('#a', 3, started), () => {});
    server.enqueue(peerLink, answer('#b', 2, started), () => {});
    expect(started).toEqual(['#a']);
    expect(link.sent).toEqual(['#a']);
    clock.advance(0);
    clock.advance(0);
    expect(link.sent).toEqual(['#a', '#a', '#a']);
    expect(started).toEqual(['#a']); // #b waits for the interval
    clock.advance(SERVE_INTERVAL_MS);
    clock.advance(0);
    expect(started).toEqual(['#a', '#b']);
    expect(link.sent).toEqual(['#a', '#a', '#a', '#b', '#b']);
    expect(server.backlog(peerLink)).toBe(0);
  });

  it('sends nothing while the link has no room, and goes on when it emits room', () => {
    const { clock, link, server, peerLink } = setup();
    link.hasRoom = false;
    server.enqueue(peerLink, answer('#a', 2, []), () => {});
    clock.advance(1_000);
    expect(link.sent).toEqual([]);
    link.hasRoom = true;
    link.emit('room');
    clock.advance(0);
    expect(link.sent).toEqual(['#a', '#a']);
  });

  it(`keeps at most ${MAX_WAITING_REQUESTS} waiting, drops the rest and warns once`, () => {
    const { link, server, peerLink } = setup();
    link.hasRoom = false; // a peer that never reads: nothing completes
    const started: string[] = [];
    let warnings = 0;
    for (let i = 0; i < 100; i++) server.enqueue(peerLink, answer(`#r${i}`, 1, started), () => warnings++);
    expect(started).toEqual(['#r0']);
    expect(server.backlog(peerLink)).toBe(MAX_WAITING_REQUESTS + 1);
    expect(warnings).toBe(1);
  });

  it('forgets everything of a link that closed', () => {
    const { clock, link, server, peerLink } = setup();
    link.hasRoom = false;
    for (let i = 0; i < 5; i++) server.enqueue(peerLink, answer(`#r${i}`, 2, []), () => {});
    link.close();
    link.hasRoom = true;
    link.emit('room');
    clock.advance(10_000);
    expect(link.sent).toEqual([]);
    expect(server.backlog(peerLink)).toBe(0);
  });
});
