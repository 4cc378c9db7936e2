// What the sending and receiving halves of the transfer service share: the node's services they
// use (injected, so core stays free of sockets and node:fs) and the record bookkeeping.
import type { PeerLink } from '../../connection/peer-link.js';
import type { FileMessage } from '../../protocol/file-messages.js';
import { StoreError, type TransferRecord, type TransferStore } from '../../store/store.js';
import type { Clock } from '../clock.js';
import type { NodeEvent, PeerRef } from '../events.js';
import type { FileAccess } from './file-access.js';

export interface TransferPolicy {
  /** Where `/accept ID` without DIR (and auto-accept) puts files. */
  downloadDir: string;
  /** Accept offers from verified contacts without asking. */
  autoAcceptVerified: boolean;
  /** Offers above this many bytes are refused (code too-large). */
  maxFileSize: number;
  /** Total size of accepted, unfinished incoming transfers (their partial files grow to it): an
   * offer or an accept that would go past it is refused (code over-quota). */
  maxDownloadingBytes: number;
}

export interface TransferDeps {
  transfers: TransferStore;
  files: FileAccess;
  clock: Clock;
  policy: TransferPolicy;
  emit(event: NodeEvent): void;
  ref(peerId: string, nick: string): PeerRef;
  /** Sends on the peer's chat link; false when it is offline. */
  sendChat(peerId: string, message: FileMessage): boolean;
  online(peerId: string): boolean;
  verified(peerId: string): boolean;
  /** Opens a data link to the peer whose hello names the transfer and the offset. */
  dialData(peerId: string, transfer: string, offset: number): Promise<PeerLink>;
  /** Gets the secure channel's fast cipher ready; resolves (never rejects) when the engine is
   * settled. Started when a transfer becomes likely, awaited before a data link moves bytes. */
  fastCrypto(): Promise<unknown>;
  newId(): string;
  /** A transfer's record could not be saved (disk full, read-only): tell the user, go on. */
  storeFailed?(error: unknown, what: string): void;
}

export type FailureCode = string;

/** One live object per transfer, shared by the service and both halves, so that no half saves a
 * stale copy over a newer state (every save writes the whole record). */
export class TransferBook {
  private readonly cache = new Map<string, TransferRecord>();

  constructor(private readonly deps: TransferDeps) {}

  get(id: string): TransferRecord | undefined {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const stored = this.deps.transfers.get(id);
    if (stored) this.cache.set(id, stored);
    return stored;
  }

  add(record: TransferRecord): TransferRecord {
    this.deps.transfers.put(record);
    this.cache.set(record.id, record);
    return record;
  }

  /** Updates the live record and saves it. A store failure (disk full, read-only) is reported and
   * swallowed: the live record stays right for this session, and the callers are often promise
   * callbacks of the data path where a throw would be an unhandled rejection. */
  save(record: TransferRecord, patch: Partial<TransferRecord>): TransferRecord {
    Object.assign(record, patch, { updatedAt: this.deps.clock.now() });
    try {
      this.deps.transfers.put(record);
    } catch (error) {
      if (!(error instanceof StoreError) || !this.deps.storeFailed) throw error;
      this.deps.storeFailed(error, `could not record the state of transfer ${record.id}`);
    }
    return record;
  }

  /** Records the failure and tells the user; the caller tears down what is running. */
  fail(record: TransferRecord, code: FailureCode, message: string): void {
    const state = code === 'cancelled' || code === 'rejected' ? code : 'failed';
    this.save(record, { state, errorCode: code, errorMessage: message });
    this.deps.emit({ type: 'file_failed', id: record.id, direction: record.direction, code, message });
  }
}

/** The partial file's name in the target directory: hidden, and unique per transfer. */
export function partName(id: string): string {
  return `.${id}.lanchat-part`;
}
