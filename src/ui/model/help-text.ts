// The help screen (F1 or /help): every command of both parsers and every key.
import { COMMANDS } from '../../commands/command-parser.js';
import { UI_COMMANDS } from './ui-commands.js';

export const KEY_HELP: ReadonlyArray<readonly [string, string]> = [
  ['Alt+1..9', 'go to buffer 1..9'],
  ['Ctrl+N / Ctrl+P', 'next / previous buffer'],
  ['Alt+A', 'go to the buffer with the most important activity'],
  ['PgUp / PgDn', 'scroll (new lines then show a "more" counter)'],
  ['End', 'back to live output (when the input line is empty)'],
  ['Tab', 'complete nicks, #rooms and /commands (again: next match)'],
  ['←/→, Ctrl+←/→', 'move by character / word (also Alt+B / Alt+F)'],
  ['Home/End, Ctrl+A/E', 'start / end of the input line'],
  ['Ctrl+W / U / K / Y', 'delete word / to start / to end; paste it back'],
  ['↑ / ↓', 'input history'],
  ['Ctrl+L', 'redraw the screen'],
  ['Alt+L', 'copy mode: chat text only, no borders, for selecting text'],
  ['F1', 'this help (Esc or q closes it)'],
  ['Ctrl+C', 'quit (goodbyes are sent)'],
];

export function helpLines(topic?: string): string[] {
  const all = { ...COMMANDS, ...UI_COMMANDS };
  if (topic) {
    const spec = all[topic.toLowerCase()];
    return spec ? [`${spec.usage}  —  ${spec.summary}`] : [`no command /${topic}; /help lists them`];
  }
  const width = Math.max(...Object.values(all).map((c) => c.usage.length));
  const keyWidth = Math.max(...KEY_HELP.map(([k]) => k.length));
  return [
    'Commands',
    ...Object.values(all).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '  //TEXT sends TEXT starting with a slash',
    '',
    'Keys',
    ...KEY_HELP.map(([k, d]) => `  ${k.padEnd(keyWidth)}  ${d}`),
  ];
}
