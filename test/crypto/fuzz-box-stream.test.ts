// Fuzz: random and mutated bytes, in random chunkings, at the box-stream decoder. It may only
// return authentic messages or throw BoxStreamError; its buffer stays bounded. 60 000 cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoxStreamDecoder } from '../../src/crypto/box-stream-decoder.js';
import { BoxStreamEncoder, HEADER_BYTES, MAX_BODY_BYTES } from '../../src/crypto/box-stream-encoder.js';
import { BoxStreamError } from '../../src/crypto/box-stream-error.js';
import { splitAt } from '../support/split-at.js';
import { ENGINES, onEngine } from './engines.js';

const key = new Uint8Array(32).fill(3);
const nonce = new Uint8Array(24).fill(9);
const BOUND = HEADER_BYTES + MAX_BODY_BYTES;

/** Feeds chunks; returns delivered messages, and whether it ended by a typed error. */
function feed(chunks: Uint8Array[]): { messages: Buffer[]; failed: boolean; goodbye: boolean } {
  const decoder = new BoxStreamDecoder(key, nonce);
  const messages: Buffer[] = [];
  for (const c of chunks) {
    try {
      messages.push(...decoder.push(c).messages);
    } catch (error) {
      if (!(error instanceof BoxStreamError)) throw error;
      return { messages, failed: true, goodbye: false };
    }
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(BOUND);
  }
  return { messages, failed: false, goodbye: decoder.ended };
}

const sample = (() => {
  const encoder = new BoxStreamEncoder(key, nonce);
  const payloads = [Buffer.from('a'), Buffer.alloc(100, 7), Buffer.from('last one')];
  return { payloads, bytes: Buffer.concat([...payloads.map((p) => encoder.encode(p)), encoder.goodbye()]) };
})();

describe.each(ENGINES)('box-stream decoder fuzz on %s', (engine) => {
  onEngine(engine);

  it('random bytes never yield a message (40 000 cases)', () => {
    // size 'max': fast-check's default size keeps arrays to about 10 bytes, less than a header.
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200, size: 'max' }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (bytes, cuts) => {
          expect(feed(splitAt(bytes, cuts)).messages).toEqual([]);
        },
      ),
      { numRuns: 40_000 },
    );
  });

  it('mutated valid streams yield only a prefix of the real messages (20 000 cases)', () => {
    const mutation = fc.record({
      at: fc.nat(sample.bytes.length - 1),
      xor: fc.integer({ min: 1, max: 255 }),
      cut: fc.nat(sample.bytes.length),
      drop: fc.nat(40),
      cuts: fc.array(fc.nat(), { maxLength: 5 }),
    });
    fc.assert(
      fc.property(mutation, ({ at, xor, cut, drop, cuts }) => {
        const bytes = Buffer.from(sample.bytes);
        bytes[at]! ^= xor;
        // also drop a run of bytes, which shifts everything after it
        const mutated = Buffer.concat([
          bytes.subarray(0, cut),
          bytes.subarray(Math.min(cut + drop, bytes.length)),
        ]);
        const { messages, failed, goodbye } = feed(splitAt(mutated, cuts));
        // A damaged stream never reads as complete: it fails, or stops short (data or goodbye).
        expect(failed || !goodbye || messages.length < sample.payloads.length).toBe(true);
        if (goodbye) expect(failed).toBe(false);
        for (const [i, m] of messages.entries()) expect(m).toEqual(sample.payloads[i]);
      }),
      { numRuns: 20_000 },
    );
  });
});
