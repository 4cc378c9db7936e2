// A fake TTY for in-process screen tests: blessed reads keys from a PassThrough that claims to be a
// TTY, and writes to a stream whose bytes feed @xterm/headless with the Unicode 11 widths active
// (without them emoji widths would be wrong in the reference terminal too, hiding our bugs).
import { PassThrough, Writable } from 'node:stream';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { Terminal } from '@xterm/headless';

export class VirtualTerminal {
  readonly term: Terminal;
  readonly input: PassThrough & { isTTY: boolean; setRawMode(mode: boolean): void; rawMode: boolean };
  readonly output: Writable & { columns: number; rows: number; isTTY: boolean };
  written = '';

  constructor(cols = 80, rows = 24) {
    this.term = new Terminal({ cols, rows, allowProposedApi: true });
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    const input = Object.assign(new PassThrough(), {
      isTTY: true,
      rawMode: false,
      setRawMode(mode: boolean) {
        input.rawMode = mode;
      },
    });
    this.input = input;
    const term = this.term;
    const self = this;
    this.output = Object.assign(
      new Writable({
        write(chunk: Buffer, _enc, done) {
          const text = chunk.toString('utf8');
          self.written += text;
          term.write(text);
          done();
        },
      }),
      { columns: cols, rows, isTTY: true },
    );
  }

  /** Bytes typed by the user (keys, escape sequences, a bracketed paste). */
  type(data: string): void {
    this.input.write(data);
  }

  resize(cols: number, rows: number): void {
    this.output.columns = cols;
    this.output.rows = rows;
    this.term.resize(cols, rows);
    this.output.emit('resize');
  }

  /** Waits until xterm has parsed everything written so far. */
  async flush(): Promise<void> {
    await new Promise<void>((resolve) => this.term.write('', resolve));
  }

  /** The grid as text, one string per row (wide cells count once, as on screen). */
  lines(): string[] {
    const out: string[] = [];
    const buffer = this.term.buffer.active;
    for (let y = 0; y < this.term.rows; y++) out.push(buffer.getLine(y)?.translateToString(true) ?? '');
    return out;
  }

  /** Column (cell index) of the first occurrence of `ch` in row y, by cells not characters. */
  cellColumn(y: number, ch: string): number {
    const line = this.term.buffer.active.getLine(y);
    if (!line) return -1;
    for (let x = 0; x < this.term.cols; x++) if (line.getCell(x)?.getChars() === ch) return x;
    return -1;
  }

  cellAt(y: number, x: number): string {
    return this.term.buffer.active.getLine(y)?.getCell(x)?.getChars() ?? '';
  }

  dispose(): void {
    this.term.dispose();
  }
}
