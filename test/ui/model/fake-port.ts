// A stand-in for the node: records commands and can be told to fail like the real one.
import type { PeerInfo } from '../../../src/core/events.js';
import type { ChatPort } from '../../../src/ui/model/command-runner.js';

export class FakePort implements ChatPort {
  nick = 'me';
  calls: string[] = [];
  peers: PeerInfo[] = [];

  sendDirect(name: string, text: string, kind = 'text'): string {
    if (!this.peers.some((p) => p.nick === name || p.id === name))
      throw new Error(`nobody called ${name} is known`);
    this.calls.push(`dm ${name} ${kind} ${text}`);
    return 'id';
  }
  sendRoom(room: string, text: string, kind = 'text'): string {
    this.calls.push(`room ${room} ${kind} ${text}`);
    return 'id';
  }
  join(room: string): void {
    this.calls.push(`join ${room}`);
  }
  part(room: string): void {
    this.calls.push(`part ${room}`);
  }
  setNick(nick: string): void {
    this.nick = nick;
    this.calls.push(`nick ${nick}`);
  }
  peerList(): PeerInfo[] {
    return this.peers;
  }
}

export function peer(id: string, nick: string, online = true): PeerInfo {
  return {
    id,
    nick,
    display: nick,
    verified: false,
    address: '10.0.0.2',
    online,
    connected: online,
    presence: 'online',
    status: '',
    blocked: false,
  } as PeerInfo;
}
