// The CLI layer's error: the user typed something we cannot use. Commands print the message with
// a pointer to --help and exit with status 2, as POSIX utilities do for usage errors.

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'usage' as const;
}

/** Exit status for usage errors (bad flags or values). */
export const EXIT_USAGE = 2;
/** Exit status for runtime failures (identity unusable, port in use, ...). */
export const EXIT_FAILURE = 1;
