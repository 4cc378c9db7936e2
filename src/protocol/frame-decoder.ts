// Incremental frame decoder: push(chunk) → complete frames. The announced length is checked
// against the cap as soon as the 5-byte header is complete, before any allocation, and at most one
// frame is ever held (a payload buffer of exactly the announced size, filled as bytes arrive).
import { FRAME_HEADER_BYTES, type Frame, MAX_FRAME_PAYLOAD_BYTES } from './frame-codec.js';
import { FrameError } from './frame-error.js';

export interface FrameDecoderOptions {
  readonly maxPayloadBytes?: number;
}

export class FrameDecoder {
  readonly #maxPayloadBytes: number;
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerHave = 0;
  #payload: Uint8Array | undefined; // allocated once the header is validated
  #payloadHave = 0;
  #type = 0;
  #state: 'open' | 'failed' | 'ended' = 'open';

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxPayloadBytes = options.maxPayloadBytes ?? MAX_FRAME_PAYLOAD_BYTES;
  }

  /** Bytes of an incomplete frame held right now (header and payload received so far). */
  get bufferedBytes(): number {
    return this.#headerHave + this.#payloadHave;
  }

  push(chunk: Uint8Array): Frame[] {
    if (this.#state !== 'open') {
      throw new FrameError(
        'ended',
        `frame: push() after the decoder ${this.#state === 'failed' ? 'failed' : 'ended'}`,
      );
    }
    const frames: Frame[] = [];
    let at = 0;
    try {
      while (at < chunk.length) {
        if (this.#payload === undefined) {
          const take = Math.min(FRAME_HEADER_BYTES - this.#headerHave, chunk.length - at);
          this.#header.set(chunk.subarray(at, at + take), this.#headerHave);
          this.#headerHave += take;
          at += take;
          if (this.#headerHave < FRAME_HEADER_BYTES) break;
          const length = this.#readHeader();
          // Zero-copy when the whole payload is already here (the common case for chat messages).
          if (chunk.length - at >= length) {
            frames.push({ type: this.#type, payload: chunk.subarray(at, at + length) });
            at += length;
            this.#headerHave = 0;
            continue;
          }
          this.#payload = new Uint8Array(length);
          this.#payloadHave = 0;
        }
        const payload = this.#payload;
        const take = Math.min(payload.length - this.#payloadHave, chunk.length - at);
        payload.set(chunk.subarray(at, at + take), this.#payloadHave);
        this.#payloadHave += take;
        at += take;
        if (this.#payloadHave === payload.length) {
          frames.push({ type: this.#type, payload });
          this.#payload = undefined;
          this.#payloadHave = 0;
          this.#headerHave = 0;
        }
      }
    } catch (error) {
      this.#state = 'failed';
      this.#payload = undefined;
      throw error;
    }
    return frames;
  }

  /** The stream ended: fine between frames, an error inside one. */
  end(): void {
    if (this.#state === 'failed') return;
    this.#state = 'ended';
    if (this.bufferedBytes > 0) {
      const held = this.bufferedBytes;
      this.#payload = undefined;
      throw new FrameError(
        'truncated',
        `frame: the stream ended inside a frame (${held} bytes of it received)`,
      );
    }
  }

  #readHeader(): number {
    const h = this.#header;
    const length = ((h[0]! << 24) >>> 0) + (h[1]! << 16) + (h[2]! << 8) + h[3]!;
    this.#type = h[4]!;
    if (length > this.#maxPayloadBytes) {
      throw new FrameError(
        'too-large',
        `frame: the peer announced ${length} bytes; the cap is ${this.#maxPayloadBytes}`,
      );
    }
    if (this.#type === 0)
      throw new FrameError('bad-type', 'frame: type 0 is not a frame type (corrupt stream?)');
    return length;
  }
}
