// The terminal UI on blessed: plain boxes for the frame, our own painter for every text cell,
// renders coalesced to at most ~30 per second. It knows nothing about the network: it draws a
// ChatModel and hands keys to a UiController.
import type { Readable, Writable } from 'node:stream';
import blessed, { type Widgets } from 'blessed';
import type { ChatModel } from '../model/chat-model.js';
import { stringWidth } from '../model/display-width.js';
import { computeLayout, type Layout, MAX_TRANSFER_ROWS, type Rect } from '../model/layout.js';
import { geometryFor } from '../model/line-format.js';
import { visibleWindow } from '../model/message-window.js';
import { bufferListRows, nickListRows } from '../model/side-panels.js';
import { statusBarRow } from '../model/status-bar.js';
import { COLOURS, type Row } from '../model/style.js';
import { transferPanelRows, transferRowsWanted } from '../model/transfers.js';
import type { UiController } from '../model/ui-controller.js';
import { paintRows } from './cell-painter.js';
import { type PasteInput, pasteFilteredInput, type TtyInput } from './paste-input.js';
import { patchBlessedUnicode } from './unicode-patch.js';

/** ≤ 30 frames per second: a flood of messages costs one frame per 33 ms, not one per message. */
const FRAME_MS = 33;
/** Progress alone redraws at most 4 times per second (the node reports at most that often). */
export const PROGRESS_FRAME_MS = 250;
const BRACKETED_PASTE_ON = '\x1b[?2004h';
const BRACKETED_PASTE_OFF = '\x1b[?2004l';

export interface ChatScreenOptions {
  input: TtyInput;
  output: Writable & { columns?: number; rows?: number; isTTY?: boolean };
  terminal?: string;
  log?(message: string): void;
  /** Called after each frame reached the terminal: what it shows has now been seen. */
  onFrame?(): void;
}

function redirectConsole(log: ((message: string) => void) | undefined): () => void {
  const saved = { error: console.error, log: console.log, warn: console.warn };
  const sink = (...args: unknown[]) => log?.(`blessed: ${args.map(String).join(' ')}`);
  console.error = sink;
  console.log = sink;
  console.warn = sink;
  return () => Object.assign(console, saved);
}

export class ChatScreen {
  readonly screen: Widgets.Screen;
  private readonly program: ReturnType<typeof blessed.program>;
  private readonly paste: PasteInput;
  private readonly boxes: Record<
    'buffers' | 'chat' | 'nicks' | 'transfers' | 'status' | 'input',
    Widgets.BoxElement
  >;
  private layout: Layout;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private lastFrame = 0;
  private renderedVersion = -1;
  private highSurrogate: string | undefined;
  private destroyed = false;
  /** Frames actually drawn, for tests and the benchmark. */
  frames = 0;

  private readonly onFrame: (() => void) | undefined;

  constructor(
    private readonly model: ChatModel,
    private readonly controller: UiController,
    options: ChatScreenOptions,
  ) {
    patchBlessedUnicode();
    this.onFrame = options.onFrame;
    this.paste = pasteFilteredInput(options.input, (text) => this.controller.pasted(text));
    // blessed prints terminfo compile failures with console.error while it sets up; under the
    // screen that would be garbage, so it goes to the log instead.
    const restoreConsole = redirectConsole(options.log);
    try {
      this.program = blessed.program({
        input: this.paste.stream as unknown as Readable,
        output: options.output,
        extended: false,
        ...(options.terminal ? { terminal: options.terminal } : {}),
      });
      // Box drawing goes out as UTF-8, not through the ACS charset switch: the fallback terminfo
      // blessed often ends up with (pitfall 1) makes tmux and others show "x" and "q" instead.
      (this.program as unknown as { tput: { brokenACS: boolean } }).tput.brokenACS = true;
      this.screen = this.createScreen();
    } finally {
      restoreConsole();
    }
    const box = (opts: Widgets.BoxOptions) => blessed.box({ parent: this.screen, tags: false, ...opts });
    const line = { type: 'line' as const };
    this.boxes = {
      buffers: box({
        border: { ...line, left: false, top: false, bottom: false } as Widgets.Border,
        style: { border: { fg: COLOURS.separator } },
      }),
      chat: box({}),
      nicks: box({
        border: { ...line, right: false, top: false, bottom: false } as Widgets.Border,
        style: { border: { fg: COLOURS.separator } },
      }),
      transfers: box({}),
      status: box({}),
      input: box({}),
    };
    this.layout = this.initialLayout();
    this.wire();
  }

  private createScreen(): Widgets.Screen {
    return blessed.screen({
      program: this.program,
      fullUnicode: true,
      forceUnicode: true,
      smartCSR: true,
      warnings: false,
      autoPadding: false,
      title: 'lanchat',
    });
  }

  private initialLayout(): Layout {
    return computeLayout(this.screen.width as number, this.screen.height as number);
  }

  private wire(): void {
    this.boxes.buffers.on('render', () => this.paintBufferList());
    this.boxes.chat.on('render', () => this.paintChat());
    this.boxes.nicks.on('render', () => this.paintNickList());
    this.boxes.transfers.on('render', () => this.paintTransfers());
    this.boxes.status.on('render', () => this.paintStatus());
    this.boxes.input.on('render', () => this.paintInput());
    this.screen.on('keypress', (ch: string | undefined, key: Widgets.Events.IKeyEventArg | undefined) =>
      this.onKey(ch, key),
    );
    // blessed re-reads the size on SIGWINCH; everything is re-wrapped for the new width.
    this.screen.on('resize', () => this.renderNow());
    this.program.write(BRACKETED_PASTE_ON);
    this.renderNow();
  }

  /** Called on model changes; draws at most once per frame interval (`interval` ms: progress
   * updates pass PROGRESS_FRAME_MS, and any other change drawn meanwhile shows them too). */
  requestRender(interval = FRAME_MS): void {
    if (this.destroyed) return;
    const due = Math.max(Date.now(), this.lastFrame + interval);
    // A frame already planned as soon or sooner covers this change too; a chat line arriving
    // while only a progress frame is planned moves that frame forward.
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.renderNow();
    }, due - Date.now());
  }

  renderNow(): void {
    if (this.destroyed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFrame = Date.now();
    this.renderedVersion = this.model.version;
    this.applyLayout();
    this.screen.render();
    this.placeCursor();
    this.frames++;
    this.onFrame?.();
  }

  /** Ctrl+L: forget what the terminal shows and paint everything again. */
  redraw(): void {
    if (this.destroyed) return;
    this.screen.realloc();
    this.renderNow();
  }

  get dirty(): boolean {
    return this.model.version !== this.renderedVersion;
  }

  /** Writes a raw sequence (bell, OSC notification) to the terminal between frames. */
  writeRaw(sequence: string): void {
    if (!this.destroyed) this.program.write(sequence);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.timer) clearTimeout(this.timer);
    this.program.write(BRACKETED_PASTE_OFF);
    this.screen.destroy();
    this.paste.detach();
  }

  private onKey(ch: string | undefined, key: Widgets.Events.IKeyEventArg | undefined): void {
    // blessed reports Enter twice ("return" then "enter"); act on one.
    if (key?.name === 'return') return;
    let text = ch;
    // blessed splits characters outside the BMP into two lone surrogates: join them again.
    if (text && text.length === 1 && /[\ud800-\udbff]/.test(text)) {
      this.highSurrogate = text;
      return;
    }
    if (text && this.highSurrogate && /^[\udc00-\udfff]$/.test(text)) text = this.highSurrogate + text;
    this.highSurrogate = undefined;
    const full = key?.full ?? text ?? '';
    this.controller.key(full, text);
    if (this.dirty) this.requestRender();
  }

  private applyLayout(): void {
    this.layout = computeLayout(this.screen.width as number, this.screen.height as number, {
      copyMode: this.controller.mode === 'copy',
      transferRows: transferRowsWanted(this.model.transfers, MAX_TRANSFER_ROWS),
    });
    const place = (b: Widgets.BoxElement, r: Rect | undefined) => {
      if (!r) return void b.hide();
      b.show();
      b.left = r.left;
      b.top = r.top;
      b.width = r.width;
      b.height = r.height;
    };
    place(this.boxes.buffers, this.layout.bufferList);
    place(this.boxes.chat, this.layout.chat);
    place(this.boxes.nicks, this.layout.nickList);
    place(this.boxes.transfers, this.layout.transfers);
    place(this.boxes.status, this.layout.status);
    place(this.boxes.input, this.layout.input);
    this.controller.viewport = { width: this.layout.chat.width, height: this.layout.chat.height };
  }

  private paintBufferList(): void {
    const r = this.layout.bufferList;
    if (!r) return;
    const inner = { ...r, width: r.width - 1 };
    paintRows(this.screen, inner, bufferListRows(this.model, inner.width));
  }

  private paintNickList(): void {
    const r = this.layout.nickList;
    if (!r) return;
    const inner = { ...r, left: r.left + 1, width: r.width - 1 };
    paintRows(this.screen, inner, nickListRows(this.model, inner.width));
  }

  private paintChat(): void {
    const r = this.layout.chat;
    if (this.controller.mode === 'help') {
      const rows: Row[] = this.controller.help
        .slice(this.controller.helpScroll, this.controller.helpScroll + r.height)
        .map((text) => [{ text, ...(/^\S/.test(text) ? { style: { bold: true } } : {}) }]);
      paintRows(this.screen, r, rows);
      return;
    }
    const buffer = this.model.buffers.current;
    const view = visibleWindow(buffer, geometryFor(r.width), r.height);
    // Reaching the oldest line held pulls the next page of history from the store.
    if (view.atTop && buffer.scroll && buffer.historyLeft && this.model.loadOlder(buffer)) {
      paintRows(this.screen, r, visibleWindow(buffer, geometryFor(r.width), r.height).rows);
      return;
    }
    paintRows(this.screen, r, view.rows);
  }

  private paintTransfers(): void {
    const r = this.layout.transfers;
    if (!r) return;
    const bar = { fg: COLOURS.barFg, bg: COLOURS.barBg };
    const rows: Row[] = transferPanelRows(this.model.transfers, r.width, r.height).map((text) => [
      { text, style: bar },
    ]);
    paintRows(this.screen, r, rows, bar);
  }

  private paintStatus(): void {
    paintRows(this.screen, this.layout.status, [statusBarRow(this.model, this.layout.status.width)], {
      fg: COLOURS.barFg,
      bg: COLOURS.barBg,
    });
  }

  private inputPrompt(): string {
    if (this.controller.mode === 'help') return 'help: ↑/↓ PgUp/PgDn scroll, Esc closes ';
    if (this.controller.mode === 'copy') return 'copy mode: select with the mouse, Alt+L or Esc returns ';
    return `[${this.model.buffers.current.title}] `;
  }

  private paintInput(): void {
    const r = this.layout.input;
    const held = this.controller.paste.pending;
    if (held) {
      const text = `Paste of ${held.lines} lines: Enter sends them as one message, Esc discards`;
      paintRows(this.screen, r, [[{ text, style: { fg: COLOURS.highlight, bold: true } }]]);
      return;
    }
    const prompt = this.inputPrompt();
    const promptWidth = Math.min(r.width - 1, stringWidth(prompt));
    const view = this.controller.input.view(r.width - promptWidth - 1);
    paintRows(this.screen, r, [[{ text: prompt, style: { fg: COLOURS.dim } }, { text: view.text }]]);
    this.cursorAt = { x: r.left + promptWidth + view.cursorColumn, y: r.top };
  }

  private cursorAt = { x: 0, y: 0 };

  private placeCursor(): void {
    if (this.controller.paste.pending || this.controller.mode !== 'chat')
      return void this.program.hideCursor();
    this.program.cup(this.cursorAt.y, this.cursorAt.x);
    this.program.showCursor();
  }
}
