// Fuzz: random bytes and mutated frame streams in random chunkings. The decoder may only return
// frames within the cap or throw FrameError, and never holds more than one frame. 40 000 cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_HEADER_BYTES } from '../../src/protocol/frame-codec.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { FrameError } from '../../src/protocol/frame-error.js';
import { splitAt } from '../support/split-at.js';

const CAP = 1024; // a small cap so random lengths hit both sides of it

function feed(chunks: Uint8Array[]): void {
  const decoder = new FrameDecoder({ maxPayloadBytes: CAP });
  try {
    for (const c of chunks) {
      for (const frame of decoder.push(c)) {
        expect(frame.payload.length).toBeLessThanOrEqual(CAP);
        expect(frame.type).toBeGreaterThan(0);
      }
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(FRAME_HEADER_BYTES + CAP);
    }
    decoder.end();
  } catch (error) {
    if (!(error instanceof FrameError)) throw error;
  }
}

const valid = Buffer.concat([
  encodeFrame(1, Buffer.from('{"t":"ping","n":1}')),
  encodeFrame(2, new Uint8Array(0)),
  encodeFrame(9, new Uint8Array(600).fill(1)),
]);

describe('frame decoder fuzz', () => {
  it('random bytes, random chunking (25 000 cases)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 6 }), (bytes, cuts) =>
        feed(splitAt(bytes, cuts)),
      ),
      { numRuns: 25_000 },
    );
  });

  it('mutated valid streams (15 000 cases)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(valid.length - 1), value: fc.nat(255) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(valid.length),
        fc.array(fc.nat(), { maxLength: 6 }),
        (edits, cut, cuts) => {
          const bytes = Buffer.from(valid);
          for (const e of edits) bytes[e.at] = e.value;
          feed(splitAt(bytes.subarray(0, cut), cuts));
        },
      ),
      { numRuns: 15_000 },
    );
  });
});
