// Incremental frame decoder: push(chunk) → complete frames. The announced length is checked
// against the cap as soon as the 5-byte header is complete, and at most one frame is ever held.
// The buffer for an incomplete payload grows with the bytes that really arrived (doubling, so a
// big frame costs few copies), never with the announced length: a peer that announces 1 MiB and
// sends nothing more costs us nothing.
import { FRAME_HEADER_BYTES, type Frame, MAX_FRAME_PAYLOAD_BYTES } from './frame-codec.js';
import { FrameError } from './frame-error.js';

/** The first buffer for a payload that arrives in pieces; later ones double. */
const FIRST_BUFFER_BYTES = 4 * 1024;
const EMPTY = new Uint8Array(0);

export interface FrameDecoderOptions {
  readonly maxPayloadBytes?: number;
}

export class FrameDecoder {
  readonly #maxPayloadBytes: number;
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerHave = 0;
  /** Announced length of the frame being received; undefined between frames. */
  #length: number | undefined;
  #payload: Uint8Array = EMPTY;
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
        if (this.#length === undefined) {
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
          this.#length = length;
          this.#payloadHave = 0;
        }
        const length = this.#length;
        const take = Math.min(length - this.#payloadHave, chunk.length - at);
        this.#reserve(this.#payloadHave + take, length);
        this.#payload.set(chunk.subarray(at, at + take), this.#payloadHave);
        this.#payloadHave += take;
        at += take;
        if (this.#payloadHave === length) {
          frames.push({ type: this.#type, payload: this.#payload }); // grown to exactly `length`
          this.#reset();
        }
      }
    } catch (error) {
      this.#state = 'failed';
      this.#reset();
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
      this.#reset();
      throw new FrameError(
        'truncated',
        `frame: the stream ended inside a frame (${held} bytes of it received)`,
      );
    }
  }

  /** Buffer bytes allocated for the incomplete frame (what it really costs us). */
  get allocatedBytes(): number {
    return this.#payload.length;
  }

  /** Makes room for `needed` payload bytes, never more than the announced `length`. */
  #reserve(needed: number, length: number): void {
    if (needed <= this.#payload.length) return;
    const grown = new Uint8Array(
      Math.min(length, Math.max(needed, this.#payload.length * 2, FIRST_BUFFER_BYTES)),
    );
    grown.set(this.#payload.subarray(0, this.#payloadHave));
    this.#payload = grown;
  }

  #reset(): void {
    this.#length = undefined;
    this.#payload = EMPTY;
    this.#payloadHave = 0;
    this.#headerHave = 0;
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
