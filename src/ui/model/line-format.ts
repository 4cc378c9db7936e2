// Turns one ChatLine into screen rows: `HH:MM │ nick │ text`, wrapped by display width, with the
// continuation rows indented under the text column so the columns stay readable.
import type { ChatLine, Delivery } from './chat-line.js';
import { formatTime } from './clock-format.js';
import { fitWidth, stringWidth } from './display-width.js';
import { nickColour } from './nick-colour.js';
import { COLOURS, type Row, type Style } from './style.js';
import { wrapText } from './wrap.js';

export const TIME_WIDTH = 5;
const SEP = ' │ ';

export interface LineGeometry {
  /** Cells available for the whole row. */
  width: number;
  nickWidth: number;
}

/** The nick column shrinks on narrow chat views so the text keeps at least ~24 cells. */
export function geometryFor(width: number): LineGeometry {
  const nickWidth = width >= 60 ? 10 : width >= 44 ? 8 : 5;
  return { width, nickWidth };
}

export function textColumn(g: LineGeometry): number {
  return TIME_WIDTH + SEP.length + g.nickWidth + SEP.length;
}

const MARKS: Record<Delivery, { text: string; style: Style }> = {
  queued: { text: '…', style: { fg: COLOURS.dim } },
  sent: { text: '✓', style: { fg: COLOURS.dim } },
  delivered: { text: '✓✓', style: { fg: COLOURS.online } },
  read: { text: '✓✓', style: { fg: COLOURS.read, bold: true } },
};

/** Right-aligns a nick in its column, cutting long ones with "…". */
function nickCell(nick: string, width: number): string {
  const w = stringWidth(nick);
  if (w <= width) return ' '.repeat(width - w) + nick;
  return `${fitWidth(nick, width - 1).trimEnd()}…`.padStart(width);
}

interface Prefix {
  nick: string;
  nickStyle: Style;
  textStyle: Style;
}

function prefixFor(line: ChatLine): Prefix {
  const dim: Style = { fg: COLOURS.dim };
  switch (line.kind) {
    case 'message': {
      const nick = line.nick ?? '?';
      if (line.highlight)
        return {
          nick,
          nickStyle: { fg: COLOURS.highlight, inverse: true },
          textStyle: { fg: COLOURS.highlight },
        };
      return {
        nick,
        nickStyle: line.mine ? { fg: COLOURS.mine, bold: true } : { fg: nickColour(nick) },
        textStyle: {},
      };
    }
    case 'action':
      return {
        nick: '*',
        nickStyle: { bold: true },
        textStyle: line.highlight ? { fg: COLOURS.highlight } : {},
      };
    case 'join':
      return { nick: '-->', nickStyle: { fg: COLOURS.online }, textStyle: dim };
    case 'part':
      return { nick: '<--', nickStyle: { fg: COLOURS.error }, textStyle: dim };
    case 'error':
      return { nick: '!!', nickStyle: { fg: COLOURS.error, bold: true }, textStyle: { fg: COLOURS.error } };
    default:
      return { nick: '--', nickStyle: dim, textStyle: dim };
  }
}

export function formatLine(line: ChatLine, g: LineGeometry): Row[] {
  // An emptied day line is one made redundant by history loaded above it.
  if (line.kind === 'day') return line.text === '' ? [] : [dayRow(line.text, g.width)];
  const p = prefixFor(line);
  const textWidth = Math.max(4, g.width - textColumn(g));
  const spoken = line.kind === 'action' ? `${line.nick ?? '?'} ${line.text}` : line.text;
  const body = line.badge ? `${line.badge.text} ${spoken}` : spoken;
  const mark = line.mine && line.delivery ? MARKS[line.delivery] : undefined;
  const rows = wrapText(mark ? `${body} ${mark.text}` : body, textWidth);
  const sepStyle: Style = { fg: COLOURS.separator };
  const indent = ' '.repeat(TIME_WIDTH + SEP.length + g.nickWidth);
  return rows.map((wrapped, i) => {
    let text = wrapped;
    const row: Row =
      i === 0
        ? [
            { text: formatTime(line.ts), style: { fg: COLOURS.time } },
            { text: SEP, style: sepStyle },
            { text: nickCell(p.nick, g.nickWidth), style: p.nickStyle },
            { text: SEP, style: sepStyle },
          ]
        : [{ text: indent }, { text: SEP, style: sepStyle }];
    if (i === 0 && line.badge && text.startsWith(line.badge.text)) {
      row.push({ text: line.badge.text, style: badgeStyle(line.badge.warn) }, { text: ' ' });
      text = text.slice(line.badge.text.length + 1);
    }
    const isLast = i === rows.length - 1;
    if (isLast && mark && text.endsWith(mark.text)) {
      row.push(...actionSegments(line, text.slice(0, -mark.text.length), p.textStyle, i));
      row.push({ text: mark.text, style: mark.style });
    } else {
      row.push(...actionSegments(line, text, p.textStyle, i));
    }
    return row;
  });
}

/** Inverse video: peer text is sanitized of every escape sequence, so it can never be drawn like
 * this, even on a monochrome terminal. A warning is red as well. */
function badgeStyle(warn: boolean): Style {
  return warn ? { fg: COLOURS.error, bold: true, inverse: true } : { fg: COLOURS.dim, inverse: true };
}

/** In an action line the acting nick keeps its colour. */
function actionSegments(line: ChatLine, text: string, style: Style, rowIndex: number): Row {
  const nick = line.nick ?? '?';
  if (line.kind !== 'action' || rowIndex !== 0 || !text.startsWith(nick)) return [{ text, style }];
  return [
    { text: nick, style: { ...style, fg: nickColour(nick) } },
    { text: text.slice(nick.length), style },
  ];
}

export function dayRow(text: string, width: number): Row {
  const label = ` ${text} `;
  const side = Math.max(0, Math.floor((width - stringWidth(label)) / 2));
  const right = Math.max(0, width - side - stringWidth(label));
  return [{ text: `${'─'.repeat(side)}${label}${'─'.repeat(right)}`, style: { fg: COLOURS.dim } }];
}

export function markerRow(width: number): Row {
  return [{ text: '─'.repeat(Math.max(0, width)), style: { fg: COLOURS.marker } }];
}
