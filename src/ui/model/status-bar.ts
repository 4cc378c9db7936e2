// The bar above the input line: time, my nick, network, peers online, current buffer, the activity
// list (hotlist), and on the right what needs saying now (scrolled, typing, a held paste).
import type { ChatModel } from './chat-model.js';
import { formatTime } from './clock-format.js';
import { fitWidth, stringWidth } from './display-width.js';
import { activityStyle } from './side-panels.js';
import { COLOURS, type Row, type Segment } from './style.js';

export function statusBarRow(model: ChatModel, width: number): Row {
  const bar = { fg: COLOURS.barFg, bg: COLOURS.barBg };
  const buffers = model.buffers;
  const current = buffers.current;
  const online = [...model.peers.values()].filter((p) => p.online).length;
  const me = model.myPresence ? `${model.myNick} (${model.myPresence})` : model.myNick;
  const left: Segment[] = [
    { text: `[${formatTime(model.now())}] [${me}] [${model.networkName}] [${online} online] `, style: bar },
    { text: `[${buffers.indexOf(current.key)}:${current.title}]`, style: { ...bar, bold: true } },
  ];
  const hot = buffers.hotlist();
  if (hot.length > 0) {
    left.push({ text: ' [act: ', style: bar });
    hot.forEach((b, i) => {
      const count = b.unread > 0 ? `(${b.unread})` : '';
      left.push({
        text: `${buffers.indexOf(b.key)}:${b.title}${count}`,
        style: { ...activityStyle(b.activity), bg: COLOURS.barBg },
      });
      if (i < hot.length - 1) left.push({ text: ',', style: bar });
    });
    left.push({ text: ']', style: bar });
  }
  const right: string[] = [];
  const typing = current.kind === 'dm' ? model.typing.get(current.target) : undefined;
  if (typing) right.push(`${typing} is typing…`);
  if (current.scroll) right.push(current.more > 0 ? `-- more (${current.more}) --` : '-- scrolled --');
  const rightText = right.length ? ` ${right.join(' ')} ` : '';
  const leftWidth = left.reduce((n, s) => n + stringWidth(s.text), 0);
  const room = width - stringWidth(rightText);
  // Cut the left part when the right part needs the room (narrow terminals).
  const out: Segment[] = [];
  let used = 0;
  for (const s of left) {
    const w = stringWidth(s.text);
    if (used + w <= room) {
      out.push(s);
      used += w;
    } else {
      out.push({ text: fitWidth(s.text, Math.max(0, room - used)), ...(s.style ? { style: s.style } : {}) });
      used = room;
      break;
    }
  }
  out.push({ text: ' '.repeat(Math.max(0, room - Math.min(used, leftWidth))), style: bar });
  if (rightText)
    out.push({ text: rightText, style: { fg: COLOURS.highlight, bg: COLOURS.barBg, bold: true } });
  return out;
}
