// FileAccess on node:fs. Reads and writes stream in bounded pieces, so memory stays flat whatever
// the file size; the partial file is fsynced before its length is ever reported as durable.
// Downloads write only files we created: the partial file is created with O_CREAT|O_EXCL|
// O_NOFOLLOW and reopened (resume) with O_NOFOLLOW and an fstat check, so a symlink or another
// user's file planted under its name is refused, never written through; the final name is taken
// with link(), which never replaces or follows what is there.
import { createHash, type Hash } from 'node:crypto';
import { constants, createReadStream, type Stats } from 'node:fs';
import {
  type FileHandle,
  link,
  lstat,
  mkdir,
  open,
  rename,
  rm,
  stat,
  statfs,
  unlink,
} from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { FileAccess, FileSource, PartialFile, SourceInfo } from '../core/files/file-access.js';
import { FILE_CHUNK_BYTES } from '../protocol/file-messages.js';
import { numberedName } from '../protocol/file-names.js';
import { FileAccessError } from './file-access-error.js';

/** Reading a kept prefix back for its hash: big reads, one buffer. */
const REHASH_BYTES = 1024 * 1024;
/** Enough alternatives for any real directory; beyond it something is wrong. */
const MAX_NUMBERED = 10_000;

export function createNodeFileAccess(): FileAccess {
  return {
    async inspect(path) {
      const info = await stat(path).catch((cause: unknown) => {
        throw new FileAccessError('not-found', `cannot read ${path}: ${(cause as Error).message}`, { cause });
      });
      if (!info.isFile()) throw new FileAccessError('not-a-file', `${path} is not a regular file`);
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(path, { highWaterMark: REHASH_BYTES }))
        hash.update(chunk as Buffer);
      const done: SourceInfo = {
        name: basename(path),
        size: info.size,
        sha256: hash.digest('hex'),
        mtimeMs: info.mtimeMs,
      };
      return done;
    },
    async stat(path) {
      const info = await stat(path);
      return { size: info.size, mtimeMs: info.mtimeMs };
    },
    openSource,
    async ensureDir(dir) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    },
    async freeBytes(dir) {
      const fs = await statfs(dir);
      return fs.bavail * fs.bsize;
    },
    openPartial,
    publish,
    async remove(path) {
      await rm(path, { force: true });
    },
    resolve(path) {
      return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : resolve(path);
    },
  };
}

async function openSource(path: string, offset: number): Promise<FileSource> {
  const handle = await open(path, constants.O_RDONLY);
  let position = offset;
  return {
    async read() {
      // A fresh buffer per chunk: the frame that carries it may still be queued when we read on.
      const buffer = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return null;
      position += bytesRead;
      return buffer.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

async function openPartial(dir: string, partName: string, offset: number): Promise<PartialFile> {
  const path = inside(dir, partName);
  let handle: FileHandle;
  let kept = 0;
  try {
    // Resume: only our own partial file. O_NOFOLLOW fails on a symlink (ELOOP) instead of
    // following it; O_NONBLOCK keeps a planted FIFO from hanging the open.
    handle = await open(path, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      checkOwnPartial(info, path);
      // Shorter than what was confirmed means the file was tampered with: trust none of it.
      kept = info.size >= offset ? offset : 0;
    } catch (error) {
      await handle.close();
      throw error;
    }
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw refused(path, 'it is a symbolic link');
    if (code !== 'ENOENT') throw cause;
    // Between the failed open and this one anything may appear at `path`: O_EXCL|O_NOFOLLOW make
    // this open fail then, rather than open what appeared.
    handle = await open(
      path,
      constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    ).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EEXIST' || error.code === 'ELOOP'
        ? refused(path, 'something appeared under its name while it was being created')
        : error;
    });
  }
  await handle.truncate(kept);
  const hash = createHash('sha256');
  await rehash(handle, kept, hash);
  return new NodePartialFile(path, handle, kept, hash);
}

/** A partial file we may reopen: a regular file of ours with no other name (a hard link to some
 * other file would make us write into that file). */
function checkOwnPartial(info: Stats, path: string): void {
  if (!info.isFile()) throw refused(path, 'it is not a regular file');
  if (info.nlink !== 1) throw refused(path, 'it has other names (hard links)');
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) throw refused(path, 'it belongs to another user');
}

function refused(path: string, why: string): FileAccessError {
  return new FileAccessError(
    'unsafe-path',
    `refused to write ${path}: ${why}, so it is not a file lanchat created there (remove it and accept again)`,
  );
}

async function rehash(handle: FileHandle, length: number, hash: Hash): Promise<void> {
  const buffer = Buffer.allocUnsafe(Math.min(REHASH_BYTES, Math.max(1, length)));
  for (let at = 0; at < length; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, length - at), at);
    if (bytesRead === 0) throw new FileAccessError('io', 'the partial file shrank while it was read back');
    hash.update(buffer.subarray(0, bytesRead));
    at += bytesRead;
  }
}

interface Batch {
  chunks: Uint8Array[];
  bytes: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Appends in order. Chunks that arrive while a write is in progress go out together in one
 * writev, so a fast network costs few system calls (and the event loop few completions). */
class NodePartialFile implements PartialFile {
  private batch: Batch | undefined;
  private last: Promise<void> = Promise.resolve();
  private writing = false;
  private queued = 0;
  private failure: Error | undefined;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private position: number,
    private readonly hash: Hash,
  ) {}

  get written(): number {
    return this.position;
  }

  get pending(): number {
    return this.queued;
  }

  write(chunk: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.hash.update(chunk);
    this.queued += chunk.length;
    if (!this.batch) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const done = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      done.catch(() => {}); // callers that do not wait still see the failure on the next call
      this.batch = { chunks: [], bytes: 0, done, resolve, reject };
      this.last = done;
    }
    this.batch.chunks.push(chunk);
    this.batch.bytes += chunk.length;
    const done = this.batch.done;
    if (!this.writing) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.batch) {
      const batch = this.batch;
      this.batch = undefined;
      try {
        if (this.failure) throw this.failure;
        let { bytesWritten } = await this.handle.writev(batch.chunks, this.position);
        // A short writev (rare on regular files): finish the rest piece by piece.
        if (bytesWritten < batch.bytes) {
          const rest = Buffer.concat(batch.chunks).subarray(bytesWritten);
          for (let at = 0; at < rest.length; ) {
            const step = await this.handle.write(
              rest,
              at,
              rest.length - at,
              this.position + bytesWritten + at,
            );
            at += step.bytesWritten;
          }
          bytesWritten = batch.bytes;
        }
        this.position += bytesWritten;
        this.queued -= batch.bytes;
        batch.resolve();
      } catch (error) {
        this.failure ??= new FileAccessError('io', `cannot write ${this.path}: ${(error as Error).message}`, {
          cause: error,
        });
        batch.reject(this.failure);
      }
    }
    this.writing = false;
  }

  async sync(): Promise<number> {
    await this.last;
    await this.handle.datasync();
    return this.position;
  }

  digest(): string {
    return this.hash.copy().digest('hex');
  }

  async close(): Promise<void> {
    await this.last.catch(() => {});
    await this.handle.close().catch(() => {});
  }
}

/** `dir/name`, refusing anything that would land elsewhere (the name should already be safe). */
function inside(dir: string, name: string): string {
  const base = resolve(dir);
  const path = resolve(base, name);
  if (dirname(path) !== base || basename(path) !== name) {
    throw new FileAccessError('unsafe-path', `refused to write ${JSON.stringify(name)} outside ${base}`);
  }
  return path;
}

async function publish(partPath: string, dir: string, name: string): Promise<string> {
  // The partial must still be the file we wrote (a regular file with one name), and what we put
  // under the final name must be that same file: anything swapped in between is refused.
  const own = await lstat(partPath);
  checkOwnPartial(own, partPath);
  for (let n = 0; n < MAX_NUMBERED; n++) {
    const target = inside(dir, numberedName(name, n));
    try {
      // link() fails with EEXIST instead of replacing (a symlink there included, never followed):
      // no window in which a file is overwritten.
      await link(partPath, target);
      const placed = await lstat(target);
      if (placed.ino !== own.ino || placed.dev !== own.dev) {
        await unlink(target);
        throw refused(partPath, 'it was replaced while it was moved into place');
      }
      await unlink(partPath);
      return target;
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw cause;
      // File systems without hard links (FAT, some network mounts): check, then rename. lstat, so
      // a dangling symlink counts as taken; rename() replaces an entry and never follows it.
      if (
        await lstat(target).then(
          () => true,
          () => false,
        )
      )
        continue;
      await rename(partPath, target);
      return target;
    }
  }
  throw new FileAccessError('name-taken', `no free name for ${name} in ${dir}`);
}
