// Waiting for the screen in in-process UI tests: draw the pending frame now, read the terminal
// grid, and poll a condition with a deadline (never a fixed sleep).
import type { ChatApp } from '../../../src/ui/blessed/chat-app.js';
import type { VirtualTerminal } from './virtual-terminal.js';

/** Generous: a loaded CI machine running several test files at once is slow, not wrong. */
const DEADLINE_MS = 10_000;

export async function settle(v: VirtualTerminal, a: ChatApp): Promise<string[]> {
  // Let blessed's keypress parsing run, then draw the pending frame now instead of waiting for it.
  await new Promise((r) => setImmediate(r));
  a.screen.renderNow();
  await v.flush();
  return v.lines();
}

export async function until(
  v: VirtualTerminal,
  a: ChatApp,
  what: (lines: string[]) => boolean,
): Promise<string[]> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const lines = await settle(v, a);
    if (what(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`screen never matched:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
