// An authenticated, encrypted Duplex of plaintext Buffers over any raw Duplex, once SHS is done.
// It tells a clean end from a cut: the readable side ends ('end') only on the peer's goodbye; a
// transport that closes without one destroys the stream with SecureStreamError('connection-lost').
// Callers must listen for 'error' (as with any Node stream); a bad box never throws past it.
import { Duplex } from 'node:stream';
import { BoxStreamDecoder } from './box-stream-decoder.js';
import { BoxStreamEncoder } from './box-stream-encoder.js';
import { SecureStreamError, type SecureStreamErrorCode } from './secure-stream-error.js';
import type { SessionKeys } from './shs-session.js';

/** Why the readable side stopped: the peer's goodbye, a cut transport, a protocol error, or a
 * local destroy(). Undefined while the stream is open. */
export type CloseReason = 'goodbye' | 'connection-lost' | 'error' | 'destroyed';

export class SecureStream extends Duplex {
  /** The peer's long-term Ed25519 key, proven by the handshake. */
  readonly remotePublicKey: Uint8Array;
  #closeReason: CloseReason | undefined;
  readonly #raw: Duplex;
  readonly #encoder: BoxStreamEncoder;
  readonly #decoder: BoxStreamDecoder;
  readonly #onData = (chunk: Buffer | string) =>
    this.#receive(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  readonly #onEnd = () => this.#transportGone();
  readonly #onClose = () => this.#transportGone();
  readonly #onError = (error: Error) =>
    this.#fail('connection-lost', `secure stream: the connection failed (${error.message})`, error);

  /** `early` holds bytes that arrived together with the last handshake message. */
  constructor(raw: Duplex, session: SessionKeys, early: Uint8Array = new Uint8Array(0)) {
    super();
    this.remotePublicKey = session.remotePublicKey;
    this.#raw = raw;
    this.#encoder = new BoxStreamEncoder(session.encryptKey, session.encryptNonce);
    this.#decoder = new BoxStreamDecoder(session.decryptKey, session.decryptNonce);
    raw.on('data', this.#onData);
    raw.on('end', this.#onEnd);
    raw.on('close', this.#onClose);
    raw.on('error', this.#onError);
    if (early.length > 0) this.#receive(early);
    // The raw stream may already be over (it closed right after the last handshake message).
    if (raw.readableEnded || raw.destroyed) this.#transportGone();
  }

  get closeReason(): CloseReason | undefined {
    return this.#closeReason;
  }

  override _read(): void {
    if (this.#raw.isPaused()) this.#raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#send(chunk, callback);
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    // Coalesce queued writes so that small writes share boxes (34 bytes of overhead each).
    this.#send(Buffer.concat(chunks.map((c) => c.chunk)), callback);
  }

  /** end() sends the goodbye, then half-closes the transport. */
  override _final(callback: (error?: Error | null) => void): void {
    if (this.#raw.writable) this.#raw.end(this.#encoder.goodbye());
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#closeReason ??= error ? 'error' : 'destroyed';
    this.#raw.off('data', this.#onData);
    this.#raw.off('end', this.#onEnd);
    this.#raw.off('close', this.#onClose);
    // Keep swallowing transport errors after we are gone, so none goes unhandled.
    this.#raw.off('error', this.#onError);
    this.#raw.on('error', () => {});
    this.#raw.destroy();
    callback(error);
  }

  #send(plain: Buffer, callback: (error?: Error | null) => void): void {
    if (this.#encoder.ended) {
      callback(new SecureStreamError('write-after-end', 'secure stream: write after goodbye'));
      return;
    }
    this.#raw.write(this.#encoder.encode(plain), callback);
  }

  #receive(chunk: Uint8Array): void {
    if (this.#closeReason) return;
    let result: ReturnType<BoxStreamDecoder['push']>;
    try {
      result = this.#decoder.push(chunk);
    } catch (error) {
      this.#fail('box-stream', `secure stream: ${(error as Error).message}`, error);
      return;
    }
    let wantMore = true;
    for (const message of result.messages) wantMore = this.push(message);
    if (result.goodbye) {
      this.#closeReason = 'goodbye';
      this.push(null);
    } else if (!wantMore) {
      this.#raw.pause(); // backpressure: _read() resumes it
    }
  }

  #transportGone(): void {
    if (this.#closeReason === 'goodbye') {
      // A clean end was already signalled; once the transport is fully closed, so are we.
      if (this.#raw.destroyed && !this.destroyed) this.destroy();
      return;
    }
    if (this.#closeReason) return;
    this.#fail('connection-lost', 'secure stream: the connection closed without a goodbye (connection lost)');
  }

  #fail(code: SecureStreamErrorCode, message: string, cause?: unknown): void {
    if (this.#closeReason === 'goodbye') {
      // The peer already ended cleanly; what happens to the transport afterwards is not an error.
      if (!this.destroyed) this.destroy();
      return;
    }
    if (this.#closeReason) return;
    this.#closeReason = code === 'connection-lost' ? 'connection-lost' : 'error';
    this.destroy(new SecureStreamError(code, message, cause === undefined ? undefined : { cause }));
  }
}
