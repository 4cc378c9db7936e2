// Runs what the user typed: UI commands change the view, the rest goes to the node. Every failure
// (bad usage, unknown nick, not in that room) becomes an inline error line in the current buffer.
import type { PeerInfo } from '../../core/events.js';
import type { ChatModel } from './chat-model.js';
import type { Command } from './command-parser.js';
import { sanitize, sanitizeName } from './sanitize.js';
import { parseUiLine, type UiCommand } from './ui-commands.js';

/** What the UI needs of the node (LanchatNode fits; tests pass a fake). */
export interface ChatPort {
  readonly nick: string;
  sendDirect(name: string, text: string, kind?: 'text' | 'action'): string;
  sendRoom(room: string, text: string, kind?: 'text' | 'action'): string;
  join(room: string): void;
  part(room: string): void;
  setNick(nick: string): void;
  peerList(): PeerInfo[];
}

export interface ScreenActions {
  quit(): void;
  help(topic?: string): void;
}

export function runLine(model: ChatModel, node: ChatPort, line: string, screen: ScreenActions): void {
  const parsed = parseUiLine(line);
  if (!parsed.ok) {
    model.inline(parsed.error, 'error');
    return;
  }
  try {
    if ('ui' in parsed) runUi(model, node, parsed.ui);
    else runShared(model, node, parsed.command, screen);
  } catch (err) {
    model.inline(err instanceof Error ? err.message : String(err), 'error');
  }
}

function runShared(model: ChatModel, node: ChatPort, command: Command, screen: ScreenActions): void {
  const current = model.buffers.current;
  switch (command.name) {
    case 'say': {
      if (command.target !== 'current') {
        node.sendRoom(command.target.room, command.text, command.kind);
        return;
      }
      if (current.kind === 'room') node.sendRoom(current.key, command.text, command.kind);
      else if (current.kind === 'dm') node.sendDirect(current.target, command.text, command.kind);
      else model.inline('this is the status buffer: go to a room (Alt+2) or use /msg NICK TEXT', 'error');
      return;
    }
    case 'msg':
      node.sendDirect(command.nick, command.text);
      return;
    case 'join': {
      node.join(command.room);
      model.buffers.select(model.room(command.room).key);
      model.touch();
      return;
    }
    case 'part': {
      const room = command.room ?? (current.kind === 'room' ? current.key : undefined);
      if (!room) {
        model.inline('usage: /part #ROOM (this buffer is not a room)', 'error');
        return;
      }
      node.part(room);
      return;
    }
    case 'nick':
      node.setNick(command.nick);
      model.myNick = command.nick;
      model.inline(`you are now known as ${command.nick}`);
      return;
    case 'peers': {
      const peers = node.peerList();
      if (peers.length === 0) {
        model.inline('no peers known yet');
        return;
      }
      for (const p of peers) model.inline(describe(p));
      return;
    }
    case 'help':
      screen.help(command.topic);
      return;
    case 'quit':
      screen.quit();
      return;
    default:
      // A command the shared parser learned before this UI did.
      model.inline(`/${(command as { name: string }).name} is not available in the terminal UI yet`, 'error');
  }
}

function runUi(model: ChatModel, node: ChatPort, command: UiCommand): void {
  const current = model.buffers.current;
  switch (command.name) {
    case 'clear':
      current.clear();
      model.touch();
      return;
    case 'close':
      if (current.kind === 'room') {
        node.part(current.key);
        return;
      }
      if (current.kind === 'dm') model.buffers.remove(current.key);
      else model.inline('the status buffer cannot be closed', 'error');
      model.touch();
      return;
    case 'window':
      if (!model.buffers.selectIndex(command.index)) {
        model.inline(`there is no buffer ${command.index}`, 'error');
      }
      model.touch();
      return;
    case 'whois': {
      const peer = findPeer(node, command.nick);
      model.inline(peer ? describe(peer) : `nobody called ${command.nick} is known; /peers lists who is`);
      return;
    }
    case 'query': {
      const peer = findPeer(node, command.nick);
      if (!peer) {
        model.inline(`nobody called ${command.nick} is known; /peers lists who is`, 'error');
        return;
      }
      model.buffers.select(model.dm(peer.id, peer.nick).key);
      model.touch();
      return;
    }
  }
}

function findPeer(node: ChatPort, name: string): PeerInfo | undefined {
  const lower = name.toLowerCase();
  const peers = node.peerList();
  return peers.find((p) => p.id === name) ?? peers.find((p) => p.nick.toLowerCase() === lower);
}

function describe(p: PeerInfo): string {
  const extra = p as { presence?: string; status?: string };
  const state = p.online
    ? extra.presence && extra.presence !== 'online'
      ? extra.presence
      : 'online'
    : 'offline';
  const status = extra.status ? ` "${sanitize(extra.status)}"` : '';
  return `${sanitizeName(p.nick)}: ${state}${status}, ${sanitize(p.address) || 'no address'}, id ${p.id}`;
}
