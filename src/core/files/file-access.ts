// What the transfer service needs of the file system. Core never touches node:fs itself: the
// composition root injects the adapter (src/files/node-file-access.ts), tests may wrap it (to
// corrupt a chunk, for instance).

/** A file being read for sending, from some offset on, in chunks of at most FILE_CHUNK_BYTES. */
export interface FileSource {
  /** The next chunk, or null at the end of the file. */
  read(): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/** A partial download: appends in order and keeps a running SHA-256 of everything written. */
export interface PartialFile {
  readonly path: string;
  /** Bytes written so far (not all of them necessarily on disk yet: see sync). */
  readonly written: number;
  /** Queues `chunk` at the end; resolves once it is written (in order). */
  write(chunk: Uint8Array): Promise<void>;
  /** Bytes queued but not yet written: the caller stops reading from the network above a bound. */
  readonly pending: number;
  /** Waits for queued writes, then fdatasync: `written` bytes are on disk when it resolves. */
  sync(): Promise<number>;
  /** SHA-256 (hex) of bytes 0..written; call after the last write resolved. */
  digest(): string;
  close(): Promise<void>;
}

export interface SourceInfo {
  /** Base name of the path (the offer carries no directories). */
  name: string;
  size: number;
  sha256: string;
  /** Modification time (ms): a file changed after it was offered is not sent. */
  mtimeMs: number;
}

export interface FileAccess {
  /** Stat + streaming SHA-256 of a regular file (never reads it whole). */
  inspect(path: string): Promise<SourceInfo>;
  /** Size and mtime only (is the file still the one we offered?). */
  stat(path: string): Promise<{ size: number; mtimeMs: number }>;
  openSource(path: string, offset: number): Promise<FileSource>;
  /** Creates `dir` if needed (mode 0700 for new directories). */
  ensureDir(dir: string): Promise<void>;
  /** Bytes available to this user on the file system of `dir`. */
  freeBytes(dir: string): Promise<number>;
  /**
   * Opens the partial file `partName` in `dir` for appending at `offset`: truncates anything past
   * it (bytes that were never confirmed on disk) and hashes the kept prefix. A missing or short
   * file restarts from 0; `written` tells where it really stands.
   */
  openPartial(dir: string, partName: string, offset: number): Promise<PartialFile>;
  /** Moves the finished partial file to `name` in `dir` without ever replacing a file: a taken
   * name gets ` (1)`, ` (2)`, … Returns the final path, which is always inside `dir`. */
  publish(partPath: string, dir: string, name: string): Promise<string>;
  /** Removes a file if it exists. */
  remove(path: string): Promise<void>;
  /** Absolute form of a user-typed path (relative to the working directory, `~` expanded). */
  resolve(path: string): string;
}
