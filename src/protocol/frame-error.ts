// The one error class of application framing. Every code means the peer's byte stream is broken
// or hostile: the caller closes that connection (frames cannot be resynchronised).

export type FrameErrorCode =
  | 'too-large' // a header announces more than the cap (checked before allocating anything)
  | 'bad-type' // type 0, which no frame uses (catches zeroed or misaligned data)
  | 'truncated' // the stream ended inside a frame
  | 'ended'; // push() after a failure or after end()

export class FrameError extends Error {
  override readonly name = 'FrameError';
  readonly code: FrameErrorCode;

  constructor(code: FrameErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
