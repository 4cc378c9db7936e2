// Application frames inside the secure stream: u32be payload length ‖ u8 type ‖ payload. Box-stream
// already authenticates and orders bytes; frames restore message boundaries (box-stream may split
// or join writes) and let later versions add frame types that older peers skip.
import { FrameError } from './frame-error.js';

export const FRAME_HEADER_BYTES = 5;
/** Largest payload accepted from a peer; bigger data (files) goes in several frames. */
export const MAX_FRAME_PAYLOAD_BYTES = 1024 * 1024;
/** A JSON application message (src/protocol/messages.ts). */
export const FRAME_TYPE_MESSAGE = 1;

export interface Frame {
  /** 1..255; 0 is never valid. */
  readonly type: number;
  readonly payload: Uint8Array;
}

/** One frame as a single buffer (one write, one or more boxes). */
export function encodeFrame(
  type: number,
  payload: Uint8Array,
  maxPayloadBytes = MAX_FRAME_PAYLOAD_BYTES,
): Buffer {
  if (!Number.isInteger(type) || type < 1 || type > 255) {
    throw new RangeError(`a frame type is an integer 1..255, got ${type}`);
  }
  if (payload.length > maxPayloadBytes) {
    throw new FrameError(
      'too-large',
      `frame: a payload of ${payload.length} bytes exceeds the cap of ${maxPayloadBytes}`,
    );
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame[4] = type;
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}
