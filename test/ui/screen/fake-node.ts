// A node for screen tests: no network, records what the UI asked it to do, and lets the test
// emit events as a real node would.
import type { NodeEvent, NodeEventListener, PeerInfo, TransferView } from '../../../src/core/events.js';
import type { ChatNode } from '../../../src/ui/blessed/chat-app.js';

export class FakeNode implements ChatNode {
  readonly id = 'ME';
  nick = 'alice';
  calls: string[] = [];
  peers: PeerInfo[] = [];
  private readonly listeners = new Set<NodeEventListener>();
  private seq = 0;

  subscribe(listener: NodeEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: NodeEvent | { type: string; [k: string]: unknown }): void {
    for (const l of this.listeners) l(event as NodeEvent);
  }
  snapshot() {
    return { id: this.id, nick: this.nick, peers: this.peers, rooms: ['#general'] };
  }
  sendDirect(name: string, text: string): string {
    this.calls.push(`dm ${name} ${text}`);
    return `d${++this.seq}`;
  }
  sendRoom(room: string, text: string, kind: 'text' | 'action' = 'text'): string {
    const id = `r${++this.seq}`;
    this.calls.push(`room ${room} ${text}`);
    this.emit({ type: 'sent', id, text, ts: Date.now(), queued: false, room, kind } as NodeEvent);
    return id;
  }
  join(room: string): void {
    this.calls.push(`join ${room}`);
    this.emit({ type: 'joined', room, members: [] });
  }
  part(room: string): void {
    this.calls.push(`part ${room}`);
    this.emit({ type: 'parted', room });
  }
  setNick(nick: string): void {
    this.nick = nick;
  }
  peerList(): PeerInfo[] {
    return this.peers;
  }
  transfers: TransferView[] = [];
  acceptFile(id: string, dir?: string): Promise<TransferView> {
    this.calls.push(`accept ${id}${dir ? ` ${dir}` : ''}`);
    return new Promise(() => {});
  }
  transferList(): TransferView[] {
    return this.transfers;
  }

  /** A message from a peer in a room. */
  say(nick: string, text: string, room = '#general'): void {
    this.emit({
      type: 'message',
      id: `m${++this.seq}`,
      from: { id: `id-${nick}`, nick, display: nick, verified: false },
      text,
      ts: Date.now(),
      kind: 'text',
      room,
    });
  }
}
