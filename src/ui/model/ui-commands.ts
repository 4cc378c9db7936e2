// Commands that only make sense with a screen (buffers, windows). They are parsed here first; all
// other lines go to the shared parser, so every headless command means the same in the UI.
import { COMMANDS, type Command, type CommandSpec, parseCommand } from '../../commands/command-parser.js';

export type UiCommand =
  | { name: 'clear' }
  | { name: 'close' }
  | { name: 'window'; index: number }
  | { name: 'whois'; nick: string }
  | { name: 'query'; nick: string };

export const UI_COMMANDS: Record<string, CommandSpec> = {
  query: { usage: '/query NICK', summary: 'open a conversation with NICK (with TEXT: same as /msg)' },
  whois: { usage: '/whois NICK', summary: "show a peer's id, address and status" },
  window: { usage: '/window N', summary: 'go to buffer N (also Alt+1..9)' },
  clear: { usage: '/clear', summary: 'clear the current buffer (history stays in the store)' },
  close: { usage: '/close', summary: 'close the current conversation, or leave the current room' },
};

/** Aliases the shared parser accepts, for completion. */
const ALIASES = ['query', 'leave', 'who', 'exit', 'buffer'];

export function allCommandNames(): string[] {
  return [...new Set([...Object.keys(COMMANDS), ...Object.keys(UI_COMMANDS), ...ALIASES])];
}

export type UiParseResult =
  | { ok: true; command: Command }
  | { ok: true; ui: UiCommand }
  | { ok: false; error: string };

const usage = (name: string): UiParseResult => ({ ok: false, error: `usage: ${UI_COMMANDS[name]?.usage}` });

export function parseUiLine(line: string): UiParseResult {
  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(line);
  const name = match?.[1]?.toLowerCase();
  const rest = (match?.[2] ?? '').trim();
  switch (name) {
    case 'clear':
    case 'close':
      return rest ? usage(name) : { ok: true, ui: { name } };
    case 'window':
    case 'buffer': {
      const index = Number(rest);
      return /^[1-9][0-9]*$/.test(rest) ? { ok: true, ui: { name: 'window', index } } : usage('window');
    }
    case 'whois': {
      if (!rest || /\s/.test(rest)) return usage('whois');
      return { ok: true, ui: { name: 'whois', nick: rest } };
    }
    case 'query': {
      // With text, /query is /msg (the shared parser's alias); alone it opens the conversation.
      // NICK may be a nick, nick#suffix or an id: the lookup decides, as /msg's does.
      if (rest && !/\s/.test(rest)) return { ok: true, ui: { name: 'query', nick: rest } };
      if (!rest) return usage('query');
      break;
    }
  }
  return parseCommand(line);
}
