// One parser for every command line a person or a script types: the terminal UI and the headless
// JSON mode both go through it, so a command means the same thing everywhere.
import { nickProblem, roomKey, textProblem } from '../protocol/names.js';

export type Command =
  | { name: 'say'; target: 'current' | { room: string }; text: string; kind: 'text' | 'action' }
  | { name: 'msg'; nick: string; text: string }
  | { name: 'join'; room: string }
  | { name: 'part'; room?: string }
  | { name: 'nick'; nick: string }
  | { name: 'peers' }
  | { name: 'help'; topic?: string }
  | { name: 'quit' }
  | { name: 'presence'; presence: 'online' | 'away' | 'busy'; status: string }
  | { name: 'verify'; nick: string; number?: string }
  | { name: 'forget'; nick: string }
  | { name: 'connect'; target: string }
  | { name: 'block'; nick: string; blocked: boolean }
  | { name: 'whoami' }
  | { name: 'history'; limit: number; target?: string }
  | { name: 'search'; text: string }
  | { name: 'send-file'; nick: string; path: string }
  | { name: 'accept'; id: string; dir?: string }
  | { name: 'reject'; id: string }
  | { name: 'cancel'; id: string }
  | { name: 'transfers' }
  | { name: 'outbox' };

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
  away: { usage: '/away [TEXT]', summary: 'set yourself away, with an optional status text' },
  busy: { usage: '/busy [TEXT]', summary: 'set yourself busy (do not disturb)' },
  back: { usage: '/back', summary: 'set yourself online again' },
  verify: {
    usage: '/verify NICK [NUMBER]',
    summary:
      'show the safety number with NICK; with NUMBER (read out by NICK), mark NICK verified if it matches',
  },
  forget: {
    usage: '/forget NICK',
    summary: "drop NICK's pinned key (a new key may then claim the nick) and its remembered addresses",
  },
  connect: {
    usage: '/connect CODE',
    summary: 'connect to a peer on another subnet: an invite code (lanchat invite) or KEY@IP[:PORT]',
  },
  block: { usage: '/block NICK', summary: 'refuse all contact with NICK' },
  unblock: { usage: '/unblock NICK', summary: 'undo /block' },
  whoami: { usage: '/whoami', summary: 'your id, fingerprint and network tag' },
  history: {
    usage: '/history [N] [#ROOM|NICK]',
    summary: 'replay the last N messages (default 50) of a conversation',
  },
  search: { usage: '/search TEXT', summary: 'search every stored message (Chinese and Japanese words too)' },
  send: {
    usage: '/send NICK PATH',
    summary: 'offer a file to NICK (resumes after a drop; checked by SHA-256)',
  },
  accept: {
    usage: '/accept ID [DIR]',
    summary: 'accept an offered file, into DIR or the download directory',
  },
  reject: { usage: '/reject ID', summary: 'refuse an offered file' },
  cancel: { usage: '/cancel ID', summary: 'stop a file transfer (either side); the partial file is deleted' },
  transfers: { usage: '/transfers', summary: 'list file transfers with their state and progress' },
  outbox: {
    usage: '/outbox',
    summary:
      'DMs not yet delivered, and where each is: queued here, deposited with peers, delivered, expired',
  },
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

/** The argument when `rest` is exactly one word; undefined when it is empty or has more. */
function soleWord(rest: string): string | undefined {
  const [word, extra] = firstWord(rest);
  return word && !extra ? word : undefined;
}

/** A path as typed, trimmed, with one pair of surrounding quotes dropped (paths may hold spaces). */
function unquote(path: string): string {
  return path.trim().replace(/^(["'])(.*)\1$/, '$2');
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
      const key = roomKey(room);
      if (!key.ok) return usage('say', key.problem);
      return textResult(text, (t) => ({ name: 'say', target: { room: key.room }, text: t, kind: 'text' }));
    }
    case 'me': {
      if (!rest.trim()) return usage('me');
      return textResult(rest, (t) => ({ name: 'say', target: 'current', text: t, kind: 'action' }));
    }
    case 'join': {
      const room = soleWord(rest);
      if (!room) return usage('join');
      const key = roomKey(room);
      return key.ok ? { ok: true, command: { name: 'join', room: key.room } } : usage('join', key.problem);
    }
    case 'part':
    case 'leave': {
      const [room, extra] = firstWord(rest);
      if (extra) return usage('part');
      if (!room) return { ok: true, command: { name: 'part' } };
      const key = roomKey(room);
      return key.ok ? { ok: true, command: { name: 'part', room: key.room } } : usage('part', key.problem);
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
    case 'away':
    case 'busy':
      return { ok: true, command: { name: 'presence', presence: name, status: rest.trim().slice(0, 200) } };
    case 'back':
      return { ok: true, command: { name: 'presence', presence: 'online', status: '' } };
    case 'verify': {
      const [nick, number] = firstWord(rest);
      if (!nick) return usage('verify');
      const digits = number.replace(/\s+/g, '');
      if (digits && !/^\d{60}$/.test(digits)) return usage('verify', 'a safety number has 60 digits');
      return {
        ok: true,
        command: digits ? { name: 'verify', nick, number: digits } : { name: 'verify', nick },
      };
    }
    case 'forget':
    case 'block':
    case 'unblock': {
      const nick = soleWord(rest);
      if (!nick) return usage(name);
      if (name === 'forget') return { ok: true, command: { name: 'forget', nick } };
      return { ok: true, command: { name: 'block', nick, blocked: name === 'block' } };
    }
    case 'whoami':
      return { ok: true, command: { name: 'whoami' } };
    case 'connect': {
      const target = soleWord(rest);
      if (!target) return usage('connect');
      return { ok: true, command: { name: 'connect', target } };
    }
    case 'history': {
      const words = rest.trim().split(/\s+/).filter(Boolean);
      if (words.length > 2) return usage('history');
      let limit = 50;
      let target: string | undefined;
      for (const word of words) {
        if (/^\d+$/.test(word)) limit = Math.min(10_000, Math.max(1, Number(word)));
        else if (target === undefined) target = word;
        else return usage('history');
      }
      return {
        ok: true,
        command: target === undefined ? { name: 'history', limit } : { name: 'history', limit, target },
      };
    }
    case 'search': {
      const text = rest.trim();
      if (!text) return usage('search');
      return { ok: true, command: { name: 'search', text } };
    }
    case 'send': {
      // The path is the rest of the line as typed (spaces included).
      const [nick, typed] = firstWord(rest);
      const path = unquote(typed);
      if (!nick || !path) return usage('send');
      return { ok: true, command: { name: 'send-file', nick, path } };
    }
    case 'accept': {
      const [id, typed] = firstWord(rest);
      const dir = unquote(typed);
      if (!id) return usage('accept');
      return { ok: true, command: dir ? { name: 'accept', id, dir } : { name: 'accept', id } };
    }
    case 'reject':
    case 'cancel': {
      const id = soleWord(rest);
      if (!id) return usage(name);
      return { ok: true, command: { name, id } };
    }
    case 'transfers':
      return { ok: true, command: { name: 'transfers' } };
    case 'outbox':
      return { ok: true, command: { name: 'outbox' } };
    default:
      return {
        ok: false,
        error: `unknown command /${word}; /help lists the commands, // sends a line starting with /`,
      };
  }
}
