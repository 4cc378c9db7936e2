// The one error class of box-stream. Any of these means the byte stream can no longer be trusted:
// the caller closes the connection (box-stream has no way to resynchronise, by design).

export type BoxStreamErrorCode =
  | 'bad-header' // a header box does not open: tampered, reordered, replayed, dropped or reflected
  | 'bad-length' // a header opened but announces 0 or > 4096 bytes: a broken peer
  | 'bad-body' // a body does not open under its authenticated MAC
  | 'after-goodbye' // bytes arrived after the peer's goodbye
  | 'ended'; // encode() after goodbye(), or push() after a failure

export class BoxStreamError extends Error {
  override readonly name = 'BoxStreamError';
  readonly code: BoxStreamErrorCode;

  constructor(code: BoxStreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
