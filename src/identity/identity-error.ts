// The identity layer's one error type. Every failure here is local misconfiguration (a key file we
// must not use), so callers treat it as fatal and print `message`, which says what to do.

export type IdentityErrorCode =
  /** The key file or profile directory is open to group/others, or owned by someone else. */
  | 'insecure-permissions'
  /** The key file exists but is not a valid lanchat identity; it was left untouched. */
  | 'corrupt'
  /** The key file exists but could not be read (permissions, not a regular file, I/O error). */
  | 'unreadable'
  /** The profile directory or a new key file could not be created. */
  | 'unwritable';

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  readonly code: IdentityErrorCode;
  /** The file or directory concerned, so a UI can show it apart from the message. */
  readonly path: string;

  constructor(code: IdentityErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}
