// Desktop notifications from a terminal: the bell, OSC 9 (iTerm2, Windows Terminal, kitty, foot)
// and OSC 777 (rxvt, VTE terminals). Inside tmux they are wrapped in a DCS passthrough, or tmux
// swallows them. Text is sanitized and shortened: it is a peer's message, and ";" or BEL in it
// would end the sequence early.
import { ellipsize } from './display-width.js';
import { sanitize } from './sanitize.js';

const BODY_WIDTH = 120;

function clean(text: string): string {
  return ellipsize(sanitize(text).replace(/;/g, ','), BODY_WIDTH);
}

/** Wraps a sequence for tmux passthrough: ESC P tmux; <seq with ESC doubled> ESC \ */
export function tmuxPassthrough(sequence: string): string {
  return `\x1bPtmux;${sequence.replace(/\x1b/g, '\x1b\x1b')}\x1b\\`;
}

export function notificationSequence(title: string, body: string, inTmux: boolean): string {
  const t = clean(title);
  const b = clean(body);
  const osc9 = `\x1b]9;${t}: ${b}\x07`;
  const osc777 = `\x1b]777;notify;${t};${b}\x07`;
  const wrap = (s: string) => (inTmux ? tmuxPassthrough(s) : s);
  // The bell goes outside the passthrough so tmux itself flags the window as well.
  return `\x07${wrap(osc9)}${wrap(osc777)}`;
}
