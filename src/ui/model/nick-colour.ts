// Stable nick colours: the same nick gets the same colour in the chat view and the nick list, in
// every session, on every machine (a hash, not an assignment order).

/** xterm-256 colours readable on dark and light backgrounds; no reds (errors) and no greys. */
export const NICK_PALETTE: readonly number[] = [
  39, 41, 45, 71, 77, 105, 113, 135, 141, 172, 178, 170, 37, 33, 149, 180,
];

/** FNV-1a over UTF-16 units of the case-folded nick: cheap, and well spread for short strings. */
export function nickColour(nick: string): number {
  let hash = 0x811c9dc5;
  const folded = nick.toLowerCase();
  for (let i = 0; i < folded.length; i++) {
    hash ^= folded.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return NICK_PALETTE[hash % NICK_PALETTE.length] ?? 39;
}
