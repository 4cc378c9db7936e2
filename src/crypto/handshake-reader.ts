// Reads exact byte counts from a Duplex during the handshake, then hands the stream (and any bytes
// that arrived early, e.g. the first box) over to the session. Listening on 'data' rather than
// read(n) keeps this working on any Duplex, including in-memory pairs.
import type { Duplex } from 'node:stream';
import { HandshakeError } from './handshake-error.js';

/** Bytes held for reads not yet asked for. An honest peer is never more than one handshake message
 * (at most 112 bytes) plus its first few boxes ahead of us; without a bound, anyone who knows the
 * network key (the default one is public) could fill our memory for the whole deadline. */
export const MAX_HANDSHAKE_BUFFER_BYTES = 64 * 1024;

interface PendingRead {
  readonly length: number;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (error: Error) => void;
}

export class HandshakeReader {
  readonly #raw: Duplex;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #pending: PendingRead | undefined;
  #failure: Error | undefined;
  readonly #onData = (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.#failure) return;
    this.#chunks.push(bytes);
    this.#buffered += bytes.length;
    if (this.#buffered - (this.#pending?.length ?? 0) > MAX_HANDSHAKE_BUFFER_BYTES) {
      this.#chunks = [];
      this.#buffered = 0;
      this.fail(
        new HandshakeError(
          'flood',
          `handshake: the peer sent more than ${MAX_HANDSHAKE_BUFFER_BYTES} bytes before it was its turn`,
        ),
      );
      return;
    }
    this.#settle();
  };
  readonly #onEnd = () =>
    this.fail(new HandshakeError('connection-lost', 'handshake: the peer closed the connection'));
  readonly #onError = (error: Error) =>
    this.fail(
      new HandshakeError('connection-lost', `handshake: the connection failed (${error.message})`, {
        cause: error,
      }),
    );

  constructor(raw: Duplex) {
    this.#raw = raw;
    raw.on('data', this.#onData);
    raw.on('end', this.#onEnd);
    raw.on('close', this.#onEnd);
    raw.on('error', this.#onError);
  }

  /** Resolves with exactly `length` bytes, or rejects once the stream ends or fails first. */
  read(length: number): Promise<Uint8Array> {
    if (this.#pending) throw new Error('HandshakeReader: one read at a time');
    return new Promise((resolve, reject) => {
      this.#pending = { length, resolve, reject };
      this.#settle();
    });
  }

  /** Rejects the pending read and every later one (deadline, limiter, caller abort). */
  fail(error: Error): void {
    this.#failure ??= error;
    this.#settle();
  }

  /** For steps that did not read (e.g. after authorize()): did the stream fail meanwhile? */
  throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }

  /** Stops listening and returns what arrived beyond the handshake. The caller must attach its own
   * 'data' listener in the same tick, so no chunk is emitted in between. */
  detach(): Buffer {
    this.#raw.off('data', this.#onData);
    this.#raw.off('end', this.#onEnd);
    this.#raw.off('close', this.#onEnd);
    this.#raw.off('error', this.#onError);
    const rest = Buffer.concat(this.#chunks, this.#buffered);
    this.#chunks = [];
    this.#buffered = 0;
    return rest;
  }

  #settle(): void {
    const pending = this.#pending;
    if (!pending) return;
    if (this.#buffered >= pending.length) {
      const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#buffered);
      this.#chunks = all.length > pending.length ? [all.subarray(pending.length)] : [];
      this.#buffered -= pending.length;
      this.#pending = undefined;
      pending.resolve(new Uint8Array(all.subarray(0, pending.length)));
    } else if (this.#failure) {
      this.#pending = undefined;
      pending.reject(this.#failure);
    }
  }
}
