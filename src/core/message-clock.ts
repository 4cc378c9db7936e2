// How far ahead of our clock a peer's message timestamp may be. Timestamps order history and
// catch-up, so one dated next year would sit at the end of a room forever and, before our cursor
// came from our own records, stop us asking for anything newer.
//
// Refused rather than clamped: ts is signed (room-signature.ts), and a stored message whose ts we
// changed would no longer verify for the members we relay it to. Five minutes absorbs the clock
// drift of machines without NTP; a sender further ahead is told about in a warning.

export const MAX_AHEAD_MS = 5 * 60_000;

/** True when `ts` (a peer's, ms) is more than MAX_AHEAD_MS ahead of `now` (ours). */
export function tooFarAhead(ts: number, now: number): boolean {
  return ts > now + MAX_AHEAD_MS;
}
