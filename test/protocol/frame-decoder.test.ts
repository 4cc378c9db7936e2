import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_TYPE_MESSAGE,
  type Frame,
  MAX_FRAME_PAYLOAD_BYTES,
} from '../../src/protocol/frame-codec.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { FrameError } from '../../src/protocol/frame-error.js';

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).code).toBe(code);
    return;
  }
  expect.fail(`expected FrameError ${code}`);
}

const sample: Frame[] = [
  { type: FRAME_TYPE_MESSAGE, payload: Buffer.from('{"t":"ping","n":1}') },
  { type: 7, payload: new Uint8Array(0) },
  { type: 255, payload: randomBytes(3000) },
  { type: 2, payload: Buffer.from('x') },
];
const encoded = Buffer.concat(sample.map((f) => encodeFrame(f.type, f.payload)));
const plain = (frames: Frame[]) =>
  frames.map((f) => ({ type: f.type, payload: Buffer.from(f.payload).toString('hex') }));

describe('frame codec', () => {
  it('writes u32be length, u8 type, payload', () => {
    expect(encodeFrame(1, Buffer.from('hi')).toString('hex')).toBe('00000002016869');
  });

  it('round-trips several frames in one chunk', () => {
    expect(plain(new FrameDecoder().push(encoded))).toEqual(plain(sample));
  });

  it('decodes identically when cut at every byte boundary, and byte by byte', () => {
    for (let cut = 0; cut <= encoded.length; cut++) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(encoded.subarray(0, cut)), ...decoder.push(encoded.subarray(cut))];
      expect(plain(frames)).toEqual(plain(sample));
      expect(decoder.bufferedBytes).toBe(0);
      decoder.end();
    }
    const decoder = new FrameDecoder();
    const frames: Frame[] = [];
    for (const byte of encoded) frames.push(...decoder.push(Uint8Array.of(byte)));
    expect(plain(frames)).toEqual(plain(sample));
  });

  it('accepts a payload of exactly the cap', () => {
    const big = encodeFrame(3, new Uint8Array(MAX_FRAME_PAYLOAD_BYTES));
    const decoder = new FrameDecoder();
    expect(decoder.push(big.subarray(0, 1000))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(1000);
    expect(decoder.push(big.subarray(1000))[0]?.payload.length).toBe(MAX_FRAME_PAYLOAD_BYTES);
  });

  it('rejects an oversized length from the header alone, before allocating', () => {
    const before = process.memoryUsage().arrayBuffers;
    const header = Buffer.from([0xff, 0xff, 0xff, 0xff, 1]); // 4 GiB announced
    const decoder = new FrameDecoder();
    expectCode(() => decoder.push(header), 'too-large');
    expect(decoder.bufferedBytes).toBeLessThanOrEqual(FRAME_HEADER_BYTES);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
    const justOver = Buffer.alloc(5);
    justOver.writeUInt32BE(MAX_FRAME_PAYLOAD_BYTES + 1, 0);
    justOver[4] = 1;
    expectCode(() => new FrameDecoder().push(justOver), 'too-large');
    expectCode(
      () => new FrameDecoder({ maxPayloadBytes: 10 }).push(encodeFrame(1, new Uint8Array(11))),
      'too-large',
    );
  });

  it('grows its buffer with the bytes that arrived, never with the announced length', () => {
    const payload = randomBytes(MAX_FRAME_PAYLOAD_BYTES);
    const frame = encodeFrame(3, payload);
    const decoder = new FrameDecoder();
    // A maximal prefix alone (the slowloris that pins memory) allocates nothing.
    expect(decoder.push(frame.subarray(0, FRAME_HEADER_BYTES))).toEqual([]);
    expect(decoder.allocatedBytes).toBe(0);
    // A trickle holds a small buffer, at most twice what arrived (and one first block).
    expect(decoder.push(frame.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + 10))).toEqual([]);
    expect(decoder.allocatedBytes).toBeLessThanOrEqual(4096);
    let at = FRAME_HEADER_BYTES + 10;
    for (const step of [5_000, 20_000, 100_000]) {
      decoder.push(frame.subarray(at, at + step));
      at += step;
      expect(decoder.allocatedBytes).toBeLessThanOrEqual(2 * decoder.bufferedBytes);
    }
    const [out] = decoder.push(frame.subarray(at));
    expect(Buffer.from(out!.payload).equals(payload)).toBe(true);
    expect(decoder.allocatedBytes).toBe(0);
  });

  it('rejects type 0, truncation at end, and use after failure', () => {
    expectCode(() => new FrameDecoder().push(Buffer.from([0, 0, 0, 1, 0, 9])), 'bad-type');
    const decoder = new FrameDecoder();
    decoder.push(encoded.subarray(0, 7));
    expectCode(() => decoder.end(), 'truncated');
    expectCode(() => decoder.push(Buffer.from([1])), 'ended');
    const failed = new FrameDecoder();
    expectCode(() => failed.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 1])), 'too-large');
    expectCode(() => failed.push(encoded), 'ended');
  });

  it('refuses to encode what a peer would reject', () => {
    expectCode(() => encodeFrame(1, new Uint8Array(MAX_FRAME_PAYLOAD_BYTES + 1)), 'too-large');
    expect(() => encodeFrame(0, new Uint8Array(1))).toThrow(RangeError);
    expect(() => encodeFrame(256, new Uint8Array(1))).toThrow(RangeError);
  });
});
