// How much a buffer wants attention. Ordered: a mention of my nick beats a private message beats
// an ordinary message beats joins and parts (weechat's hotlist levels).

export const ACTIVITY = { none: 0, join: 1, message: 2, private: 3, mention: 4 } as const;
export type ActivityLevel = (typeof ACTIVITY)[keyof typeof ACTIVITY];

export function raise(current: ActivityLevel, incoming: ActivityLevel): ActivityLevel {
  return incoming > current ? incoming : current;
}

/** Whether `text` mentions `nick` as a whole word, ignoring case ("bob:" yes, "bobby" no). */
export function mentions(text: string, nick: string): boolean {
  if (nick === '') return false;
  const escaped = nick.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${escaped}($|[^\\p{L}\\p{N}_])`, 'iu').test(text);
}
