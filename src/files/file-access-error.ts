// Errors of the file adapter, with codes the transfer service turns into `file_failed` codes.
export type FileAccessErrorCode = 'not-found' | 'not-a-file' | 'io' | 'unsafe-path' | 'name-taken';

export class FileAccessError extends Error {
  readonly code: FileAccessErrorCode;
  constructor(code: FileAccessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileAccessError';
    this.code = code;
  }
}
