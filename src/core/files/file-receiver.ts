// The receiving half. Accepting opens a partial file in the chosen directory and asks the sender
// for the bytes from what is already on disk; the sender dials a data link naming the transfer.
// Chunks are appended in order (reading from the link pauses while the disk is behind), fsynced
// every SYNC_EVERY_BYTES and only then recorded as verified, so a resume after a crash continues
// from bytes that are really on disk. At the end the whole file's SHA-256 must match the offer
// before it is renamed into place (never over an existing file).
import type { PeerLink } from '../../connection/peer-link.js';
import { safeFileName } from '../../protocol/file-names.js';
import type { TransferRecord } from '../../store/store.js';
import type { TimerHandle } from '../clock.js';
import { diskFullWhileReceiving, isDiskFull } from './disk-full.js';
import type { PartialFile } from './file-access.js';
import { ProgressMeter } from './progress-meter.js';
import { partName, type TransferBook, type TransferDeps } from './transfer-context.js';

/** fsync + persist the offset this often: what a crash can cost us at most. */
export const SYNC_EVERY_BYTES = 8 * 1024 * 1024;
/** Stop reading from the link above this many bytes queued for the disk; go on below the low mark. */
const PAUSE_ABOVE_BYTES = 4 * 1024 * 1024;
const RESUME_BELOW_BYTES = 1024 * 1024;
/** Decrypting more than this in one event-loop turn makes chat wait: libuv reads a busy socket up
 * to 32 times per turn (2 MiB, ~20 ms of decryption here) before it looks at other sockets. */
const TURN_BYTES = 128 * 1024;
/** Ask again when no data link came within this long (the sender may have missed the accept). */
const REQUEST_RETRY_MS = 5_000;

interface Receiving {
  partial: PartialFile | undefined;
  link: PeerLink | undefined;
  /** Bytes handed to the partial file (ahead of partial.written while writes are queued). */
  received: number;
  busy: boolean;
  syncing: Promise<void> | undefined;
  retry: TimerHandle | undefined;
  finished: boolean;
}

export class FileReceiver {
  private readonly running = new Map<string, Receiving>();

  constructor(
    private readonly deps: TransferDeps,
    private readonly book: TransferBook,
  ) {}

  /** Bytes of a transfer on disk or on the way there (for /transfers). */
  bytes(record: TransferRecord): number {
    return this.running.get(record.id)?.received ?? record.verified;
  }

  /** Opens (or reopens) the partial file and asks the sender for the rest. */
  async request(record: TransferRecord): Promise<void> {
    const r = this.state(record.id);
    if (r.busy || r.link || r.finished) return;
    r.busy = true;
    try {
      // The sender dials as soon as it hears file_accept: have the fast cipher ready to open it.
      await this.deps.fastCrypto();
      if (!r.partial) {
        r.partial = await this.deps.files.openPartial(record.dir ?? '', partName(record.id), record.verified);
        r.received = r.partial.written;
        if (record.verified !== r.partial.written) this.book.save(record, { verified: r.partial.written });
      }
      if (this.book.get(record.id)?.state !== 'accepted') return void (await this.discard(record));
      this.deps.sendChat(record.peerId, { t: 'file_accept', id: record.id, offset: r.partial.written });
      this.armRetry(record);
    } catch (err) {
      if (isDiskFull(err)) this.book.fail(record, 'no-space', diskFullWhileReceiving(record.dir));
      else this.book.fail(record, 'io-error', `cannot write into ${record.dir}: ${(err as Error).message}`);
      await this.discard(record);
    } finally {
      r.busy = false;
    }
  }

  /** A data link arrived: it must name an accepted transfer of this peer at the offset we asked. */
  adopt(record: TransferRecord | undefined, peerId: string, link: PeerLink, offset: number): boolean {
    const r = record ? this.running.get(record.id) : undefined;
    if (
      !record ||
      !r?.partial ||
      record.direction !== 'in' ||
      record.peerId !== peerId ||
      record.state !== 'accepted' ||
      r.link ||
      r.busy ||
      r.partial.written !== offset ||
      r.received !== offset
    ) {
      return false;
    }
    if (r.retry) this.deps.clock.clearTimeout(r.retry);
    r.retry = undefined;
    r.link = link;
    const partial = r.partial;
    const meter = new ProgressMeter(this.deps.clock, record.size, offset, (p) =>
      this.deps.emit({ type: 'file_progress', id: record.id, direction: 'in', ...p }),
    );
    let lastSync = offset;
    // Fairness: after TURN_BYTES in one turn the link pauses until the next turn (setImmediate),
    // so the chat link's messages are read in between.
    const turn = { bytes: 0, armed: false, yielding: false };
    const endTurn = () => {
      turn.armed = false;
      turn.bytes = 0;
      if (!turn.yielding) return;
      turn.yielding = false;
      if (partial.pending < PAUSE_ABOVE_BYTES) link.resume();
    };
    link.on('close', () => void this.linkClosed(record, link));
    link.attach(() => {});
    link.attachData((chunk) => {
      if (r.link !== link || r.finished) return;
      if (r.received + chunk.length > record.size) {
        link.close('protocol-error', new Error('the sender sent more bytes than it offered'));
        void this.abort(record, 'protocol-error', 'the sender sent more bytes than it offered');
        return;
      }
      r.received += chunk.length;
      turn.bytes += chunk.length;
      if (!turn.armed) {
        turn.armed = true;
        setImmediate(endTurn);
      }
      if (turn.bytes >= TURN_BYTES && !turn.yielding) {
        turn.yielding = true;
        link.pause();
      }
      partial.write(chunk).then(
        () => {
          if (partial.pending < RESUME_BELOW_BYTES && !turn.yielding) link.resume();
        },
        (err: Error) => void this.writeFailed(record, err),
      );
      if (partial.pending > PAUSE_ABOVE_BYTES) link.pause();
      meter.update(r.received);
      if (r.received === record.size) void this.finish(record);
      else if (r.received - lastSync >= SYNC_EVERY_BYTES && !r.syncing) {
        lastSync = r.received;
        void this.checkpoint(record);
      }
    });
    if (offset === record.size) void this.finish(record);
    return true;
  }

  /** Peer came online: ask for what is missing. */
  resume(record: TransferRecord): void {
    void this.request(record);
  }

  /** Cancelled, rejected or failed: stop, and remove the partial file. */
  async discard(record: TransferRecord): Promise<void> {
    const r = this.running.get(record.id);
    this.running.delete(record.id);
    if (r) {
      r.finished = true;
      if (r.retry) this.deps.clock.clearTimeout(r.retry);
      r.link?.close('local');
      await r.partial?.close();
    }
    if (record.dir) await this.deps.files.remove(`${record.dir}/${partName(record.id)}`).catch(() => {});
  }

  /** Node stopping: what is written is synced and recorded, so the next run resumes from it. */
  async stopAll(): Promise<void> {
    const all = [...this.running.entries()];
    this.running.clear();
    await Promise.all(
      all.map(async ([id, r]) => {
        r.finished = true;
        if (r.retry) this.deps.clock.clearTimeout(r.retry);
        r.link?.close('local');
        const record = this.book.get(id);
        const written = await r.partial?.sync().catch(() => undefined);
        if (record?.state === 'accepted' && written !== undefined)
          this.book.save(record, { verified: written });
        await r.partial?.close();
      }),
    );
  }

  private state(id: string): Receiving {
    let r = this.running.get(id);
    if (!r) {
      r = {
        partial: undefined,
        link: undefined,
        received: 0,
        busy: false,
        syncing: undefined,
        retry: undefined,
        finished: false,
      };
      this.running.set(id, r);
    }
    return r;
  }

  private armRetry(record: TransferRecord): void {
    const r = this.running.get(record.id);
    if (!r) return;
    if (r.retry) this.deps.clock.clearTimeout(r.retry);
    r.retry = this.deps.clock.setTimeout(() => {
      r.retry = undefined;
      if (!r.link && this.deps.online(record.peerId)) void this.request(record);
    }, REQUEST_RETRY_MS);
    r.retry.unref?.();
  }

  private checkpoint(record: TransferRecord): Promise<void> {
    const r = this.running.get(record.id);
    if (!r?.partial) return Promise.resolve();
    const partial = r.partial;
    r.syncing ??= partial
      .sync()
      .then((written) => {
        if (this.running.get(record.id) === r && this.book.get(record.id)?.state === 'accepted')
          this.book.save(record, { verified: written });
      })
      .catch(() => {})
      .finally(() => {
        r.syncing = undefined;
      });
    return r.syncing;
  }

  /** The data link ended before the last byte: keep what is on disk, ask again. */
  private async linkClosed(record: TransferRecord, link: PeerLink): Promise<void> {
    const r = this.running.get(record.id);
    if (!r || r.link !== link || r.finished) return;
    r.busy = true;
    try {
      await r.syncing;
      await this.checkpoint(record);
      r.received = r.partial?.written ?? r.received;
    } finally {
      r.busy = false;
      r.link = undefined;
    }
    if (this.book.get(record.id)?.state === 'accepted' && this.deps.online(record.peerId))
      this.armRetry(record);
  }

  private async finish(record: TransferRecord): Promise<void> {
    const r = this.running.get(record.id);
    if (!r?.partial || r.finished) return;
    r.finished = true;
    const partial = r.partial;
    try {
      await partial.sync();
      const digest = partial.digest();
      await partial.close();
      if (digest !== record.sha256) {
        await this.abort(
          record,
          'hash-mismatch',
          `the received file's SHA-256 is ${digest}, the offer said ${record.sha256}; it was deleted`,
        );
        return;
      }
      if (this.book.get(record.id)?.state !== 'accepted') return; // cancelled meanwhile
      const path = await this.deps.files.publish(partial.path, record.dir ?? '', safeFileName(record.name));
      this.running.delete(record.id);
      r.link?.close('local');
      this.book.save(record, { state: 'done', finalPath: path, verified: record.size });
      this.deps.sendChat(record.peerId, { t: 'file_result', id: record.id, ok: true });
      this.deps.emit({
        type: 'file_done',
        id: record.id,
        direction: 'in',
        path,
        sha256: record.sha256,
        size: record.size,
      });
    } catch (err) {
      if (isDiskFull(err)) await this.writeFailed(record, err);
      else await this.abort(record, 'io-error', `cannot store the file: ${(err as Error).message}`);
    }
  }

  /** The sender is told `no-space` for a full disk, so that it can say why in its own words. */
  private writeFailed(record: TransferRecord, err: unknown): Promise<void> {
    if (isDiskFull(err)) return this.abort(record, 'no-space', diskFullWhileReceiving(record.dir));
    return this.abort(record, 'io-error', err instanceof Error ? err.message : String(err));
  }

  private async abort(record: TransferRecord, code: string, message: string): Promise<void> {
    if (this.book.get(record.id)?.state !== 'accepted') return;
    this.book.fail(record, code, message);
    this.deps.sendChat(record.peerId, { t: 'file_result', id: record.id, ok: false, code });
    await this.discard(record);
  }
}
