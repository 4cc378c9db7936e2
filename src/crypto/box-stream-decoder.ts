// Box-stream, receiving side. Incremental: bytes are copied straight into fixed scratch buffers as
// they arrive, so memory is bounded (one header + one 4 KiB body) whatever the chunking. The
// header (length and body MAC) is authenticated before a single body byte is accepted, and the
// first failure is final: the stream cannot be resynchronised, so the caller must close it.
import { MAX_BODY_BYTES } from './box-stream-encoder.js';
import { BoxStreamError } from './box-stream-error.js';
import { copyNonce, incrementNonce } from './nonce-counter.js';
import { BOX_ZERO_BYTES, MAC_BYTES, secretboxOpenRaw, ZERO_BYTES } from './secretbox-raw.js';

const HEADER_BOX_BYTES = 34;
const HEADER_PLAIN_BYTES = 18;

export interface DecodeResult {
  readonly messages: Buffer[];
  /** True once the peer's goodbye has been read: the stream ended cleanly. */
  readonly goodbye: boolean;
}

export class BoxStreamDecoder {
  readonly #key: Uint8Array;
  readonly #nonce: Uint8Array; // the header nonce of the next message
  readonly #bodyNonce = new Uint8Array(24);
  readonly #headerBox = new Uint8Array(BOX_ZERO_BYTES + HEADER_BOX_BYTES);
  readonly #headerPlain = new Uint8Array(BOX_ZERO_BYTES + HEADER_BOX_BYTES);
  readonly #bodyBox = new Uint8Array(ZERO_BYTES + MAX_BODY_BYTES);
  #state: 'header' | 'body' | 'goodbye' | 'failed' = 'header';
  #have = 0; // bytes of the current header or body received so far
  #bodyLength = 0;
  #failure: BoxStreamError | undefined;

  constructor(key: Uint8Array, nonce: Uint8Array) {
    if (key.length !== 32) throw new RangeError('a box-stream key has 32 bytes');
    this.#key = Uint8Array.from(key);
    this.#nonce = copyNonce(nonce);
  }

  /** Bytes held for an incomplete header or body (never more than 34 + 4096). */
  get bufferedBytes(): number {
    return this.#state === 'header' || this.#state === 'body' ? this.#have : 0;
  }

  get ended(): boolean {
    return this.#state === 'goodbye';
  }

  push(chunk: Uint8Array): DecodeResult {
    if (this.#state === 'failed') {
      throw new BoxStreamError('ended', 'box-stream: the stream already failed', { cause: this.#failure });
    }
    const messages: Buffer[] = [];
    let at = 0;
    try {
      while (at < chunk.length) {
        if (this.#state === 'goodbye') {
          throw new BoxStreamError('after-goodbye', 'box-stream: the peer sent data after its goodbye');
        }
        if (this.#state === 'header') {
          const take = Math.min(HEADER_BOX_BYTES - this.#have, chunk.length - at);
          this.#headerBox.set(chunk.subarray(at, at + take), BOX_ZERO_BYTES + this.#have);
          this.#have += take;
          at += take;
          if (this.#have === HEADER_BOX_BYTES) this.#openHeader();
        } else {
          const take = Math.min(this.#bodyLength - this.#have, chunk.length - at);
          this.#bodyBox.set(chunk.subarray(at, at + take), ZERO_BYTES + this.#have);
          this.#have += take;
          at += take;
          if (this.#have === this.#bodyLength) messages.push(this.#openBody());
        }
      }
    } catch (error) {
      this.#state = 'failed';
      this.#failure = error instanceof BoxStreamError ? error : undefined;
      throw error;
    }
    return { messages, goodbye: this.#state === 'goodbye' };
  }

  #openHeader(): void {
    if (
      !secretboxOpenRaw(this.#headerPlain, this.#headerBox, this.#headerBox.length, this.#nonce, this.#key)
    ) {
      throw new BoxStreamError(
        'bad-header',
        'box-stream: a header does not authenticate: the stream was tampered with, reordered, replayed or truncated',
      );
    }
    const plain = this.#headerPlain.subarray(ZERO_BYTES, ZERO_BYTES + HEADER_PLAIN_BYTES);
    this.#have = 0;
    let any = 0;
    for (let i = 0; i < plain.length; i++) any |= plain[i]!;
    if (any === 0) {
      this.#state = 'goodbye';
      return;
    }
    const length = (plain[0]! << 8) | plain[1]!;
    if (length === 0 || length > MAX_BODY_BYTES) {
      throw new BoxStreamError(
        'bad-length',
        `box-stream: a header announces ${length} bytes (allowed 1..${MAX_BODY_BYTES})`,
      );
    }
    this.#bodyLength = length;
    // The body MAC travels in the header; put it where NaCl's box layout expects it.
    this.#bodyBox.set(plain.subarray(2, 2 + MAC_BYTES), BOX_ZERO_BYTES);
    this.#state = 'body';
  }

  #openBody(): Buffer {
    const length = ZERO_BYTES + this.#bodyLength;
    this.#bodyNonce.set(this.#nonce);
    incrementNonce(this.#bodyNonce);
    // Opened straight into the buffer handed to the caller: no copy out.
    const out = Buffer.allocUnsafe(length);
    if (!secretboxOpenRaw(out, this.#bodyBox, length, this.#bodyNonce, this.#key)) {
      throw new BoxStreamError(
        'bad-body',
        'box-stream: a body does not authenticate: the stream was tampered with',
      );
    }
    incrementNonce(this.#nonce);
    incrementNonce(this.#nonce);
    this.#have = 0;
    this.#state = 'header';
    return out.subarray(ZERO_BYTES);
  }
}
