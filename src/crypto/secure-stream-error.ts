// The one error class of an established secure stream (after the handshake).

export type SecureStreamErrorCode =
  | 'connection-lost' // the transport closed or failed without the peer's goodbye
  | 'box-stream' // the peer sent bytes that do not authenticate (cause: BoxStreamError)
  | 'write-after-end'; // a write after our own goodbye

export class SecureStreamError extends Error {
  override readonly name = 'SecureStreamError';
  readonly code: SecureStreamErrorCode;

  constructor(code: SecureStreamErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
