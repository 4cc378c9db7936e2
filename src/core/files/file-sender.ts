// The sending half: when the receiver accepts (or asks to resume from an offset), dial a data link
// naming the transfer and stream the file from that offset with backpressure: a chunk is read from
// disk only when the link's write buffer has room, so memory stays flat whatever the file size.
import type { PeerLink } from '../../connection/peer-link.js';
import { FRAME_TYPE_FILE_CHUNK } from '../../protocol/file-messages.js';
import type { TransferRecord } from '../../store/store.js';
import type { FileSource } from './file-access.js';
import { ProgressMeter } from './progress-meter.js';
import type { TransferBook, TransferDeps } from './transfer-context.js';

interface Sending {
  /** Bumped by every new request: an older pump that wakes up sees it is stale and stops. */
  generation: number;
  link: PeerLink | undefined;
}

export class FileSender {
  private readonly running = new Map<string, Sending>();
  /** Bytes handed to the data link, per transfer (for /transfers). */
  private readonly progress = new Map<string, number>();

  constructor(
    private readonly deps: TransferDeps,
    private readonly book: TransferBook,
  ) {}

  /** The receiver wants the bytes from `offset` on (first accept or a resume). */
  async start(record: TransferRecord, offset: number): Promise<void> {
    const sending = this.running.get(record.id) ?? { generation: 0, link: undefined };
    this.running.set(record.id, sending);
    const generation = ++sending.generation;
    sending.link?.close('local');
    sending.link = undefined;
    const current = await this.deps.files.stat(record.sourcePath ?? '').catch(() => undefined);
    if (current?.size !== record.size) {
      this.deps.sendChat(record.peerId, { t: 'file_cancel', id: record.id });
      this.book.fail(
        record,
        'source-changed',
        `${record.sourcePath} changed or vanished since it was offered`,
      );
      this.stop(record.id);
      return;
    }
    // Every byte of the file is boxed on the engine we settle on here (libsodium unless it failed
    // to load): a transfer never runs at tweetnacl's speed because it started too early.
    await this.deps.fastCrypto();
    let link: PeerLink;
    try {
      link = await this.deps.dialData(record.peerId, record.id, offset);
    } catch {
      // The receiver asks again (its watchdog, or when the chat link comes back).
      return;
    }
    if (generation !== sending.generation || this.book.get(record.id)?.state !== 'accepted') {
      link.close('local');
      return;
    }
    sending.link = link;
    link.attach(() => {}); // the receiver's verdict comes on the chat link
    let source: FileSource | undefined;
    try {
      source = await this.deps.files.openSource(record.sourcePath ?? '', offset);
      const meter = new ProgressMeter(this.deps.clock, record.size, offset, (p) =>
        this.deps.emit({ type: 'file_progress', id: record.id, direction: 'out', ...p }),
      );
      const sent = await pump(link, source, offset, record.size, (bytes) => {
        this.progress.set(record.id, bytes);
        meter.update(bytes);
      });
      // end() flushes every queued chunk before the goodbye.
      if (sent === record.size) link.close('local');
    } catch {
      link.close('local');
    } finally {
      await source?.close().catch(() => {});
    }
  }

  bytes(id: string): number {
    return this.progress.get(id) ?? 0;
  }

  /** Stops whatever is running for a transfer (cancel, result received, node stopping). */
  stop(id: string): void {
    const sending = this.running.get(id);
    if (!sending) return;
    sending.generation++;
    sending.link?.close('local');
    this.running.delete(id);
  }

  stopAll(): void {
    for (const id of [...this.running.keys()]) this.stop(id);
  }
}

/** Sends bytes offset..size; returns how far it got (less than size when the link closed). The
 * next chunk is read from disk while the current one is encrypted and sent. */
async function pump(
  link: PeerLink,
  source: FileSource,
  offset: number,
  size: number,
  onBytes: (bytes: number) => void,
): Promise<number> {
  let sent = offset;
  let next = source.read();
  try {
    while (sent < size) {
      const chunk = await next;
      if (link.isClosed) return sent;
      if (!chunk) throw new Error('the file got shorter while it was sent');
      const take = Math.min(chunk.length, size - sent);
      next = sent + take < size ? source.read() : Promise.resolve(null);
      if (!link.sendFrame(FRAME_TYPE_FILE_CHUNK, take === chunk.length ? chunk : chunk.subarray(0, take)))
        return sent;
      sent += take;
      onBytes(sent);
      // One chunk in flight: a deeper queue only makes the encrypting write bigger (it blocks the
      // event loop longer, chat waits) without making the CPU-bound stream faster.
      if (link.congested) await drainedOrClosed(link);
    }
    return sent;
  } finally {
    // A read started ahead may still fail (the link closed first): nobody awaits it otherwise.
    next.catch(() => {});
  }
}

function drainedOrClosed(link: PeerLink): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      link.off('close', done);
      resolve();
    };
    link.once('close', done);
    link.onceDrained(done);
  });
}
