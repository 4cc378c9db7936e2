// One parser for every command line a person or a script types: the terminal UI and the headless
// JSON mode both go through it, so a command means the same thing everywhere.
import { nickProblem, roomProblem, textProblem } from '../../protocol/names.js';

export type Command =
  | { name: 'say'; target: 'current' | { room: string }; text: string; kind: 'text' | 'action' }
  | { name: 'msg'; nick: string; text: string }
  | { name: 'join'; room: string }
  | { name: 'part'; room?: string }
  | { name: 'nick'; nick: string }
  | { name: 'peers' }
  | { name: 'help'; topic?: string }
  | { name: 'quit' };

export interface CommandSpec {
  usage: string;
  summary: string;
}

export const COMMANDS: Record<string, CommandSpec> = {
  msg: { usage: '/msg NICK TEXT', summary: 'send a direct message (queued when NICK is offline)' },
  say: { usage: '/say #ROOM TEXT', summary: 'send TEXT to a room' },
  me: { usage: '/me TEXT', summary: 'send an action ("* alice waves")' },
  join: { usage: '/join #ROOM', summary: 'join a room (created when nobody is in it yet)' },
  part: { usage: '/part [#ROOM]', summary: 'leave a room (#general cannot be left)' },
  nick: { usage: '/nick NAME', summary: 'change your nick' },
  peers: { usage: '/peers', summary: 'list known peers and whether they are online' },
  help: { usage: '/help [COMMAND]', summary: 'list commands, or explain one' },
  quit: { usage: '/quit', summary: 'say goodbye to everybody and exit' },
};

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string };

function usage(name: string, problem?: string): ParseResult {
  const spec = COMMANDS[name];
  const prefix = problem ? `${problem}; usage: ` : 'usage: ';
  return { ok: false, error: `${prefix}${spec?.usage ?? `/${name}`}` };
}

/** Splits off the first word; the rest keeps its inner spacing (messages are sent as typed). */
function firstWord(rest: string): [string, string] {
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(rest.trimStart());
  return match ? [match[1] ?? '', match[2] ?? ''] : ['', ''];
}

function textResult(text: string, make: (text: string) => Command): ParseResult {
  const problem = textProblem(text);
  return problem ? { ok: false, error: problem } : { ok: true, command: make(text) };
}

export function parseCommand(line: string): ParseResult {
  const input = line.replace(/\r?\n$/, '');
  if (!input.startsWith('/') || input.startsWith('//')) {
    const text = input.startsWith('//') ? input.slice(1) : input;
    if (text.trim().length === 0) return { ok: false, error: 'nothing to send' };
    return textResult(text, (t) => ({ name: 'say', target: 'current', text: t, kind: 'text' }));
  }
  const [word, rest] = firstWord(input.slice(1));
  const name = word.toLowerCase();
  switch (name) {
    case 'msg':
    case 'query': {
      const [nick, text] = firstWord(rest);
      if (!nick || !text.trim()) return usage('msg');
      return textResult(text, (t) => ({ name: 'msg', nick, text: t }));
    }
    case 'say': {
      const [room, text] = firstWord(rest);
      if (!room || !text.trim()) return usage('say');
      const problem = roomProblem(room);
      if (problem) return usage('say', problem);
      return textResult(text, (t) => ({ name: 'say', target: { room }, text: t, kind: 'text' }));
    }
    case 'me': {
      if (!rest.trim()) return usage('me');
      return textResult(rest, (t) => ({ name: 'say', target: 'current', text: t, kind: 'action' }));
    }
    case 'join': {
      const [room, extra] = firstWord(rest);
      if (!room || extra) return usage('join');
      const problem = roomProblem(room);
      return problem ? usage('join', problem) : { ok: true, command: { name: 'join', room } };
    }
    case 'part':
    case 'leave': {
      const [room, extra] = firstWord(rest);
      if (extra) return usage('part');
      if (!room) return { ok: true, command: { name: 'part' } };
      const problem = roomProblem(room);
      return problem ? usage('part', problem) : { ok: true, command: { name: 'part', room } };
    }
    case 'nick': {
      const nick = rest.trim();
      if (!nick) return usage('nick');
      const problem = nickProblem(nick);
      return problem ? usage('nick', problem) : { ok: true, command: { name: 'nick', nick } };
    }
    case 'peers':
    case 'who':
      return { ok: true, command: { name: 'peers' } };
    case 'help': {
      const topic = rest.trim().replace(/^\//, '');
      return { ok: true, command: topic ? { name: 'help', topic } : { name: 'help' } };
    }
    case 'quit':
    case 'exit':
      return { ok: true, command: { name: 'quit' } };
    default:
      return {
        ok: false,
        error: `unknown command /${word}; /help lists the commands, // sends a line starting with /`,
      };
  }
}
