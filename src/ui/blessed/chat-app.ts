// Puts the pieces together for one session: the model fed by the node's events, the controller,
// the screen, and notifications. The caller (src/cli/ui-session.ts) owns the node and the exit.
import type { Writable } from 'node:stream';
import type { NodeEventListener, PeerInfo } from '../../core/events.js';
import { type Alert, ChatModel, type HistoryLoader } from '../model/chat-model.js';
import type { ChatPort } from '../model/command-runner.js';
import { applyEvent } from '../model/event-handlers.js';
import { notificationSequence } from '../model/notification.js';
import { UiController } from '../model/ui-controller.js';
import { ChatScreen, PROGRESS_FRAME_MS } from './chat-screen.js';
import type { TtyInput } from './paste-input.js';

export interface ChatNode extends ChatPort {
  readonly id: string;
  subscribe(listener: NodeEventListener): () => void;
  snapshot(): { id: string; nick: string; peers: PeerInfo[]; rooms: string[] };
  /** Optional: typing indicator (issue 5). */
  typing?(name: string, active?: boolean): void;
  /** Optional: read receipts for DMs that were on screen. */
  markRead?(ids: readonly string[], senderId: string): void;
  /** Optional: the user is at the keyboard (ends auto-away). */
  activity?(): void;
}

export interface ChatAppOptions {
  node: ChatNode;
  input: TtyInput;
  output: Writable & { columns?: number; rows?: number; isTTY?: boolean };
  terminal?: string;
  networkName?: string;
  loadHistory?: HistoryLoader;
  /** Bell + OSC 9/777 on a DM or a mention (--no-notify turns it off). */
  notify?: boolean;
  /** Inside tmux, OSC notifications need the passthrough wrapper. */
  inTmux?: boolean;
  onQuit(): void;
  log?(message: string): void;
}

export interface ChatApp {
  model: ChatModel;
  controller: UiController;
  screen: ChatScreen;
  /** Restores the terminal; idempotent. */
  destroy(): void;
}

export function startChatApp(options: ChatAppOptions): ChatApp {
  const { node } = options;
  let screen: ChatScreen | undefined;
  /** Incoming DMs not yet on screen, by sender. */
  const unreadDms = new Map<string, string[]>();
  const onAlert = (alert: Alert) => {
    if (options.notify === false) return;
    screen?.writeRaw(notificationSequence(alert.title, alert.body, options.inTmux ?? false));
  };
  const model = new ChatModel({
    onAlert,
    ...(options.loadHistory ? { loadHistory: options.loadHistory } : {}),
    ...(options.networkName ? { networkName: options.networkName } : {}),
  });
  const snapshot = node.snapshot();
  model.myId = snapshot.id;
  model.myNick = snapshot.nick;
  for (const p of snapshot.peers) model.peers.set(p.id, { id: p.id, nick: p.nick, online: p.online });
  const general = model.room('#general');
  for (const p of snapshot.peers) if (p.online) general.members.set(p.id, p.nick);
  for (const room of snapshot.rooms) model.room(room);
  model.buffers.select(general.key);
  // Transfers still open from an earlier run resume by themselves: their bars need names.
  try {
    for (const t of node.transferList?.() ?? []) model.transfers.seed(t);
  } catch (err) {
    options.log?.(`ui: transfer list failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  model.system(model.buffers.status, 'F1 or /help shows every command and key; Ctrl+C quits');

  const controller = new UiController(model, node, {
    quit: () => options.onQuit(),
    redraw: () => screen?.redraw(),
    activity: () => node.activity?.(),
    typing: (peerId: string) => {
      try {
        node.typing?.(peerId);
      } catch {
        // The indicator is best effort: an offline or unknown peer simply does not see it.
      }
    },
  });
  screen = new ChatScreen(model, controller, {
    input: options.input,
    output: options.output,
    ...(options.terminal ? { terminal: options.terminal } : {}),
    ...(options.log ? { log: options.log } : {}),
    // A DM counts as read once a frame showed its conversation: then its sender gets the receipt.
    onFrame: () => {
      const current = model.buffers.current;
      const ids = current.kind === 'dm' ? unreadDms.get(current.target) : undefined;
      if (!ids || ids.length === 0) return;
      unreadDms.delete(current.target);
      try {
        node.markRead?.(ids, current.target);
      } catch (err) {
        options.log?.(`ui: read receipts failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  });
  model.wake = () => screen?.requestRender();
  const unsubscribe = node.subscribe((event) => {
    if (
      event.type === 'message' &&
      event.to !== undefined &&
      !event.history &&
      event.from.id !== model.myId
    ) {
      unreadDms.set(event.from.id, [...(unreadDms.get(event.from.id) ?? []), event.id]);
    }
    try {
      applyEvent(model, event);
    } catch (err) {
      // A bad event must not take the screen down; it goes to the log instead.
      options.log?.(`ui: event ${event.type} failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
    screen?.requestRender(event.type === 'file_progress' ? PROGRESS_FRAME_MS : undefined);
  });
  // The clock in the status bar moves even when nobody talks.
  const clock = setInterval(() => screen?.requestRender(), 15_000);
  clock.unref();
  let destroyed = false;
  return {
    model,
    controller,
    screen,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      clearInterval(clock);
      unsubscribe();
      screen?.destroy();
    },
  };
}
