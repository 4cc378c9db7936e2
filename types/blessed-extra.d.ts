// Gaps in @types/blessed 0.1.27 that lanchat relies on: program options (the typings reuse the
// screen options, whose input/output types are swapped), the unicode module that we patch, and
// the screen's cell buffer that our own views paint into.
import type { Readable, Writable } from 'node:stream';

declare module 'blessed' {
  interface ProgramOptions {
    input?: Readable;
    output?: Writable;
    /** false avoids the "Error on xterm-256color.Setulc" dump on some terminfo (macOS/Homebrew). */
    extended?: boolean;
    tput?: boolean;
    terminal?: string;
    buffer?: boolean;
    zero?: boolean;
  }
  export function program(options: ProgramOptions): BlessedProgram;

  export namespace unicode {
    let charWidth: (str: string | number, i?: number) => number;
    function strWidth(str: string): number;
    const chars: { all: RegExp; wide: RegExp; swide: RegExp; surrogate: RegExp; combining: RegExp };
  }

  /** One screen cell: [attribute bits, the text drawn in it]. */
  type ScreenCell = [number, string];
  type ScreenLine = ScreenCell[] & { dirty: boolean };

  namespace Widgets {
    interface Screen {
      lines: ScreenLine[];
    }
  }

  interface BlessedProgram {
    write(text: string): boolean;
    cols: number;
    rows: number;
  }
}
