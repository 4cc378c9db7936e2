// `--network-prompt` (or `--network -`): the network code or passphrase typed on the terminal,
// without echo, so it is in neither argv, the environment, the shell history nor the scrollback.
import { UsageError } from './errors.js';

export interface PromptTerminal {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  stderr(text: string): void;
}

const processTerminal: PromptTerminal = {
  stdin: process.stdin,
  stderr: (text) => process.stderr.write(text),
};

/** A typed line is a key, not an essay; this bounds what a stuck key can pile up. */
const MAX_TYPED = 1024;

export function promptNetworkSecret(terminal: PromptTerminal = processTerminal): Promise<string> {
  const { stdin } = terminal;
  if (!stdin.isTTY || !stdin.setRawMode) {
    return Promise.reject(
      new UsageError('--network-prompt needs a terminal on stdin; use LANCHAT_NETWORK or --network-file'),
    );
  }
  terminal.stderr('Network code or passphrase (not shown): ');
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      stdin.off('data', onData);
      stdin.off('end', onGone);
      stdin.off('close', onGone);
      stdin.off('error', onError);
      stdin.setRawMode?.(false);
      stdin.pause();
      terminal.stderr('\n');
      if (error) reject(error);
      else if (typed === '') reject(new UsageError('--network-prompt: nothing was typed'));
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new UsageError('--network-prompt: cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else if (ch === '\u0015')
          typed = ''; // Ctrl-U: start over
        else if (ch >= ' ' && typed.length < MAX_TYPED) typed += ch;
      }
    };
    // The terminal went away before Enter (ssh dropped, the window closed, stdin at its end):
    // without these the command would wait for ever on a line that can no longer come.
    const onGone = () =>
      finish(
        new UsageError('--network-prompt: the terminal closed before the code or passphrase was entered'),
      );
    const onError = (error: Error) =>
      finish(new UsageError(`--network-prompt: cannot read the terminal: ${error.message}`));
    stdin.on('data', onData);
    stdin.on('end', onGone);
    stdin.on('close', onGone);
    stdin.on('error', onError);
  });
}
