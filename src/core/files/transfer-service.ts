// File transfers: offers and answers on the chat link, bytes on separate data links (see
// file-sender.ts and file-receiver.ts). Every state change is persisted first, so offers, accepts
// and partial files survive a restart of either side; resume is always driven by the receiver,
// which alone knows how many bytes it really has.
import type { PeerLink } from '../../connection/peer-link.js';
import type { FileMessage } from '../../protocol/file-messages.js';
import { safeFileName } from '../../protocol/file-names.js';
import type { Hello } from '../../protocol/messages.js';
import type { TransferRecord } from '../../store/store.js';
import type { TransferView } from '../events.js';
import { FileReceiver } from './file-receiver.js';
import { FileSender } from './file-sender.js';
import { TransferBook, type TransferDeps } from './transfer-context.js';
import { TransferError } from './transfer-error.js';

/** Room left on the disk beyond the file itself, so a download never fills it to the last byte. */
const FREE_SPACE_MARGIN_BYTES = 64 * 1024 * 1024;
/** Default --max-downloading: what unfinished downloads may grow to in total. */
export const DEFAULT_MAX_DOWNLOADING_BYTES = 16 * 1024 ** 3;
/** Offers from one peer waiting for an answer. Each is a row on disk and a line on screen, and a
 * peer could send thousands; an office's pending offers are a handful. */
export const MAX_OPEN_OFFERS_PER_PEER = 64;
/** What the sender is told when the receiver's limits, not its user, refused an offer. */
const REJECT_REASONS: Record<string, string> = {
  'too-large': 'it is above their size limit',
  'over-quota': 'their unfinished downloads are at their limit; offer it again once those are done',
  'too-many-offers': 'they have too many offers from you waiting for an answer',
};
/** Finished incoming transfers whose verdict is repeated to their sender when it comes back. */
const RESULT_REPLAY = 20;

export class TransferService {
  private readonly book: TransferBook;
  private readonly sender: FileSender;
  private readonly receiver: FileReceiver;

  /** Peers told about once that their offers are being refused (MAX_OPEN_OFFERS_PER_PEER). */
  private readonly offerFloodWarned = new Set<string>();

  constructor(private readonly deps: TransferDeps) {
    this.book = new TransferBook(deps);
    this.sender = new FileSender(deps, this.book);
    this.receiver = new FileReceiver(deps, this.book);
  }

  // ---- commands ----

  async offer(peerId: string, nick: string, path: string): Promise<TransferView> {
    void this.deps.fastCrypto(); // loads while the file is hashed and the peer decides
    const absolute = this.deps.files.resolve(path);
    const info = await this.deps.files.inspect(absolute).catch((cause: unknown) => {
      const code = (cause as { code?: string }).code === 'not-a-file' ? 'not-a-file' : 'not-found';
      throw new TransferError(code, (cause as Error).message, { cause });
    });
    const now = this.deps.clock.now();
    const record = this.book.add({
      id: this.deps.newId(),
      direction: 'out',
      peerId,
      peerNick: nick,
      name: info.name,
      size: info.size,
      sha256: info.sha256,
      state: 'offered',
      sourcePath: absolute,
      verified: 0,
      createdAt: now,
      updatedAt: now,
    });
    this.deps.emit({
      type: 'file_offered',
      id: record.id,
      to: this.deps.ref(peerId, nick),
      name: info.name,
      size: info.size,
      sha256: info.sha256,
      path: absolute,
    });
    // Offline: the offer goes out when the peer comes online (see peerOnline).
    this.sendOffer(record);
    return this.view(record);
  }

  async accept(id: string, dir?: string): Promise<TransferView> {
    const record = this.incoming(id, 'offered');
    const over = this.overQuota(record.size);
    if (over !== undefined)
      throw new TransferError('over-quota', `cannot accept ${safeFileName(record.name)}: ${over}`);
    const target = this.deps.files.resolve(dir ?? this.deps.policy.downloadDir);
    await this.deps.files.ensureDir(target);
    const free = await this.deps.files.freeBytes(target);
    if (free < record.size + FREE_SPACE_MARGIN_BYTES) {
      throw new TransferError(
        'no-space',
        `${target} has ${mib(free)} MiB free; ${record.name} needs ${mib(record.size)} MiB: free some space or /accept ${id} OTHER_DIR`,
      );
    }
    this.book.save(record, { state: 'accepted', dir: target, verified: 0 });
    this.deps.emit({
      type: 'file_accepted',
      id,
      direction: 'in',
      peer: this.deps.ref(record.peerId, record.peerNick),
      offset: 0,
    });
    await this.receiver.request(record);
    return this.view(record);
  }

  reject(id: string): TransferView {
    const record = this.incoming(id, 'offered');
    this.deps.sendChat(record.peerId, { t: 'file_reject', id });
    this.book.fail(record, 'rejected', `you rejected ${safeFileName(record.name)}`);
    return this.view(record);
  }

  async cancel(id: string): Promise<TransferView> {
    const record = this.book.get(id);
    if (!record) throw new TransferError('unknown-transfer', `no transfer ${id}; /transfers lists them`);
    if (record.state !== 'offered' && record.state !== 'accepted') {
      throw new TransferError('invalid-state', `transfer ${id} is already ${record.state}`);
    }
    this.deps.sendChat(record.peerId, { t: 'file_cancel', id });
    this.book.fail(record, 'cancelled', 'cancelled by you');
    await this.teardown(record);
    return this.view(record);
  }

  list(limit = 100): TransferView[] {
    return this.deps.transfers.list(limit).map((r) => this.view(this.book.get(r.id) ?? r));
  }

  // ---- from the network ----

  onMessage(peerId: string, nick: string, message: FileMessage): void {
    if (message.t === 'file_offer') {
      this.onOffer(peerId, nick, message);
      return;
    }
    const record = this.book.get(message.id);
    // Someone else's transfer, or one we know nothing of: not this peer's business.
    if (!record || record.peerId !== peerId) return;
    const open = record.state === 'offered' || record.state === 'accepted';
    switch (message.t) {
      case 'file_accept':
        if (record.direction !== 'out' || !open || message.offset > record.size) return;
        if (record.state === 'offered') {
          this.book.save(record, { state: 'accepted' });
          this.deps.emit({
            type: 'file_accepted',
            id: record.id,
            direction: 'out',
            peer: this.deps.ref(peerId, nick),
            offset: message.offset,
          });
        }
        void this.sender.start(record, message.offset);
        return;
      case 'file_reject': {
        if (record.direction !== 'out' || record.state !== 'offered') return;
        const reason = message.code === undefined ? undefined : REJECT_REASONS[message.code];
        this.book.fail(record, 'rejected', `${nick} rejected ${record.name}${reason ? `: ${reason}` : ''}`);
        return;
      }
      case 'file_cancel':
        if (!open) return;
        this.book.fail(record, 'cancelled', `${nick} cancelled the transfer`);
        void this.teardown(record);
        return;
      case 'file_result':
        if (record.direction !== 'out' || record.state !== 'accepted') return;
        this.sender.stop(record.id);
        if (message.ok) {
          this.book.save(record, { state: 'done', verified: record.size });
          const path = record.sourcePath ?? '';
          this.deps.emit({
            type: 'file_done',
            id: record.id,
            direction: 'out',
            path,
            sha256: record.sha256,
            size: record.size,
          });
        } else {
          const code = message.code ?? 'failed';
          const why = code === 'no-space' ? 'its disk is full; send it again once it has freed space' : code;
          this.book.fail(record, code, `${nick} could not store ${record.name} (${why})`);
        }
        return;
    }
  }

  /** A data link from `peerId`: adopted by the receiver if it names a transfer we asked for. */
  onDataLink(peerId: string, link: PeerLink, hello: Hello): void {
    const record = hello.transfer === undefined ? undefined : this.book.get(hello.transfer);
    if (!this.receiver.adopt(record, peerId, link, hello.offset ?? -1)) {
      link.close('protocol-error', new Error('a data link for no transfer we asked for'));
      this.deps.emit({
        type: 'warning',
        code: 'unsolicited-file-data',
        message: `refused file data for transfer ${hello.transfer ?? '?'}: not an accepted transfer from that peer at that offset`,
      });
    }
  }

  /** The chat link to a peer is up: re-send offers it may have missed, resume what we receive. */
  peerOnline(peerId: string): void {
    // A sender that was away when we finished never heard the verdict; it ignores repeats.
    for (const done of this.deps.transfers.list(RESULT_REPLAY)) {
      if (done.direction !== 'in' || done.peerId !== peerId) continue;
      if (done.state === 'done') this.deps.sendChat(peerId, { t: 'file_result', id: done.id, ok: true });
      else if (done.state === 'failed' && done.errorCode)
        this.deps.sendChat(peerId, { t: 'file_result', id: done.id, ok: false, code: done.errorCode });
    }
    for (const stored of this.deps.transfers.open()) {
      if (stored.peerId !== peerId) continue;
      const record = this.book.get(stored.id) ?? stored;
      if (record.direction === 'out' && record.state === 'offered') this.sendOffer(record);
      if (record.direction === 'in' && record.state === 'accepted') this.receiver.resume(record);
    }
  }

  async stop(): Promise<void> {
    this.sender.stopAll();
    await this.receiver.stopAll();
  }

  // ---- internals ----

  private onOffer(peerId: string, nick: string, offer: Extract<FileMessage, { t: 'file_offer' }>): void {
    const known = this.book.get(offer.id);
    if (known) {
      // A repeated offer (the sender came back) is fine; an id that is somebody else's is not.
      const repeat = known.direction === 'in' && known.peerId === peerId && known.sha256 === offer.sha256;
      if (!repeat) {
        this.deps.emit({
          type: 'warning',
          code: 'duplicate-transfer-id',
          message: `ignored an offer from ${nick} reusing transfer id ${offer.id}`,
        });
      } else if (known.state === 'rejected' || known.state === 'cancelled') {
        this.deps.sendChat(peerId, {
          t: known.state === 'rejected' ? 'file_reject' : 'file_cancel',
          id: offer.id,
        });
      }
      return;
    }
    if (this.openOffersFrom(peerId) >= MAX_OPEN_OFFERS_PER_PEER) {
      // Not recorded: a flood of offers must not become a flood of rows or of lines on screen.
      this.deps.sendChat(peerId, { t: 'file_reject', id: offer.id, code: 'too-many-offers' });
      if (!this.offerFloodWarned.has(peerId)) {
        this.offerFloodWarned.add(peerId);
        this.deps.emit({
          type: 'warning',
          code: 'too-many-offers',
          message: `refusing file offers from ${nick}: ${MAX_OPEN_OFFERS_PER_PEER} of theirs are already waiting for an answer (/transfers)`,
        });
      }
      return;
    }
    const now = this.deps.clock.now();
    const record = this.book.add({
      id: offer.id,
      direction: 'in',
      peerId,
      peerNick: nick,
      name: offer.name,
      size: offer.size,
      sha256: offer.sha256,
      state: 'offered',
      verified: 0,
      createdAt: now,
      updatedAt: now,
    });
    const name = safeFileName(offer.name);
    if (offer.size > this.deps.policy.maxFileSize) {
      this.deps.sendChat(peerId, { t: 'file_reject', id: offer.id, code: 'too-large' });
      this.book.fail(
        record,
        'too-large',
        `${nick} offered ${name} (${mib(offer.size)} MiB), above the limit of ${mib(this.deps.policy.maxFileSize)} MiB`,
      );
      return;
    }
    const over = this.overQuota(offer.size);
    if (over !== undefined) {
      this.deps.sendChat(peerId, { t: 'file_reject', id: offer.id, code: 'over-quota' });
      this.book.fail(record, 'over-quota', `refused ${name} from ${nick}: ${over}`);
      return;
    }
    void this.deps.fastCrypto(); // loads while the user decides
    this.deps.emit({
      type: 'file_offer',
      id: offer.id,
      from: this.deps.ref(peerId, nick),
      name,
      size: offer.size,
      sha256: offer.sha256,
    });
    if (this.deps.policy.autoAcceptVerified && this.deps.verified(peerId)) {
      this.accept(offer.id).catch((err: Error) => {
        const code = err instanceof TransferError ? err.code : 'io-error';
        this.deps.emit({ type: 'warning', code, message: `could not auto-accept ${name}: ${err.message}` });
      });
    }
  }

  /** Why taking on `size` more bytes of download would break --max-downloading, or undefined. */
  private overQuota(size: number): string | undefined {
    const limit = this.deps.policy.maxDownloadingBytes;
    let downloading = 0;
    for (const stored of this.deps.transfers.open()) {
      const r = this.book.get(stored.id) ?? stored;
      if (r.direction === 'in' && r.state === 'accepted') downloading += r.size;
    }
    if (downloading + size <= limit) return undefined;
    return (
      `unfinished downloads would take ${mib(downloading + size)} MiB, above --max-downloading ` +
      `${mib(limit)} MiB (${mib(downloading)} MiB already accepted); finish or /cancel one first`
    );
  }

  private openOffersFrom(peerId: string): number {
    let n = 0;
    for (const stored of this.deps.transfers.open()) {
      const r = this.book.get(stored.id) ?? stored;
      if (r.direction === 'in' && r.state === 'offered' && r.peerId === peerId) n++;
    }
    return n;
  }

  private sendOffer(record: TransferRecord): void {
    this.deps.sendChat(record.peerId, {
      t: 'file_offer',
      id: record.id,
      name: record.name,
      size: record.size,
      sha256: record.sha256,
    });
  }

  private async teardown(record: TransferRecord): Promise<void> {
    if (record.direction === 'out') this.sender.stop(record.id);
    else await this.receiver.discard(record);
  }

  private incoming(id: string, state: TransferRecord['state']): TransferRecord {
    const record = this.book.get(id);
    if (record?.direction !== 'in') {
      throw new TransferError('unknown-transfer', `no incoming transfer ${id}; /transfers lists them`);
    }
    if (record.state !== state) throw new TransferError('invalid-state', `transfer ${id} is ${record.state}`);
    return record;
  }

  private view(record: TransferRecord): TransferView {
    const view: TransferView = {
      id: record.id,
      direction: record.direction,
      peer: this.deps.ref(record.peerId, record.peerNick),
      name: record.direction === 'in' ? safeFileName(record.name) : record.name,
      size: record.size,
      sha256: record.sha256,
      state: record.state,
      bytes:
        record.direction === 'in'
          ? this.receiver.bytes(record)
          : record.state === 'done'
            ? record.size
            : this.sender.bytes(record.id),
    };
    const path = record.direction === 'in' ? record.finalPath : record.sourcePath;
    if (path !== undefined) view.path = path;
    if (record.errorCode) view.error = { code: record.errorCode, message: record.errorMessage ?? '' };
    return view;
  }
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
