// Tab completion on the input line: commands at the start of the line, rooms for words starting
// with #, nicks otherwise ("al<Tab>" → "alice: " at the start of a line, "alice " elsewhere).
// Repeated Tab cycles through the candidates, as in weechat and irssi.
import type { InputLine } from './input-line.js';

export interface CompletionSources {
  commands(): readonly string[];
  rooms(): readonly string[];
  /** Most relevant first (recent speakers of the current buffer). */
  nicks(): readonly string[];
  /** Short ids of the transfers `/accept`, `/reject` or `/cancel` can act on, newest first. */
  transferIds?(command: 'accept' | 'reject' | 'cancel'): readonly string[];
}

interface Cycle {
  start: number;
  candidates: string[];
  index: number;
  /** The text the line had after the last completion, to detect that the user typed meanwhile. */
  after: string;
}

export class Completer {
  private cycle: Cycle | undefined;

  constructor(private readonly sources: CompletionSources) {}

  /** Forget the cycle (any key other than Tab). */
  reset(): void {
    this.cycle = undefined;
  }

  complete(input: InputLine): boolean {
    if (this.cycle && this.cycle.after === input.text) {
      const c = this.cycle;
      c.index = (c.index + 1) % c.candidates.length;
      input.replaceBeforeCursor(c.start, c.candidates[c.index] ?? '');
      c.after = input.text;
      return true;
    }
    const { start, word } = input.wordAtCursor();
    const before = input.text.slice(0, start);
    const candidates = this.transferCandidates(before, word) ?? this.candidatesFor(word, start === 0);
    if (candidates.length === 0) return false;
    input.replaceBeforeCursor(start, candidates[0] ?? '');
    this.cycle = { start, candidates, index: 0, after: input.text };
    return true;
  }

  /** After `/accept `, `/reject ` or `/cancel `: the ids (an empty word lists them all). */
  private transferCandidates(before: string, word: string): string[] | undefined {
    const command = /^\/(accept|reject|cancel)\s+$/i.exec(before)?.[1]?.toLowerCase();
    if (!command || !this.sources.transferIds) return undefined;
    const ids = this.sources.transferIds(command as 'accept' | 'reject' | 'cancel');
    return ids.filter((id) => id.startsWith(word)).map((id) => `${id} `);
  }

  private candidatesFor(word: string, atLineStart: boolean): string[] {
    const lower = word.toLowerCase();
    const matching = (list: readonly string[]) =>
      [...new Set(list)].filter((c) => c.toLowerCase().startsWith(lower));
    if (atLineStart && word.startsWith('/')) {
      return matching(this.sources.commands().map((c) => `/${c}`))
        .sort()
        .map((c) => `${c} `);
    }
    if (word.startsWith('#')) return matching(this.sources.rooms()).map((r) => `${r} `);
    if (word === '') return [];
    const suffix = atLineStart ? ': ' : ' ';
    return matching(this.sources.nicks()).map((n) => `${n}${suffix}`);
  }
}
