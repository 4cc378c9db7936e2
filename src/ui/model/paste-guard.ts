// Bracketed paste: a pasted block arrives as one piece. One line goes into the input line; several
// lines are held until the user confirms, so a paste can never flood a room line by line.

export const PASTE_CONFIRM_LINES = 2;

export class PasteGuard {
  private held: string | undefined;

  /** Returns the text to insert into the input line now, or undefined when the block is held. */
  paste(text: string): string | undefined {
    const normalised = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
    if (normalised.split('\n').length < PASTE_CONFIRM_LINES) return normalised;
    this.held = normalised;
    return undefined;
  }

  get pending(): { lines: number; text: string } | undefined {
    return this.held === undefined ? undefined : { lines: this.held.split('\n').length, text: this.held };
  }

  /** Enter / Ctrl-Y: the block, to send as one multi-line message. */
  confirm(): string | undefined {
    const text = this.held;
    this.held = undefined;
    return text;
  }

  /** Esc / Ctrl-N */
  cancel(): void {
    this.held = undefined;
  }
}
