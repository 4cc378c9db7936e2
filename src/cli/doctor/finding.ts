// One line of `lanchat doctor`'s checklist. A finding says what was seen and, when something is
// wrong, what to do about it. Only `fail` findings make doctor exit non-zero: `warn` is worth
// knowing (a peer on another network, a shared mDNS port) but does not stop lanchat working.

export type FindingStatus = 'ok' | 'info' | 'warn' | 'fail';

export type CheckName =
  | 'interfaces'
  | 'multicast'
  | 'port'
  | 'names'
  | 'responders'
  | 'peers'
  | 'remembered'
  | 'profile'
  | 'disk'
  | 'dns-sd';

export interface Finding {
  check: CheckName;
  status: FindingStatus;
  message: string;
  /** The action that fixes it (for warn and fail). */
  fix?: string;
}

export function finding(check: CheckName, status: FindingStatus, message: string, fix?: string): Finding {
  return fix === undefined ? { check, status, message } : { check, status, message, fix };
}

export function problemsOf(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.status === 'fail');
}
