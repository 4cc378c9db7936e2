// An authenticated message channel to one peer: application frames over a secure stream, the
// hello exchange, and heartbeats. It knows nothing of rooms or outboxes; core drives it.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { FRAME_TYPE_FILE_CHUNK } from '../protocol/file-messages.js';
import { encodeFrame, FRAME_TYPE_MESSAGE } from '../protocol/frame-codec.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import { decodeMessage, encodeMessage, type Hello, type WireMessage } from '../protocol/messages.js';
import { type RateLimit, TokenBucket } from './token-bucket.js';

/** Heartbeat timing. A link cut without a FIN must be noticed within 15 s (issue 4): on a quiet
 * link the kernel's TCP keepalive does that (transport/tcp-transport.ts: 4 s idle + 10 probes 1 s
 * apart), and the heartbeat covers what keepalive cannot see. */
export interface HeartbeatTiming {
  /** Ping when something we sent has not been proven read for this long. */
  intervalMs: number;
  /** Declare the link dead when something we sent has not been proven read for this long. */
  timeoutMs: number;
  /** Ping a link on which nothing was received for this long, even though we sent nothing: finds
   * a peer whose process hangs (its kernel still answers keepalives) and links without keepalive. */
  idleMs: number;
}
// Why not ping every quiet link every few seconds (as before, 6 s): on a settled floor of 100 each
// node has 99 quiet links, and their pings and pongs were most of its idle CPU (a box pair, a write
// and a wake-up each, on both sides). The kernel's keepalive probes cost no process a wake-up, and
// the peer's kernel answers them even when its event loop is busy (no presence flap on a loaded
// floor). What keepalive cannot see: data we sent that is not acknowledged (the kernel retransmits
// for minutes and sends no probes meanwhile). So anything we send starts the 6 s / 14 s clock of
// silence, until a pong to a ping sent after it proves the peer read it. Other messages from the
// peer show it alive and restart the clock, but prove nothing (one may have crossed ours just
// before the cable was pulled: seen in the netns cut test, where the link then lived for minutes).
// Pongs start no clock: two quiet peers would otherwise ping each other forever; a pong is sent
// right after its ping arrived, when the link was alive. The idle ping catches a hung peer in 44 s.
export const DEFAULT_HEARTBEAT: HeartbeatTiming = { intervalMs: 6_000, timeoutMs: 14_000, idleMs: 30_000 };
/** The hello must arrive soon after the handshake, or the peer is not a lanchat node. Measured on
 * the wall clock from the moment the link exists (the link factory moves it back to the accept):
 * a peer that drips one byte at a time gains nothing by it. */
export const HELLO_TIMEOUT_MS = 5_000;
/** Socket errors that mean the connection is gone, not that the peer spoke nonsense. */
const LOST_CODES = new Set([
  'connection-lost',
  'EPIPE',
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Bounds on what we queue for one peer, in bytes of encoded frames the kernel has not taken yet
 * (`writableLength` of the secure stream: plaintext queued plus the batch being written). */
export interface SendLimits {
  /** Producers (catch-up, the outbox pump, file chunks) stop at this mark and wait for `room`. */
  pauseBytes: number;
  /** A message that would take the queue past this is refused and the link closed: only a peer
   * that reads nothing while flooding us with requests for answers (pings, acks) gets here. */
  maxBytes: number;
  /** A queue that reached `pauseBytes` must drain within this long, or the peer is disconnected. */
  stallMs: number;
}
export const DEFAULT_SEND_LIMITS: SendLimits = {
  pauseBytes: 4 * 1024 * 1024,
  maxBytes: 8 * 1024 * 1024,
  stallMs: 30_000,
};
/**
 * Messages a peer may send us: every message frame (chat, acks, pings, control) costs a decode and
 * usually a store write. Beyond the rate we stop reading its socket until the bucket has refilled:
 * TCP backpressure slows the sender, nothing is dropped, and its unacked messages stay in its
 * outbox. Far above what people type; the burst (25 s at the rate) lets a bot's 20,000 lines
 * through at full speed (bench:messaging's DM flood), and a peer that sends faster for longer
 * only gets slower: ~2,000 stored messages a second is a bounded share of our CPU.
 */
export const DEFAULT_INBOUND_RATE: RateLimit = { perSecond: 2_000, burst: 50_000 };
/** --max-peer-rate N allows a burst of this many seconds at N. */
export const INBOUND_BURST_SECONDS = 25;
/** File data held for a data link before its consumer attaches (a promise hop): a bound, so a peer
 * cannot park memory here. */
const MAX_DATA_BACKLOG_BYTES = 4 * 1024 * 1024;

export type LinkCloseReason =
  | 'goodbye'
  | 'connection-lost'
  | 'timeout'
  | 'protocol-error'
  | 'replaced'
  | 'stalled'
  | 'local';

export interface LinkClock {
  setInterval(fn: () => void, ms: number): { unref?(): unknown };
  clearInterval(handle: unknown): void;
  now(): number;
}

export interface PeerLinkEvents {
  hello: [Hello];
  /** The send queue, full before, drained: producers that paused may go on. */
  room: [];
  close: [LinkCloseReason, Error | undefined];
}

/** A secure stream: plaintext Duplex plus what the handshake proved and how it ended. */
export interface SecureSession extends Duplex {
  readonly remotePublicKey: Uint8Array;
  readonly closeReason: 'goodbye' | 'connection-lost' | 'error' | 'destroyed' | undefined;
}

export class PeerLink extends EventEmitter<PeerLinkEvents> {
  readonly remotePublicKey: Uint8Array;
  /** True when we dialled: decides which of two simultaneous connections survives. */
  readonly initiator: boolean;
  readonly remoteAddress: string;
  remoteHello: Hello | undefined;
  /** What we told the peer in our hello: state changed since then must be sent again. */
  sentHello: Hello | undefined;
  /** The peer announced this link is a duplicate it is dropping (it keeps our other link). */
  replacedByPeer = false;
  /** The peer announced it is quitting. */
  quitByPeer = false;
  /** The peer announced it does not accept our identity (its trust refused us). */
  refusedByPeer = false;
  private readonly decoder = new FrameDecoder();
  private lastReceived: number;
  /** When we sent the oldest thing the peer has not yet proven it read (a pong to a later ping). */
  private unprovenSince: number | undefined;
  /** When we sent the first thing after our last ping: that ping's pong does not prove it. */
  private sentSincePing: number | undefined;
  private lastPingAt = Number.NEGATIVE_INFINITY;
  private pingCounter = 0;
  private corked = false;
  // Messages that arrive between the hello and the moment core takes the link (a promise hop
  // later) are held here, so none is dropped on the floor.
  private backlog: WireMessage[] = [];
  private consumer: ((message: WireMessage) => void) | undefined;
  private dataBacklog: Uint8Array[] = [];
  private dataBacklogBytes = 0;
  private dataConsumer: ((chunk: Uint8Array) => void) | undefined;
  private closed = false;
  private readonly timer: unknown;
  private readonly limits: SendLimits;
  /** When the queue reached `pauseBytes`; cleared when it has drained. */
  private fullSince: number | undefined;
  /** Inbound message rate (undefined: unlimited); see DEFAULT_INBOUND_RATE. */
  private readonly inbound: TokenBucket | undefined;
  /** Reading is paused until this timer fires because the peer sent too fast. */
  private rateResume: ReturnType<typeof setTimeout> | undefined;
  /** Reading is paused because our disk is behind (pause()); the rate timer must not resume it. */
  private pausedByUser = false;

  constructor(
    private readonly session: SecureSession,
    opts: {
      initiator: boolean;
      remoteAddress: string;
      clock: LinkClock;
      heartbeat?: HeartbeatTiming;
      /** Clock time by which the hello must be complete (default: HELLO_TIMEOUT_MS from now). */
      helloDeadline?: number;
      sendLimits?: SendLimits;
      /** Messages per second the peer may send before we stop reading (DEFAULT_INBOUND_RATE);
       * null: unlimited. */
      inboundRate?: RateLimit | null;
      /** Told each time the peer's rate made us stop reading (a warning, rate-limited by core). */
      onRateLimited?: () => void;
    },
  ) {
    super();
    this.remotePublicKey = session.remotePublicKey;
    this.initiator = opts.initiator;
    this.remoteAddress = opts.remoteAddress;
    const clock = opts.clock;
    const heartbeat = opts.heartbeat ?? DEFAULT_HEARTBEAT;
    this.limits = opts.sendLimits ?? DEFAULT_SEND_LIMITS;
    this.lastReceived = clock.now();
    const helloDeadline = opts.helloDeadline ?? clock.now() + HELLO_TIMEOUT_MS;
    const rate = opts.inboundRate === undefined ? DEFAULT_INBOUND_RATE : opts.inboundRate;
    this.inbound = rate ? new TokenBucket(rate, clock.now()) : undefined;
    this.onRateLimited = opts.onRateLimited;
    session.on('drain', () => {
      if (this.fullSince === undefined || this.closed) return;
      this.fullSince = undefined;
      this.emit('room');
    });
    session.on('data', (chunk: Buffer) => this.onData(chunk, clock.now()));
    session.on('end', () =>
      this.close(session.closeReason === 'connection-lost' ? 'connection-lost' : 'goodbye'),
    );
    session.on('error', (err: Error) => {
      // A write into a connection the peer already closed (EPIPE, ECONNRESET) is a lost connection,
      // not a protocol error: it was reported as one, which read as a hostile peer in the logs.
      const code = (err as { code?: string }).code ?? '';
      const lost = session.closeReason === 'connection-lost' || LOST_CODES.has(code);
      this.close(lost ? 'connection-lost' : 'protocol-error', err);
    });
    session.on('close', () => this.close('connection-lost'));
    const tickMs = Math.max(50, Math.min(1_000, Math.floor(heartbeat.intervalMs / 4)));
    let lastTick = clock.now();
    const tick = () => {
      const now = clock.now();
      // A tick that comes far too late means our own event loop was stalled (a loaded host): what
      // the peer sent meanwhile may be waiting unread in the socket. Judge the link on the next
      // tick, after it has been read, instead of calling a live peer gone (a presence flap).
      const stalled = now - lastTick > 3 * tickMs;
      if (stalled) {
        // The stall does not count against the peer: its answer may be among what we did not read.
        const lost = now - lastTick - tickMs;
        if (this.unprovenSince !== undefined) this.unprovenSince += lost;
        if (this.sentSincePing !== undefined) this.sentSincePing += lost;
        this.lastPingAt += lost;
      }
      lastTick = now;
      if (stalled) return;
      // Silence that counts: since the oldest unproven send, or since the peer last sent anything
      // (it is alive and working through what we sent, e.g. a file's chunks on a slow link).
      const silentSince =
        this.unprovenSince === undefined ? undefined : Math.max(this.unprovenSince, this.lastReceived);
      if (!this.remoteHello && now >= helloDeadline) {
        this.close('timeout', new Error('the peer sent no complete hello in time after connecting'));
      } else if (this.fullSince !== undefined && now - this.fullSince >= this.limits.stallMs) {
        this.close(
          'stalled',
          new Error(
            `what we queued for it (${mib(this.session.writableLength)} MiB left) did not drain within ${Math.round(this.limits.stallMs / 1000)} s: it reads too slowly or not at all`,
          ),
        );
      } else if (silentSince !== undefined && now - silentSince >= heartbeat.timeoutMs) {
        this.close(
          'timeout',
          new Error(`silent for ${Math.round(heartbeat.timeoutMs / 1000)} s after what we sent`),
        );
      } else if (
        silentSince !== undefined
          ? now - silentSince >= heartbeat.intervalMs && now - this.lastPingAt >= heartbeat.intervalMs
          : now - this.lastReceived >= heartbeat.idleMs
      ) {
        // Only the side that heard nothing pings, and the pong answers it: one ping and one pong
        // per link, not one of each per side.
        this.lastPingAt = now;
        this.send({ t: 'ping', n: ++this.pingCounter });
        this.sentSincePing = undefined;
      }
    };
    const handle = clock.setInterval(tick, tickMs);
    handle.unref?.();
    this.timer = handle;
    this.clock = clock;
  }
  private readonly clock: LinkClock;
  private readonly onRateLimited: (() => void) | undefined;

  /** Hands every message after the hello (held ones first) to `consumer`. */
  attach(consumer: (message: WireMessage) => void): void {
    this.consumer = consumer;
    const held = this.backlog;
    this.backlog = [];
    for (const message of held) {
      if (this.closed) return;
      consumer(message);
    }
  }

  /** A data link: hands every file chunk (held ones first) to `consumer`. On a link without a data
   * consumer, file data is a protocol error (an unsolicited chunk closes the link). */
  attachData(consumer: (chunk: Uint8Array) => void): void {
    this.dataConsumer = consumer;
    const held = this.dataBacklog;
    this.dataBacklog = [];
    this.dataBacklogBytes = 0;
    for (const chunk of held) {
      if (this.closed) return;
      consumer(chunk);
    }
  }

  /** Stops reading from the peer (its writes back up to TCP): the disk is behind. */
  pause(): void {
    this.pausedByUser = true;
    this.session.pause();
  }

  resume(): void {
    this.pausedByUser = false;
    if (this.rateResume === undefined) this.session.resume();
  }

  /** True while we do not read because the peer sent faster than its rate. */
  get rateLimited(): boolean {
    return this.rateResume !== undefined;
  }

  /** Queues a binary frame; false when the link is closed. Check `congested` before the next. */
  sendFrame(type: number, payload: Uint8Array): boolean {
    return this.write(encodeFrame(type, payload), false, false);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Queues a message; returns false when it was not queued because the link is closed (or has
   * just been closed for overflowing its queue): the caller keeps it. Producers of bulk traffic
   * check `hasRoom` first and wait for `room`. */
  send(message: WireMessage): boolean {
    return this.write(
      encodeFrame(FRAME_TYPE_MESSAGE, encodeMessage(message)),
      true,
      message.t === 'pong' || message.t === 'hello',
    );
  }

  /** False while the send queue is at or above its pause mark: bulk producers wait for `room`. */
  get hasRoom(): boolean {
    return !this.closed && this.session.writableLength < this.limits.pauseBytes;
  }

  /** Bytes queued for the peer that the kernel has not taken yet. */
  get queuedBytes(): number {
    return this.session.writableLength;
  }

  /** True when the stream's write buffer is above its high-water mark. */
  get congested(): boolean {
    return this.session.writableNeedDrain;
  }

  /** `noProof`: nothing to prove read. A pong is an answer, which must not be answered in turn (or
   * two quiet peers would ping each other forever); it is sent right after the ping arrived, so
   * the link was alive a moment ago. A hello opens the link and carries nothing that is lost with
   * it: a link that dies right after it is found like any quiet one (TCP keepalive, 14 s), and
   * the first thing that matters sent on it is proven as usual. Proving every hello cost one ping
   * and pong per link 6 s after it came up: ≈ 140 messages per node on a floor of 100. */
  private write(frame: Uint8Array, cork: boolean, noProof: boolean): boolean {
    if (this.closed || this.session.destroyed || this.session.writableEnded) return false;
    const queued = this.session.writableLength;
    if (queued + frame.length > this.limits.maxBytes) {
      this.close(
        'stalled',
        new Error(
          `more than ${mib(this.limits.maxBytes)} MiB queued for it: it does not read what it asks for`,
        ),
      );
      return false;
    }
    if (!noProof) {
      const now = this.clock.now();
      this.unprovenSince ??= now;
      this.sentSincePing ??= now;
    }
    // Frames written in one turn of the event loop go out together: box-stream then seals them
    // in shared boxes (one MAC pair per 4 KiB instead of per message) with one socket write.
    if (cork && !this.corked) {
      this.corked = true;
      this.session.cork();
      process.nextTick(() => {
        this.corked = false;
        this.session.uncork();
      });
    }
    this.session.write(frame);
    if (this.fullSince === undefined && queued + frame.length >= this.limits.pauseBytes) {
      this.fullSince = this.clock.now();
    }
    return true;
  }

  onceDrained(fn: () => void): void {
    if (!this.session.writableNeedDrain) fn();
    else this.session.once('drain', fn);
  }

  /** Ends the link: a box-stream goodbye, then the socket closes. */
  close(reason: LinkCloseReason, error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearInterval(this.timer);
    if (this.rateResume !== undefined) clearTimeout(this.rateResume);
    this.rateResume = undefined;
    if (reason === 'local' || reason === 'replaced') {
      this.session.end();
      // A peer that never reads would keep the socket open; give the goodbye a moment, then drop.
      const kill = setTimeout(() => this.session.destroy(), 2_000);
      kill.unref();
      this.session.once('close', () => clearTimeout(kill));
    } else {
      this.session.destroy();
    }
    this.emit('close', reason, error);
  }

  /** False when the chunk was refused and the link closed. */
  private onFileData(chunk: Uint8Array): boolean {
    if (this.dataConsumer) {
      this.dataConsumer(chunk);
      return true;
    }
    if (!this.remoteHello || this.consumer || this.dataBacklogBytes + chunk.length > MAX_DATA_BACKLOG_BYTES) {
      this.close('protocol-error', new Error('file data arrived on a link that carries no transfer'));
      return false;
    }
    this.dataBacklog.push(chunk);
    this.dataBacklogBytes += chunk.length;
    return true;
  }

  private onData(chunk: Buffer, now: number): void {
    if (this.closed) return;
    this.lastReceived = now;
    let frames: ReturnType<FrameDecoder['push']>;
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.close('protocol-error', err as Error);
      return;
    }
    this.charge(frames, now);
    for (const frame of frames) {
      if (this.closed) return;
      if (frame.type === FRAME_TYPE_FILE_CHUNK) {
        if (!this.onFileData(frame.payload)) return;
        continue;
      }
      if (frame.type !== FRAME_TYPE_MESSAGE) continue; // other frame types belong to later versions
      let message: WireMessage | undefined;
      try {
        message = decodeMessage(frame.payload);
      } catch (err) {
        this.close('protocol-error', err as Error);
        return;
      }
      if (!message) continue;
      if (message.t === 'ping') {
        this.send({ t: 'pong', n: message.n });
        continue;
      }
      if (message.t === 'pong') {
        // The peer read our ping, so everything we sent before it (TCP keeps the order). Anything
        // else it sends proves nothing: it may have crossed ours on the wire just before a cut.
        if (message.n === this.pingCounter) this.unprovenSince = this.sentSincePing;
        continue;
      }
      if (message.t === 'hello') {
        if (this.remoteHello) continue; // a second hello is ignored; nick changes have their own type
        this.remoteHello = message;
        this.emit('hello', message);
        continue;
      }
      if (!this.remoteHello) {
        this.close('protocol-error', new Error(`a ${message.t} message arrived before hello`));
        return;
      }
      if (this.consumer) this.consumer(message);
      else this.backlog.push(message);
    }
  }

  /** Takes a token per message frame; in debt, stops reading until the bucket has refilled. The
   * frames already read are handled all the same: acks for them keep the sender's outbox honest. */
  private charge(frames: readonly { type: number }[], now: number): void {
    if (!this.inbound || frames.length === 0) return;
    let messages = 0;
    for (const frame of frames) if (frame.type === FRAME_TYPE_MESSAGE) messages++;
    const waitMs = this.inbound.take(messages, now);
    if (waitMs === 0 || this.rateResume !== undefined) return;
    this.session.pause();
    this.onRateLimited?.();
    const timer = setTimeout(() => {
      this.rateResume = undefined;
      if (this.closed) return;
      // We chose not to read: the silence was ours, not the peer's.
      this.lastReceived = this.clock.now();
      if (!this.pausedByUser) this.session.resume();
      // The next read is charged again, so a peer that stays too fast stays slowed.
    }, waitMs);
    timer.unref?.();
    this.rateResume = timer;
  }
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
