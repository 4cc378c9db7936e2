// Box-stream, sending side (Scuttlebutt Protocol Guide, "Box stream"). Each message is a 34-byte
// header box secretbox(u16be(len) ‖ body_mac, n) followed by the body ciphertext without its MAC,
// boxed with n+1; the next message starts at n+2. Goodbye is a header box of 18 zero bytes.
import { BoxStreamError } from './box-stream-error.js';
import { copyNonce, incrementNonce } from './nonce-counter.js';
import { BOX_ZERO_BYTES, MAC_BYTES, secretboxRaw, ZERO_BYTES } from './secretbox-raw.js';

export const MAX_BODY_BYTES = 4096;
export const HEADER_BYTES = 2 + MAC_BYTES + MAC_BYTES; // 34
const HEADER_PLAIN_BYTES = 2 + MAC_BYTES; // 18

export class BoxStreamEncoder {
  readonly #key: Uint8Array;
  readonly #nonce: Uint8Array; // the header nonce of the next message
  readonly #bodyNonce = new Uint8Array(24);
  // Preallocated NaCl-layout scratch: 32 zero bytes, then the plaintext.
  readonly #bodyPlain = new Uint8Array(ZERO_BYTES + MAX_BODY_BYTES);
  readonly #headerPlain = new Uint8Array(ZERO_BYTES + HEADER_PLAIN_BYTES);
  readonly #headerBox = new Uint8Array(ZERO_BYTES + HEADER_PLAIN_BYTES);
  #ended = false;

  constructor(key: Uint8Array, nonce: Uint8Array) {
    if (key.length !== 32) throw new RangeError('a box-stream key has 32 bytes');
    this.#key = Uint8Array.from(key);
    this.#nonce = copyNonce(nonce);
  }

  /** Boxes `data` as ceil(len/4096) messages in one buffer; empty input gives an empty buffer
   * (box-stream has no empty message: zero length means goodbye). */
  encode(data: Uint8Array): Buffer {
    if (this.#ended) throw new BoxStreamError('ended', 'box-stream: cannot send after goodbye');
    const count = Math.ceil(data.length / MAX_BODY_BYTES);
    const out = Buffer.allocUnsafe(data.length + count * HEADER_BYTES);
    let at = 0;
    for (let from = 0; from < data.length; from += MAX_BODY_BYTES) {
      const body = data.subarray(from, Math.min(from + MAX_BODY_BYTES, data.length));
      at = this.#encodeOne(body, out, at);
    }
    return out;
  }

  /** The goodbye header; the encoder refuses further use afterwards. */
  goodbye(): Buffer {
    if (this.#ended) throw new BoxStreamError('ended', 'box-stream: goodbye already sent');
    this.#ended = true;
    this.#headerPlain.fill(0);
    return Buffer.from(this.#sealHeader());
  }

  get ended(): boolean {
    return this.#ended;
  }

  #encodeOne(body: Uint8Array, out: Buffer, at: number): number {
    const length = body.length;
    this.#bodyPlain.set(body, ZERO_BYTES);
    this.#bodyNonce.set(this.#nonce);
    incrementNonce(this.#bodyNonce);
    // Box the body straight into `out`, shifted so that its ciphertext lands after the header
    // slot: out[at+2 .. at+18) get the 16 zero bytes, out[at+18 .. at+34) the MAC.
    const bodyBox = out.subarray(at + HEADER_BYTES - ZERO_BYTES, at + HEADER_BYTES + length);
    secretboxRaw(bodyBox, this.#bodyPlain, ZERO_BYTES + length, this.#bodyNonce, this.#key);
    this.#headerPlain[ZERO_BYTES] = length >>> 8;
    this.#headerPlain[ZERO_BYTES + 1] = length & 0xff;
    this.#headerPlain.set(bodyBox.subarray(BOX_ZERO_BYTES, ZERO_BYTES), ZERO_BYTES + 2);
    // The header box overwrites the MAC slot we just read from: that is intended.
    out.set(this.#sealHeader(), at);
    return at + HEADER_BYTES + length;
  }

  /** Boxes the 18-byte header plaintext with the current nonce, then advances it by two. */
  #sealHeader(): Uint8Array {
    secretboxRaw(this.#headerBox, this.#headerPlain, this.#headerPlain.length, this.#nonce, this.#key);
    incrementNonce(this.#nonce);
    incrementNonce(this.#nonce);
    return this.#headerBox.subarray(BOX_ZERO_BYTES);
  }
}
