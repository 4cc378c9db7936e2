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

/** Prints an error the way every sub-command does and returns its exit status: usage errors get a
 * pointer to --help (2), an unusable identity or other known local problem gets its own message
 * (1), and anything unexpected is still reported rather than thrown at the user as a stack. */
export function reportError(err: unknown, command: string, writeError: (text: string) => void): number {
  if (err instanceof UsageError) {
    writeError(`${command}: ${err.message}\nRun '${command} --help' for usage.\n`);
    return EXIT_USAGE;
  }
  const message = err instanceof Error ? err.message : String(err);
  const known = err instanceof Error && err.name !== 'Error' && 'code' in err;
  writeError(`${command}: ${known ? '' : 'unexpected error: '}${message}\n`);
  return EXIT_FAILURE;
}

/** The `code` of a typed error from any layer (StoreError, NodeError, …), else `fallback`. */
export function errorCode(err: unknown, fallback: string): string {
  return err instanceof Error && 'code' in err ? String((err as { code: unknown }).code) : fallback;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** reportError for commands with a --json mode: there the error is one JSON object on stdout. */
export function reportCommandError(
  err: unknown,
  command: string,
  io: { json: boolean; stdout(text: string): void; stderr(text: string): void },
): number {
  if (!io.json) return reportError(err, command, io.stderr);
  io.stdout(
    `${JSON.stringify({ type: 'error', code: errorCode(err, 'unexpected'), message: errorMessage(err) })}\n`,
  );
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}
