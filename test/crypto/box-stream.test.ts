// Box-stream codec: round trips, byte compatibility with pull-box-stream, and the tamper cases of
// the spec (each must fail with a typed error, never deliver forged or out-of-order data).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BoxStreamDecoder } from '../../src/crypto/box-stream-decoder.js';
import { BoxStreamEncoder, HEADER_BYTES, MAX_BODY_BYTES } from '../../src/crypto/box-stream-encoder.js';
import { BoxStreamError } from '../../src/crypto/box-stream-error.js';
import { incrementNonce } from '../../src/crypto/nonce-counter.js';
import { ENGINES, onEngine } from './engines.js';
import { pull, refBoxStream } from './reference.js';

const key = new Uint8Array(32).fill(7);
const otherKey = new Uint8Array(32).fill(8);
const nonce = new Uint8Array(24).fill(0xff).fill(1, 0, 12); // the low bytes carry on the first increment

function pair() {
  return { enc: new BoxStreamEncoder(key, nonce), dec: new BoxStreamDecoder(key, nonce) };
}

/** Splits an encoded buffer into its boxes: [header, body] per message. */
function boxes(encoded: Buffer, bodyLengths: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const length of bodyLengths) {
    out.push(
      encoded.subarray(at, at + HEADER_BYTES),
      encoded.subarray(at + HEADER_BYTES, at + HEADER_BYTES + length),
    );
    at += HEADER_BYTES + length;
  }
  return out;
}

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(BoxStreamError);
    expect((error as BoxStreamError).code).toBe(code);
    return;
  }
  expect.fail(`expected BoxStreamError ${code}`);
}

function refEncode(messages: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pull(
      pull.values(messages),
      refBoxStream.createBoxStream(Buffer.from(key), Buffer.from(nonce)),
      pull.collect((err, chunks) => (err ? reject(err) : resolve(Buffer.concat(chunks)))),
    );
  });
}

function refDecode(encoded: Buffer): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    pull(
      pull.values([encoded]),
      refBoxStream.createUnboxStream(Buffer.from(key), Buffer.from(nonce)),
      pull.collect((err, chunks) => (err ? reject(err) : resolve(chunks))),
    );
  });
}

describe.each(ENGINES)('box-stream codec on %s', (engine) => {
  onEngine(engine);

  it('round-trips, splitting bodies above 4096 bytes, and ends on goodbye', () => {
    const { enc, dec } = pair();
    const big = randomBytes(MAX_BODY_BYTES * 2 + 5);
    const encoded = Buffer.concat([enc.encode(Buffer.from('hi')), enc.encode(big), enc.goodbye()]);
    expect(encoded.length).toBe(2 + big.length + 4 * HEADER_BYTES + HEADER_BYTES);
    const { messages, goodbye } = dec.push(encoded);
    expect(messages.map((m) => m.length)).toEqual([2, 4096, 4096, 5]);
    expect(Buffer.concat(messages.slice(1))).toEqual(big);
    expect(goodbye).toBe(true);
    expect(dec.ended).toBe(true);
  });

  it('sends nothing for an empty write and refuses to encode after goodbye', () => {
    const { enc } = pair();
    expect(enc.encode(new Uint8Array(0)).length).toBe(0);
    enc.goodbye();
    expectCode(() => enc.encode(Buffer.from('x')), 'ended');
    expectCode(() => enc.goodbye(), 'ended');
  });

  it('is byte-identical to pull-box-stream in both directions', async () => {
    const messages = [Buffer.from('hello'), randomBytes(5000), Buffer.from([0])];
    const enc = new BoxStreamEncoder(key, nonce);
    const ours = Buffer.concat([...messages.map((m) => enc.encode(m)), enc.goodbye()]);
    const theirs = await refEncode(messages);
    expect(ours.toString('hex')).toBe(theirs.toString('hex'));
    expect(Buffer.concat(await refDecode(ours))).toEqual(Buffer.concat(messages));
    const dec = new BoxStreamDecoder(key, nonce);
    const result = dec.push(theirs);
    expect(Buffer.concat(result.messages)).toEqual(Buffer.concat(messages));
    expect(result.goodbye).toBe(true);
  });

  it('decodes identically when the stream is cut at every byte boundary', () => {
    const enc = new BoxStreamEncoder(key, nonce);
    const payloads = [Buffer.from('a'), randomBytes(300), Buffer.from('zz')];
    const encoded = Buffer.concat([...payloads.map((p) => enc.encode(p)), enc.goodbye()]);
    for (let cut = 0; cut <= encoded.length; cut++) {
      const dec = new BoxStreamDecoder(key, nonce);
      const first = dec.push(encoded.subarray(0, cut));
      expect(dec.bufferedBytes).toBeLessThanOrEqual(HEADER_BYTES + MAX_BODY_BYTES);
      const second = dec.push(encoded.subarray(cut));
      expect(Buffer.concat([...first.messages, ...second.messages])).toEqual(Buffer.concat(payloads));
      expect(second.goodbye || first.goodbye).toBe(true);
    }
    // and one byte at a time
    const dec = new BoxStreamDecoder(key, nonce);
    const got: Buffer[] = [];
    for (const byte of encoded) got.push(...dec.push(Uint8Array.of(byte)).messages);
    expect(got.map((m) => m.toString('hex'))).toEqual(payloads.map((p) => p.toString('hex')));
  });

  it('advances the nonce by two per message (header n, body n+1)', () => {
    const enc = new BoxStreamEncoder(key, nonce);
    enc.encode(Buffer.from('one'));
    const second = enc.encode(Buffer.from('two'));
    const skipped = new Uint8Array(nonce);
    incrementNonce(skipped);
    incrementNonce(skipped);
    expect(new BoxStreamDecoder(key, skipped).push(second).messages[0]?.toString()).toBe('two');
    expect(nonce[23]).toBe(0xff); // the caller's nonce was copied, not advanced
  });

  describe('rejects', () => {
    const payloads = [Buffer.from('first'), Buffer.from('second'), Buffer.from('third')];
    const lengths = payloads.map((p) => p.length);
    function encodedBoxes(): Buffer[] {
      const enc = new BoxStreamEncoder(key, nonce);
      return boxes(Buffer.concat(payloads.map((p) => enc.encode(p))), lengths);
    }

    it('a flipped bit anywhere (header or body)', () => {
      const all = Buffer.concat(encodedBoxes());
      for (let bit = 0; bit < all.length * 8; bit++) {
        const tampered = Buffer.from(all);
        tampered[bit >> 3]! ^= 1 << (bit & 7);
        const dec = new BoxStreamDecoder(key, nonce);
        let delivered: Buffer[] = [];
        try {
          delivered = dec.push(tampered).messages;
          expect.fail('tampering went unnoticed');
        } catch (error) {
          expect(error).toBeInstanceOf(BoxStreamError);
          expect(['bad-header', 'bad-body']).toContain((error as BoxStreamError).code);
        }
        expect(delivered).toEqual([]);
      }
    });

    it('swapped (reordered) messages', () => {
      const [h1, b1, h2, b2] = encodedBoxes();
      expectCode(
        () => new BoxStreamDecoder(key, nonce).push(Buffer.concat([h2!, b2!, h1!, b1!])),
        'bad-header',
      );
    });

    it('a replayed message', () => {
      const [h1, b1] = encodedBoxes();
      const dec = new BoxStreamDecoder(key, nonce);
      expect(dec.push(Buffer.concat([h1!, b1!])).messages).toHaveLength(1);
      expectCode(() => dec.push(Buffer.concat([h1!, b1!])), 'bad-header');
    });

    it('a dropped message', () => {
      const [h1, b1, , , h3, b3] = encodedBoxes();
      const dec = new BoxStreamDecoder(key, nonce);
      dec.push(Buffer.concat([h1!, b1!]));
      expectCode(() => dec.push(Buffer.concat([h3!, b3!])), 'bad-header');
    });

    it('a body swapped between messages of equal length', () => {
      const enc = new BoxStreamEncoder(key, nonce);
      const [h1, , , b2] = boxes(
        Buffer.concat([enc.encode(Buffer.from('aaaa')), enc.encode(Buffer.from('bbbb'))]),
        [4, 4],
      );
      expectCode(() => new BoxStreamDecoder(key, nonce).push(Buffer.concat([h1!, b2!])), 'bad-body');
    });

    it('a box reflected back to its sender (other direction key)', () => {
      const encoded = new BoxStreamEncoder(key, nonce).encode(Buffer.from('hi'));
      expectCode(() => new BoxStreamDecoder(otherKey, nonce).push(encoded), 'bad-header');
    });

    it('a forged goodbye and data after a goodbye', () => {
      expectCode(() => new BoxStreamDecoder(key, nonce).push(Buffer.alloc(HEADER_BYTES)), 'bad-header');
      const enc = new BoxStreamEncoder(key, nonce);
      const dec = new BoxStreamDecoder(key, nonce);
      expect(dec.push(enc.goodbye()).goodbye).toBe(true);
      expectCode(() => dec.push(Buffer.from([1])), 'after-goodbye');
    });

    it('anything after a failure', () => {
      const dec = new BoxStreamDecoder(key, nonce);
      expectCode(() => dec.push(Buffer.alloc(HEADER_BYTES, 1)), 'bad-header');
      expectCode(() => dec.push(Buffer.alloc(1)), 'ended');
    });

    it('truncation: a half message is held, never delivered', () => {
      const encoded = new BoxStreamEncoder(key, nonce).encode(Buffer.from('complete?'));
      const dec = new BoxStreamDecoder(key, nonce);
      expect(dec.push(encoded.subarray(0, encoded.length - 1)).messages).toEqual([]);
      expect(dec.bufferedBytes).toBe(encoded.length - 1 - HEADER_BYTES);
      expect(dec.ended).toBe(false);
    });
  });
});
