// A write that failed because the disk (or the user's quota) is full says so in words the user
// can act on, on both sides of a transfer: the receiver frees space, the sender sends again.

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** True when `error` (or an error it wraps) is the file system saying it is full. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The receiver's words for a transfer stopped by a full disk. */
export function diskFullWhileReceiving(dir: string | undefined): string {
  return (
    `the disk holding ${dir ?? 'the download folder'} is full: the transfer stopped and its partial ` +
    'file was removed. Free some space (df -h), then ask the sender to send it again.'
  );
}
