// Why a transfer failed, as `file_failed.code` tells scripts and the UI. Messages say what happened
// and what the user can do.
export type TransferErrorCode =
  /** Command errors (nothing was sent or changed). */
  | 'unknown-transfer'
  | 'invalid-state'
  | 'not-a-file'
  | 'not-found'
  | 'peer-offline'
  /** The receiver's limits. */
  | 'too-large'
  | 'no-space'
  /** Accepting would take unfinished downloads past --max-downloading. */
  | 'over-quota'
  /** Outcomes. */
  | 'rejected'
  | 'cancelled'
  | 'hash-mismatch'
  | 'source-changed'
  | 'protocol-error'
  | 'io-error';

export class TransferError extends Error {
  readonly code: TransferErrorCode;
  constructor(code: TransferErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransferError';
    this.code = code;
  }
}
