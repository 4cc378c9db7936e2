// Offers one file and follows it until the receiver confirmed it (file_done), refused or failed
// it, or the deadline passed (file_pending: the node that made the offer keeps it and resumes).
// Used by the control server for `lanchat send --file` and by send's own temporary node.
import type { LanchatNode } from '../core/node.js';
import { NodeError } from '../core/node.js';
import type { ReplyBody } from './control-protocol.js';
import { type StopReason, settleOnce } from './settle-once.js';

export interface TrackedFileSend {
  to: string;
  path: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type FileSendProgress = Extract<ReplyBody, { type: 'file_offered' }>;
export type FileSendOutcome = Extract<ReplyBody, { type: 'file_done' | 'file_pending' | 'file_failed' }>;

export function trackFileSend(
  node: LanchatNode,
  send: TrackedFileSend,
  onProgress: (progress: FileSendProgress) => void,
): Promise<FileSendOutcome> {
  return settleOnce<FileSendOutcome>(send, (settle) => {
    let id: string | undefined;
    let state = 'offered';
    let offering = false;
    let unknown: unknown;
    const stop = (reason: StopReason) => {
      if (id === undefined) settle.error(unknown ?? new NodeError('invalid', 'nothing was offered in time'));
      else settle.outcome({ type: 'file_pending', id, state, reason });
    };
    const unsubscribe = node.subscribe((event) => {
      if (id === undefined) {
        if (event.type === 'peer_online' && !offering && unknown !== undefined) attempt();
        return;
      }
      if (!('id' in event) || event.id !== id) return;
      if (event.type === 'file_accepted') state = 'accepted';
      else if (event.type === 'file_done') settle.outcome({ type: 'file_done', id, sha256: event.sha256 });
      else if (event.type === 'file_failed')
        settle.outcome({ type: 'file_failed', id, code: event.code, message: event.message });
    });
    const attempt = () => {
      offering = true;
      node.sendFile(send.to, send.path).then(
        (view) => {
          offering = false;
          id = view.id;
          onProgress({
            type: 'file_offered',
            id: view.id,
            to: { id: view.peer.id, nick: view.peer.nick },
            name: view.name,
            size: view.size,
            sha256: view.sha256,
          });
        },
        (err: unknown) => {
          offering = false;
          // A nick not met yet (a node that just started): wait for discovery until the deadline.
          if (err instanceof NodeError && err.code === 'unknown-peer') unknown = err;
          else settle.error(err);
        },
      );
    };
    return { stop, cleanup: unsubscribe, begin: attempt };
  });
}
