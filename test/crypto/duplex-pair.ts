// An in-memory connection for driver tests: two Duplex ends, delivery on the next macrotask (like
// a socket), a byte count per direction, and an optional tap per direction that may rewrite or
// drop chunks (man in the middle). Destroying or ending one end ends the other's readable side,
// as a TCP FIN would.
import { Duplex } from 'node:stream';

export type Tap = (chunk: Buffer, offset: number) => Buffer | null;

export interface End extends Duplex {
  /** Bytes this end has written (before any tap). */
  readonly bytesSent: number;
  /** Bytes delivered to this end's readable side. */
  readonly bytesReceived: number;
}

class PairEnd extends Duplex implements End {
  bytesSent = 0;
  bytesReceived = 0;
  peer!: PairEnd;
  tap: Tap | undefined;
  #finished = false;

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const offset = this.bytesSent;
    this.bytesSent += chunk.length;
    const delivered = this.tap ? this.tap(chunk, offset) : chunk;
    setImmediate(() => {
      if (delivered && !this.peer.destroyed && !this.peer.readableEnded) {
        this.peer.bytesReceived += delivered.length;
        this.peer.push(delivered);
      }
      callback();
    });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finish();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#finish();
    callback(error);
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    setImmediate(() => {
      if (!this.peer.destroyed) this.peer.push(null);
    });
  }
}

export function duplexPair(taps: { clientToServer?: Tap; serverToClient?: Tap } = {}): {
  client: End;
  server: End;
} {
  const client = new PairEnd();
  const server = new PairEnd();
  client.peer = server;
  server.peer = client;
  client.tap = taps.clientToServer;
  server.tap = taps.serverToClient;
  return { client, server };
}

/** Taps that flip one bit at an absolute byte offset of a direction. */
export function flipBitAt(position: number, bit = 0): Tap {
  return (chunk, offset) => {
    if (position < offset || position >= offset + chunk.length) return chunk;
    const copy = Buffer.from(chunk);
    copy[position - offset]! ^= 1 << bit;
    return copy;
  };
}

/** Resolves when `condition` holds, polling on macrotasks; rejects after `ms` (no fixed sleeps). */
export async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
