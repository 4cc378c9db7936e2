// The terminal input as blessed sees it, minus bracketed pastes: text between ESC[200~ and ESC[201~
// is taken out and handed over whole, so a pasted block can be held for confirmation instead of
// arriving as keystrokes (and Enters). Everything else passes through unchanged.
import { PassThrough, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

const START = '\x1b[200~';
const END = '\x1b[201~';

export interface TtyInput extends Readable {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface PasteInput {
  stream: PassThrough & { isTTY: boolean; setRawMode(mode: boolean): void };
  detach(): void;
}

/** How much of the end of `text` could be the start of `marker` (kept for the next chunk). A lone
 * ESC or "ESC [" is never held: that is the Escape key or another key's sequence. */
function partialTail(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n >= 4; n--) {
    if (marker.startsWith(text.slice(-n))) return n;
  }
  return 0;
}

export function pasteFilteredInput(source: TtyInput, onPaste: (text: string) => void): PasteInput {
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode: (mode: boolean) => {
      source.setRawMode?.(mode);
    },
  });
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let pasting = false;
  const onData = (chunk: Buffer | string) => {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    for (;;) {
      if (pasting) {
        const end = pending.indexOf(END);
        if (end < 0) return;
        onPaste(pending.slice(0, end));
        pending = pending.slice(end + END.length);
        pasting = false;
        continue;
      }
      const start = pending.indexOf(START);
      if (start < 0) {
        const keep = partialTail(pending, START);
        const out = pending.slice(0, pending.length - keep);
        pending = pending.slice(pending.length - keep);
        if (out) stream.write(out);
        return;
      }
      if (start > 0) stream.write(pending.slice(0, start));
      pending = pending.slice(start + START.length);
      pasting = true;
    }
  };
  source.on('data', onData);
  source.resume();
  return {
    stream,
    detach() {
      source.off('data', onData);
      source.pause();
    },
  };
}
