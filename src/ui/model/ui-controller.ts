// Keys → actions on the model, independent of any terminal library. The renderer feeds it key
// names in blessed's notation ("C-a", "M-1", "pageup") and printable text; it tells the renderer
// when to redraw, quit or ring. Everything a key does is therefore unit-testable.

import type { ChatModel } from './chat-model.js';
import { type ChatPort, runLine } from './command-runner.js';
import { Completer } from './completion.js';
import { helpLines } from './help-text.js';
import { InputLine } from './input-line.js';
import { geometryFor } from './line-format.js';
import { scrollDown, scrollUp, toLive } from './message-window.js';
import { PasteGuard } from './paste-guard.js';
import { shortId } from './transfers.js';
import { allCommandNames } from './ui-commands.js';

export type Mode = 'chat' | 'help' | 'copy';

export interface ControllerHooks {
  quit(): void;
  redraw(): void;
  /** The user typed in a DM buffer (for the typing indicator), when the node supports it. */
  typing?(peerId: string): void;
  /** Any key: the user is here (ends auto-away). */
  activity?(): void;
}

export class UiController {
  readonly input = new InputLine();
  readonly paste = new PasteGuard();
  readonly completer: Completer;
  mode: Mode = 'chat';
  help: string[] = [];
  helpScroll = 0;
  /** Chat view size, set by the renderer on every layout. */
  viewport = { width: 80, height: 22 };

  constructor(
    readonly model: ChatModel,
    private readonly node: ChatPort,
    private readonly hooks: ControllerHooks,
  ) {
    this.completer = new Completer({
      commands: allCommandNames,
      rooms: () =>
        model.buffers
          .list()
          .filter((b) => b.kind === 'room')
          .map((b) => b.key),
      nicks: () => this.nickCandidates(),
      transferIds: (command) =>
        model.transfers
          .list()
          .filter((t) =>
            command === 'cancel'
              ? t.state === 'offered' || t.state === 'accepted'
              : t.direction === 'in' && t.state === 'offered',
          )
          .reverse()
          .map((t) => shortId(t.id)),
    });
  }

  /** One key press. `ch` is the text it types, if any. */
  key(full: string, ch?: string): void {
    this.hooks.activity?.();
    if (full !== 'tab') this.completer.reset();
    if (this.mode === 'help') {
      this.helpKey(full);
      return;
    }
    if (this.mode === 'copy' && (full === 'M-l' || full === 'escape' || full === 'q')) {
      this.mode = 'chat';
      this.changed();
      return;
    }
    if (this.paste.pending) {
      this.pasteKey(full);
      return;
    }
    if (this.globalKey(full) || this.editKey(full)) {
      this.changed();
      return;
    }
    if (ch && !full.startsWith('C-') && !full.startsWith('M-') && isPrintable(ch)) {
      this.input.insert(ch);
      const current = this.model.buffers.current;
      if (current.kind === 'dm' && !this.input.text.startsWith('/')) this.hooks.typing?.(current.target);
      this.changed();
    }
  }

  /** A bracketed paste: one line goes into the input line, more are held for confirmation. */
  pasted(text: string): void {
    const direct = this.paste.paste(text);
    if (direct !== undefined) this.input.insert(direct.replace(/\t/g, '    '));
    this.changed();
  }

  showHelp(topic?: string): void {
    if (topic) {
      for (const line of helpLines(topic)) this.model.inline(line);
      return;
    }
    this.help = helpLines();
    this.helpScroll = 0;
    this.mode = 'help';
    this.changed();
  }

  submit(): void {
    const line = this.input.submit();
    if (line.trim() === '') return;
    runLine(this.model, this.node, line, { quit: () => this.hooks.quit(), help: (t) => this.showHelp(t) });
    toLive(this.model.buffers.current);
  }

  private globalKey(full: string): boolean {
    const buffers = this.model.buffers;
    const g = geometryFor(this.viewport.width);
    const page = Math.max(1, this.viewport.height - 1);
    const alt = /^M-([1-9])$/.exec(full);
    if (alt) return buffers.selectIndex(Number(alt[1])) || true;
    switch (full) {
      case 'C-c':
        this.hooks.quit();
        return true;
      case 'C-n':
        buffers.cycle(1);
        return true;
      case 'C-p':
        buffers.cycle(-1);
        return true;
      case 'M-a':
        buffers.jumpToActivity();
        return true;
      case 'pageup': {
        const current = buffers.current;
        // Fetch earlier history from the store before the page would run past what is held.
        const anchorSeq = current.scroll?.seq ?? current.lines.last;
        if (current.historyLeft && anchorSeq - current.lines.first < 2 * page) this.model.loadOlder(current);
        scrollUp(current, g, page, this.viewport.height);
        return true;
      }
      case 'pagedown':
        scrollDown(buffers.current, g, page);
        return true;
      case 'end':
        if (this.input.text === '' || buffers.current.scroll) {
          toLive(buffers.current);
          this.input.end();
          return true;
        }
        return false;
      case 'C-l':
        this.hooks.redraw();
        return true;
      case 'f1':
        this.showHelp();
        return true;
      case 'M-l':
        this.mode = 'copy';
        return true;
      default:
        return false;
    }
  }

  private editKey(full: string): boolean {
    const input = this.input;
    const actions: Record<string, () => void> = {
      enter: () => this.submit(),
      return: () => this.submit(),
      left: () => input.left(),
      right: () => input.right(),
      'C-b': () => input.left(),
      'C-f': () => input.right(),
      'C-left': () => input.wordLeft(),
      'C-right': () => input.wordRight(),
      'M-b': () => input.wordLeft(),
      'M-f': () => input.wordRight(),
      home: () => input.home(),
      end: () => input.end(),
      'C-a': () => input.home(),
      'C-e': () => input.end(),
      backspace: () => input.backspace(),
      'C-h': () => input.backspace(),
      delete: () => input.deleteForward(),
      'C-d': () => input.deleteForward(),
      'C-w': () => input.killWordBack(),
      'M-backspace': () => input.killWordBack(),
      'C-u': () => input.killToStart(),
      'C-k': () => input.killToEnd(),
      'C-y': () => input.yank(),
      up: () => input.historyUp(),
      down: () => input.historyDown(),
      tab: () => void this.completer.complete(input),
    };
    const action = actions[full];
    if (!action) return false;
    action();
    return true;
  }

  private pasteKey(full: string): void {
    if (full === 'enter' || full === 'return' || full === 'C-y') {
      const text = this.paste.confirm();
      if (text !== undefined) {
        // A literal block: a first line starting with "/" must not run as a command.
        runLine(this.model, this.node, text.startsWith('/') ? `/${text}` : text, {
          quit: () => this.hooks.quit(),
          help: (t) => this.showHelp(t),
        });
      }
    } else if (full === 'escape' || full === 'C-n' || full === 'C-c') {
      this.paste.cancel();
      this.model.inline('paste discarded');
    } else {
      return;
    }
    this.changed();
  }

  private helpKey(full: string): void {
    if (full === 'escape' || full === 'q' || full === 'f1' || full === 'enter' || full === 'C-c') {
      this.mode = 'chat';
    } else if (full === 'down' || full === 'pagedown') {
      this.helpScroll = Math.min(
        Math.max(0, this.help.length - this.viewport.height),
        this.helpScroll + (full === 'down' ? 1 : this.viewport.height),
      );
    } else if (full === 'up' || full === 'pageup') {
      this.helpScroll = Math.max(0, this.helpScroll - (full === 'up' ? 1 : this.viewport.height));
    }
    this.changed();
  }

  private nickCandidates(): string[] {
    const current = this.model.buffers.current;
    const recent: string[] = [];
    for (let s = current.lines.last; s >= current.lines.first && recent.length < 50; s--) {
      const line = current.lines.get(s);
      if (line?.nick && !line.mine && line.kind === 'message') recent.push(line.nick);
    }
    const others = [...current.members.values(), ...[...this.model.peers.values()].map((p) => p.nick)];
    return [...new Set([...recent, ...others.sort()])].filter((n) => n !== this.model.myNick);
  }

  private changed(): void {
    this.model.touch();
  }
}

function isPrintable(ch: string): boolean {
  return !/[\x00-\x1f\x7f-\x9f]/.test(ch);
}
