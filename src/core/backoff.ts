// Reconnect delays: exponential with full jitter, so that a whole office coming back from a
// switch reboot does not redial in lock-step.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 30_000 };

/** Delay before attempt number `attempt` (0-based); `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 20));
  // Half fixed, half jitter: never 0 (a tight loop), never above the ceiling.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
