// Runs what the user typed: UI commands change the view, the rest goes to the node. Every failure
// (bad usage, unknown nick, not in that room) becomes an inline error line in the current buffer.

import type { Command } from '../../commands/command-parser.js';
import type { MessageView, OutboxView, PeerInfo, PeerRef, TransferView } from '../../core/events.js';
import { sameNick } from '../../identity/nick-skeleton.js';
import type { ChatModel } from './chat-model.js';
import { sanitize, sanitizeName } from './sanitize.js';
import { describeTransfer, type TransferState } from './transfers.js';
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
  // Trust, presence, history and search (issue 5); optional so that simple fakes stay simple.
  setPresence?(presence: 'online' | 'away' | 'busy', status?: string): void;
  verify?(name: string, number?: string): { peer: PeerRef; safetyNumber: string; matched?: boolean };
  forget?(name: string): PeerRef;
  connectPeer?(target: string): { id: string; addresses: string[]; port: number };
  block?(name: string, blocked?: boolean): PeerRef;
  whoami?(): { id: string; nick: string; fingerprint: string; networkTag: string; port: number };
  history?(conversation: string, limit?: number): MessageView[];
  search?(text: string, limit?: number): MessageView[];
  // File transfer (issue 7). Outcomes arrive as file_* events; a rejected promise is a failure
  // to start (unknown nick, no such file, no space), shown inline.
  sendFile?(name: string, path: string): Promise<TransferView>;
  acceptFile?(id: string, dir?: string): Promise<TransferView>;
  rejectFile?(id: string): TransferView;
  cancelFile?(id: string): Promise<TransferView>;
  transferList?(): TransferView[];
  /** Sealed drops (issue 18): where each undelivered DM is. */
  outbox?(): OutboxView[];
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
    // The node's errors may quote a peer's nick or file name.
    model.inline(sanitize(err instanceof Error ? err.message : String(err)), 'error');
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
    case 'presence':
      need(node.setPresence, 'presence').call(node, command.presence, command.status);
      model.inline(
        command.presence === 'online'
          ? 'you are back'
          : `you are ${command.presence}${command.status ? `: ${sanitize(command.status)}` : ''}`,
      );
      return;
    case 'verify': {
      const result = need(node.verify, 'verify').call(node, command.nick, command.number);
      const who = sanitizeName(result.peer.display);
      model.inline(`safety number with ${who}: ${result.safetyNumber}`);
      if (result.matched === true) model.inline(`${who} is now verified ✔`);
      else if (result.matched === false) {
        model.inline(`that number does NOT match: ${who} is not verified; compare again, in person`, 'error');
      } else model.inline(`compare it with ${who} in person or on the phone, then /verify ${who} NUMBER`);
      return;
    }
    case 'forget': {
      const peer = need(node.forget, 'forget').call(node, command.nick);
      model.inline(
        `forgot the key and addresses of ${sanitizeName(peer.display)}; a new key may now use that nick`,
      );
      return;
    }
    case 'connect': {
      const result = need(node.connectPeer, 'connect').call(node, command.target);
      model.inline(`connecting to ${result.id} at ${result.addresses.join(', ')} port ${result.port}…`);
      return;
    }
    case 'block': {
      const peer = need(node.block, 'block').call(node, command.nick, command.blocked);
      model.inline(`${sanitizeName(peer.display)} is ${command.blocked ? 'blocked' : 'no longer blocked'}`);
      return;
    }
    case 'whoami': {
      const me = need(node.whoami, 'whoami').call(node);
      model.inline(`you are ${sanitizeName(me.nick)}, id ${me.id}`);
      model.inline(`fingerprint ${me.fingerprint}, network tag ${me.networkTag}, port ${me.port}`);
      return;
    }
    case 'history': {
      const target =
        command.target ??
        (current.kind === 'dm' ? current.target : current.kind === 'room' ? current.key : '#general');
      const messages = need(node.history, 'history').call(node, target, command.limit);
      if (messages.length === 0) model.inline('no messages yet');
      for (const m of messages)
        model.inline(`${shortTime(m.ts)} ${sanitizeName(m.from.display)}: ${sanitize(m.text)}`);
      return;
    }
    case 'search': {
      const results = need(node.search, 'search').call(node, command.text);
      model.inline(
        `${results.length} result${results.length === 1 ? '' : 's'} for "${sanitize(command.text)}"`,
      );
      for (const m of results) {
        const where = m.room ?? `dm ${sanitizeName(m.to?.display ?? '')}`;
        model.inline(`${shortTime(m.ts)} ${where} ${sanitizeName(m.from.display)}: ${sanitize(m.text)}`);
      }
      return;
    }
    case 'send-file': {
      const started = need(node.sendFile, 'send').call(node, command.nick, command.path);
      model.inline(`hashing ${sanitize(command.path)} before offering it to ${sanitizeName(command.nick)}…`);
      later(model, started);
      return;
    }
    case 'accept': {
      const id = transferId(model, node, command.id, (t) => t.direction === 'in' && t.state === 'offered');
      later(model, need(node.acceptFile, 'accept').call(node, id, command.dir));
      return;
    }
    case 'reject': {
      const id = transferId(model, node, command.id, (t) => t.direction === 'in' && t.state === 'offered');
      need(node.rejectFile, 'reject').call(node, id);
      return;
    }
    case 'cancel': {
      const id = transferId(model, node, command.id, (t) => t.state === 'offered' || t.state === 'accepted');
      later(model, need(node.cancelFile, 'cancel').call(node, id));
      return;
    }
    case 'transfers': {
      refreshTransfers(model, node);
      const all = model.transfers.list();
      if (all.length === 0) {
        model.inline('no file transfers yet; /send NICK PATH offers one');
        return;
      }
      model.inline(`${all.length} file transfer${all.length === 1 ? '' : 's'}:`);
      for (const t of all) model.inline(describeTransfer(t));
      return;
    }
    case 'outbox': {
      const entries = need(node.outbox, 'outbox').call(node);
      if (entries.length === 0) {
        model.inline('the outbox is empty: every DM you sent was delivered directly');
        return;
      }
      for (const entry of entries) model.inline(describeOutbox(entry));
      return;
    }
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
      const peers = findPeers(node, command.nick);
      if (peers.length === 0) model.inline(`nobody called ${command.nick} is known; /peers lists who is`);
      for (const peer of peers) model.inline(describe(peer));
      return;
    }
    case 'query': {
      const peers = findPeers(node, command.nick);
      const peer = peers[0];
      if (!peer || peers.length > 1) {
        const forms = peers.map((p) => sanitizeName(p.display)).join(', ');
        model.inline(
          peer
            ? `${command.nick} is claimed by ${peers.length} identities (${forms}); use one of those names`
            : `nobody called ${command.nick} is known; /peers lists who is`,
          'error',
        );
        return;
      }
      model.buffers.select(model.dm(peer.id, peer.nick).key);
      model.touch();
      return;
    }
  }
}

/** Who a typed name means, as core resolves it: an id, an exact display form (`nick#suffix`), or
 * every named peer whose nick looks the same (confusable skeleton). Never a peer only heard of in
 * mDNS (it has no nick). */
function findPeers(node: ChatPort, name: string): PeerInfo[] {
  const peers = node.peerList();
  const exact = peers.find((p) => p.id === name) ?? peers.find((p) => p.display === name);
  if (exact) return [exact];
  return peers.filter((p) => p.nick !== '' && sameNick(p.nick, name));
}

function describe(p: PeerInfo): string {
  const state = !p.online ? 'offline' : p.connected ? p.presence : 'reconnecting';
  const status = p.status ? ` "${sanitize(p.status)}"` : '';
  const name = p.nick === '' ? `${sanitizeName(p.display)} (unnamed)` : sanitizeName(p.display);
  const trust = p.verified ? 'verified' : 'not verified';
  const claim =
    p.advertisedNick === undefined ? '' : `, mDNS claims "${sanitizeName(p.advertisedNick)}" (unverified)`;
  const warning = p.warning === undefined ? '' : `, ⚠ ${sanitizeName(p.warning)}`;
  return `${name}: ${state}${status}, ${trust}${warning}${claim}, ${sanitize(p.address) || 'no address'}, id ${p.id}`;
}

/** Brings the model's transfer table up to date with the node's list (states, paths, errors). */
function refreshTransfers(model: ChatModel, node: ChatPort): void {
  for (const view of node.transferList?.() ?? []) model.transfers.seed(view);
}

/** The full transfer id for the short one the user typed (the lines show 8 characters). */
function transferId(
  model: ChatModel,
  node: ChatPort,
  typed: string,
  fits: (t: TransferState) => boolean,
): string {
  if (model.transfers.get(typed)) return typed;
  refreshTransfers(model, node);
  return model.transfers.resolve(typed, fits);
}

/** A command whose outcome comes later: success shows as file events, failure as an inline line. */
function later(model: ChatModel, outcome: Promise<unknown>): void {
  outcome.catch((err: unknown) => {
    model.inline(sanitize(err instanceof Error ? err.message : String(err)), 'error');
    model.wake?.();
  });
}

function need<T>(method: T | undefined, name: string): T {
  if (method === undefined) throw new Error(`/${name} is not available in this version`);
  return method;
}

function shortTime(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** One /outbox line: to whom, where the DM is, and the start of its text. */
function describeOutbox(entry: OutboxView): string {
  const where =
    entry.state === 'queued'
      ? 'queued here'
      : entry.state === 'deposited'
        ? `queued here, deposited with ${entry.holders} peer${entry.holders === 1 ? '' : 's'}`
        : entry.state === 'expired'
          ? 'queued here; its drops expired'
          : `${entry.state} ${entry.via === 'relay' ? 'via relay' : 'directly'}`;
  const text = sanitize(entry.text).slice(0, 40);
  return `→ ${sanitizeName(entry.to.display)}: ${where} — "${text}${entry.text.length > 40 ? '…' : ''}"`;
}
