// `lanchat --headless [--json]`: the node without a screen, for scripts, bots and tests. stdin
// takes one command per line (the same commands as the terminal UI, through the same parser);
// stdout carries one JSON object per line with --json, and nothing else.

import { createInterface } from 'node:readline';
import { COMMANDS, parseCommand } from '../commands/command-parser.js';
import type { NodeEvent } from '../core/events.js';
import type { LanchatNode } from '../core/node.js';
import { errorCode } from './errors.js';
import { runFileCommand } from './headless-files.js';

export type HeadlessLine = NodeEvent | { type: string; [key: string]: unknown };

export interface HeadlessIo {
  stdin: NodeJS.ReadableStream;
  write(line: HeadlessLine): void;
}

/** Runs commands from stdin until /quit (end of stdin does not stop the node). */
export function runCommands(node: LanchatNode, io: HeadlessIo, onQuit: () => void): void {
  const rl = createInterface({ input: io.stdin, terminal: false, crlfDelay: Number.POSITIVE_INFINITY });
  // The lines of one read (a script piping many messages) run as one batch: one commit for all
  // of them instead of one per message. A line with a mistake in it (unknown nick, bad room) fails
  // on its own; a failure of the database fails the whole batch, which is then reported.
  let pending: string[] = [];
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    pending.push(line);
    if (pending.length > 1) return;
    queueMicrotask(() => {
      const lines = pending;
      pending = [];
      node.activity();
      try {
        node.batch(() => {
          for (const next of lines) runOne(node, next, io, onQuit);
        });
      } catch (err) {
        // The batch could not be committed (disk full, I/O error, or one of its messages failed
        // half-way): it rolled back, so none of its messages was stored, announced or sent.
        io.write({
          type: 'error',
          code: errorCode(err, 'store-failed'),
          message: `the last ${lines.length === 1 ? 'command was' : `${lines.length} commands were`} not saved, nothing of them was sent: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    });
  });
}

function runOne(node: LanchatNode, line: string, io: HeadlessIo, onQuit: () => void): void {
  try {
    execute(node, line, io, onQuit);
  } catch (err) {
    const code = errorCode(err, 'failed');
    io.write({ type: 'error', code, message: err instanceof Error ? err.message : String(err) });
  }
}

function execute(node: LanchatNode, line: string, io: HeadlessIo, onQuit: () => void): void {
  const parsed = parseCommand(line);
  if (!parsed.ok) {
    io.write({ type: 'error', code: 'bad-command', message: parsed.error });
    return;
  }
  const command = parsed.command;
  switch (command.name) {
    case 'say':
      // Headless has no "current buffer": plain text goes to #general.
      node.sendRoom(
        command.target === 'current' ? '#general' : command.target.room,
        command.text,
        command.kind,
      );
      return;
    case 'msg':
      node.sendDirect(command.nick, command.text);
      return;
    case 'join':
      node.join(command.room);
      return;
    case 'part':
      node.part(command.room ?? '#general');
      return;
    case 'nick':
      node.setNick(command.nick);
      io.write({ type: 'nick_changed', nick: command.nick });
      return;
    case 'peers':
      io.write({ type: 'peers', peers: node.peerList(), remembered: node.rememberedPeers() });
      return;
    case 'outbox':
      io.write({ type: 'outbox', messages: node.outbox() });
      return;
    case 'help':
      io.write({
        type: 'help',
        commands: Object.values(COMMANDS).map((c) => ({ usage: c.usage, summary: c.summary })),
      });
      return;
    case 'quit':
      onQuit();
      return;
    case 'presence':
      node.setPresence(command.presence, command.status);
      return;
    case 'verify': {
      const result = node.verify(command.nick, command.number);
      io.write({ type: 'verify', ...result });
      return;
    }
    case 'forget':
      io.write({ type: 'forgotten', peer: node.forget(command.nick) });
      return;
    case 'block':
      io.write({
        type: command.blocked ? 'blocked' : 'unblocked',
        peer: node.block(command.nick, command.blocked),
      });
      return;
    case 'whoami':
      io.write({ type: 'whoami', ...node.whoami() });
      return;
    case 'connect':
      io.write({ type: 'connecting', ...node.connectPeer(command.target) });
      return;
    case 'history': {
      const target = command.target ?? '#general';
      io.write({ type: 'history', conversation: target, messages: node.history(target, command.limit) });
      return;
    }
    case 'search': {
      const results = node.search(command.text);
      for (const message of results) io.write({ type: 'search_result', query: command.text, message });
      io.write({ type: 'search_done', query: command.text, count: results.length });
      return;
    }
    case 'send-file':
    case 'accept':
    case 'reject':
    case 'cancel':
    case 'transfers':
      runFileCommand(node, command, io);
      return;
  }
}
