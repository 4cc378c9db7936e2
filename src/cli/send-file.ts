// `lanchat send --to NICK --file PATH`: offers a file through the node that owns the profile and
// waits until the receiver has verified it (exit 0), or until the timeout (exit 75: the offer
// stays in the profile and that node resumes it), or it was refused or failed (exit 1).
import { resolve } from 'node:path';
import type { ControlClient } from './control-client.js';
import { ControlError, type ReplyBody } from './control-protocol.js';
import { type FileSendOutcome, type FileSendProgress, trackFileSend } from './file-send-tracker.js';
import { type ProfileNode, stopTemporary } from './profile-node.js';

/** Extra time we give a running node to answer after the send's own timeout. */
const REPLY_GRACE_MS = 10_000;

export interface FileSendResult {
  outcome: FileSendOutcome;
  offered: FileSendProgress | undefined;
  via: 'running-node' | 'temporary-node';
}

export async function deliverFile(
  node: ProfileNode,
  to: string,
  path: string,
  timeoutMs: number,
): Promise<FileSendResult> {
  // The running node has its own working directory: hand it an absolute path.
  const absolute = resolve(path);
  let offered: FileSendProgress | undefined;
  const onProgress = (p: FileSendProgress) => {
    offered = p;
  };
  if (node.kind === 'running') {
    const guard = setTimeout(() => node.client.close(), timeoutMs + REPLY_GRACE_MS);
    try {
      const final = await viaClient(node.client, to, absolute, timeoutMs, onProgress);
      return { outcome: final, offered, via: 'running-node' };
    } finally {
      clearTimeout(guard);
      node.client.close();
    }
  }
  try {
    const outcome = await trackFileSend(node.runtime.node, { to, path: absolute, timeoutMs }, onProgress);
    return { outcome, offered, via: 'temporary-node' };
  } finally {
    await stopTemporary(node.runtime);
  }
}

async function viaClient(
  client: ControlClient,
  to: string,
  path: string,
  timeoutMs: number,
  onProgress: (p: FileSendProgress) => void,
): Promise<FileSendOutcome> {
  const final: ReplyBody = await client.request({ cmd: 'send-file', to, path, timeoutMs }, (reply) => {
    if (reply.type === 'file_offered') onProgress(reply);
  });
  if (final.type === 'error') throw Object.assign(new Error(final.message), { code: final.code });
  if (final.type !== 'file_done' && final.type !== 'file_pending' && final.type !== 'file_failed') {
    throw new ControlError('bad-reply', `the running lanchat answered send-file with '${final.type}'`);
  }
  return final;
}
