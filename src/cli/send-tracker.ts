// Sends one message and follows it until every recipient acked or the deadline passed. Both the
// control server (the running node sending for `lanchat send`) and `lanchat send`'s own temporary
// node use it, so the command reports the same outcome whichever node did the work.
import type { NodeEvent } from '../core/events.js';
import { type LanchatNode, NodeError } from '../core/node.js';
import type { OutboxStore } from '../store/store.js';
import { type ControlPeer, controlPeer, type ReplyBody, type SendTarget } from './control-protocol.js';
import { type StopReason, settleOnce } from './settle-once.js';

export interface SendTrackerDeps {
  node: LanchatNode;
  /** Who a room message was queued for: the members online when it was sent. */
  outbox: Pick<OutboxStore, 'deliveryState'>;
}

export interface TrackedSend {
  target: SendTarget;
  text: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type SendProgress = Extract<ReplyBody, { type: 'sent' | 'delivered' }>;
export type SendOutcome = Extract<ReplyBody, { type: 'done' | 'timeout' }>;

/**
 * Resolves with `done` or `timeout`; rejects with the node's error (ambiguous nick, not in the
 * room, over-long text). A nick nobody claims yet is given until the deadline to appear (a node
 * that just started has not met anyone), and only then rejects with 'unknown-peer'.
 */
export function trackSend(
  deps: SendTrackerDeps,
  send: TrackedSend,
  onProgress: (progress: SendProgress) => void,
): Promise<SendOutcome> {
  const { node } = deps;
  return settleOnce<SendOutcome>(send, (settle) => {
    let id: string | undefined;
    let recipients: ControlPeer[] = [];
    const delivered = new Map<string, ControlPeer>();
    let sending = false;
    let sentEvent: Extract<NodeEvent, { type: 'sent' }> | undefined;
    let unknown: unknown;

    const stop = (reason: StopReason): void => {
      if (id === undefined) {
        settle.error(unknown ?? new NodeError('invalid', 'the node is stopping; nothing was sent'));
        return;
      }
      const pending = recipients.filter((r) => !delivered.has(r.id));
      settle.outcome({ type: 'timeout', id, delivered: [...delivered.values()], pending, reason });
    };
    const checkDone = (): void => {
      if (id !== undefined && delivered.size >= recipients.length) {
        settle.outcome({ type: 'done', id, delivered: [...delivered.values()] });
      }
    };

    const unsubscribe = node.subscribe((event) => {
      if (sending && event.type === 'sent') {
        // Emitted synchronously inside our sendDirect/sendRoom call, so it is ours.
        sentEvent = event;
        return;
      }
      if (id === undefined) {
        if (event.type === 'peer_online' || event.type === 'nick') attempt();
        return;
      }
      if (event.type !== 'delivered' || event.id !== id || delivered.has(event.to.id)) return;
      if (!recipients.some((r) => r.id === event.to.id)) return;
      const to = controlPeer(event.to);
      delivered.set(to.id, to);
      onProgress({ type: 'delivered', id, to });
      checkDone();
    });

    const attempt = (): void => {
      if (settle.settled || id !== undefined) return;
      sending = true;
      try {
        const target = send.target;
        const sentId =
          'to' in target ? node.sendDirect(target.to, send.text) : node.sendRoom(target.room, send.text);
        sending = false;
        id = sentId;
        recipients = recipientsOf(deps, sentId, sentEvent);
        onProgress(sentProgress(sentId, sentEvent, recipients));
        // A fast link (in-process, loopback) may have acked inside the send call, before we knew
        // the id: the outbox has the truth.
        for (const record of deps.outbox.deliveryState(sentId)) {
          const ref = recipients.find((r) => r.id === record.recipientId);
          if (!ref || record.status === 'queued' || delivered.has(ref.id)) continue;
          delivered.set(ref.id, ref);
          onProgress({ type: 'delivered', id: sentId, to: ref });
        }
        checkDone();
      } catch (err) {
        sending = false;
        if (err instanceof NodeError && err.code === 'unknown-peer') {
          unknown = err; // wait for discovery to bring it
          return;
        }
        settle.error(err);
      }
    };

    return { stop, cleanup: unsubscribe, begin: attempt };
  });
}

function recipientsOf(
  deps: SendTrackerDeps,
  id: string,
  sent: Extract<NodeEvent, { type: 'sent' }> | undefined,
): ControlPeer[] {
  if (sent && 'to' in sent) return [controlPeer(sent.to)];
  const nicks = new Map(deps.node.peerList().map((p) => [p.id, p.nick]));
  return deps.outbox
    .deliveryState(id)
    .map((r) => ({ id: r.recipientId, nick: nicks.get(r.recipientId) ?? r.recipientId }));
}

function sentProgress(
  id: string,
  sent: Extract<NodeEvent, { type: 'sent' }> | undefined,
  recipients: ControlPeer[],
): SendProgress {
  const queued = sent?.queued ?? false;
  if (sent && 'to' in sent) return { type: 'sent', id, queued, recipients, to: controlPeer(sent.to) };
  return { type: 'sent', id, queued, recipients, room: sent && 'room' in sent ? sent.room : '' };
}
