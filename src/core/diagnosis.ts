// What `lanchat doctor` asks a running node: for each peer it has heard of, whether it is
// connected and, if not, why the last dial failed. The node keeps only the last failure per peer
// (bounded by the peer table); this file turns errors into the few reasons a user can act on.
import { LinkError } from '../connection/link-factory.js';
import { HandshakeError, meansBusy } from '../crypto/handshake-error.js';
import type { PeerInfo, RememberedPeerInfo } from './events.js';

export type DialFailureReason =
  /** No TCP connection: wrong address, host down, firewall, another subnet without a route. */
  | 'unreachable'
  /** It answered but its handshake says another network passphrase (--network). */
  | 'network-mismatch'
  /** It answered with another key than the one announced, or refused us (blocked us). */
  | 'refused'
  /** Timed out or cut mid-handshake: a busy or stalled peer. */
  | 'handshake-timeout'
  /** Anything else in the handshake: a peer that does not speak lanchat's protocol. */
  | 'handshake-failed';

export interface DialFailureRecord {
  reason: DialFailureReason;
  /** The error's own code (e.g. 'wrong-network', 'dial-failed'). */
  code: string;
  message: string;
  /** Epoch ms of the attempt. */
  at: number;
}

export interface PeerDiagnosis extends PeerInfo {
  /** Where discovery said it is (unauthenticated), if it did. */
  hint?: { addresses: string[]; port: number; source: string; nick: string; instance?: string };
  lastFailure?: DialFailureRecord;
  /** It sent messages dated ahead of our clock: one of the two clocks is wrong. */
  clockAhead: boolean;
}

export interface NodeDiagnosis {
  nick: string;
  /** The nick asked for, when mDNS probing found it taken and the node renamed itself. */
  requestedNick?: string;
  port: number;
  /** The mDNS instance label we are announced under (random on a private network; older nodes
   * and nodes without mDNS: none). */
  instance?: string;
  peers: PeerDiagnosis[];
  /** Peers remembered from earlier links, with the last error of dialling them (older nodes: none). */
  remembered?: RememberedPeerInfo[];
}

export function failureRecord(error: unknown, at: number): DialFailureRecord {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof LinkError ? error.cause : undefined;
  if (!(error instanceof LinkError) || error.code === 'dial-failed') {
    return { reason: 'unreachable', code: codeOf(error) ?? 'dial-failed', message, at };
  }
  if (!(cause instanceof HandshakeError))
    return { reason: 'handshake-failed', code: error.code, message, at };
  const reason: DialFailureReason =
    cause.code === 'wrong-network'
      ? 'network-mismatch'
      : cause.code === 'wrong-server-key' || cause.code === 'unauthorized'
        ? 'refused'
        : meansBusy(cause.code)
          ? 'handshake-timeout'
          : 'handshake-failed';
  return { reason, code: cause.code, message, at };
}

function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
