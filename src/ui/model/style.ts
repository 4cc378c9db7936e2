// What the model hands to a renderer: rows of styled segments. Colours are xterm-256 indices so
// the model stays independent of any terminal library; the renderer maps them to its attributes.

export interface Style {
  fg?: number;
  bg?: number;
  bold?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface Segment {
  text: string;
  style?: Style;
}

export type Row = Segment[];

/** Named colours used across views (xterm-256 indices chosen to read on dark and light themes). */
export const COLOURS = {
  dim: 244,
  time: 245,
  separator: 240,
  error: 203,
  highlight: 214,
  mine: 255,
  barBg: 236,
  barFg: 252,
  activityJoin: 246,
  activityMessage: 252,
  activityPrivate: 220,
  activityMention: 203,
  marker: 130,
  read: 45,
  online: 78,
} as const;

export function rowText(row: Row): string {
  return row.map((s) => s.text).join('');
}
