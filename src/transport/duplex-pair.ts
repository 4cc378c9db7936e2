// Two Duplex streams wired to each other, for the in-memory transport and tests: what one writes
// the other reads. They behave like the two ends of a TCP connection as the transport contract
// describes it: backpressure (a writer's callback waits until the reader drains), end propagation
// with allowHalfOpen false (one side ends → the other reads the rest, ends, both close), and
// destroy propagation (the peer sees 'end' and closes, as after a FIN). Chunks are copied, as the
// kernel would, so a writer reusing its buffer cannot change what the reader got.
import { Duplex } from 'node:stream';

/** Shared by both ends; while `up` is false, everything written (data and end) silently vanishes,
 * like a link cut without a FIN. */
export interface LinkState {
  readonly up: boolean;
}

export interface DuplexPairOptions {
  /** Readable/writable buffer size per end, bytes (default 16 KiB, like a net.Socket). */
  highWaterMark?: number;
  link?: LinkState;
}

const ALWAYS_UP: LinkState = { up: true };

class PairEnd extends Duplex {
  peer: PairEnd | undefined;
  /** The peer's write callback, held back until this end's reader asks for more. */
  private heldWrite: (() => void) | undefined;
  /** True once end-of-stream was pushed into this end's readable side. */
  private eofPushed = false;

  constructor(
    private readonly link: LinkState,
    highWaterMark: number,
  ) {
    super({ allowHalfOpen: false, highWaterMark });
  }

  /** Called by the peer's _write. */
  deliver(chunk: Buffer, done: () => void): void {
    if (this.destroyed || this.eofPushed || !this.link.up) {
      done();
      return;
    }
    if (this.push(chunk)) done();
    else this.heldWrite = done;
  }

  /** Called by the peer when it ends or is destroyed. */
  deliverEnd(): void {
    if (this.destroyed || this.eofPushed) return;
    this.eofPushed = true;
    this.push(null);
  }

  override _read(): void {
    const done = this.heldWrite;
    this.heldWrite = undefined;
    done?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.peer?.deliver(Buffer.from(chunk), () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.link.up) this.peer?.deliverEnd();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Release a writer blocked on us, then tell the peer the connection is gone.
    this._read();
    if (this.link.up) this.peer?.deliverEnd();
    callback(error);
  }
}

export function duplexPair(options: DuplexPairOptions = {}): [Duplex, Duplex] {
  const link = options.link ?? ALWAYS_UP;
  const highWaterMark = options.highWaterMark ?? 16 * 1024;
  const a = new PairEnd(link, highWaterMark);
  const b = new PairEnd(link, highWaterMark);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
