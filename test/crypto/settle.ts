// Captures how a handshake promise ends, so a test can assert both sides' outcomes together.
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: Error & { code?: string } };

export function settle<T>(promise: Promise<T>): Promise<Outcome<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: Error & { code?: string }) => ({ ok: false, error }),
  );
}

export function codeOf(outcome: Outcome<unknown>): string {
  return outcome.ok ? 'ok' : (outcome.error.code ?? outcome.error.message);
}
