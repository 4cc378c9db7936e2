// The buffer list (left) and the nick list (right) as rows of styled text.
import { ACTIVITY, type ActivityLevel } from './activity.js';
import type { ChatModel } from './chat-model.js';
import { ellipsize, stringWidth } from './display-width.js';
import { nickColour } from './nick-colour.js';
import { COLOURS, type Row, type Style } from './style.js';

export function activityStyle(level: ActivityLevel): Style {
  switch (level) {
    case ACTIVITY.mention:
      return { fg: COLOURS.activityMention, bold: true };
    case ACTIVITY.private:
      return { fg: COLOURS.activityPrivate, bold: true };
    case ACTIVITY.message:
      return { fg: COLOURS.activityMessage, bold: true };
    case ACTIVITY.join:
      return { fg: COLOURS.activityJoin };
    default:
      return { fg: COLOURS.dim };
  }
}

export function bufferListRows(model: ChatModel, width: number): Row[] {
  const current = model.buffers.current;
  return model.buffers.list().map((b, i) => {
    const count = b.unread > 0 ? ` ${b.unread > 999 ? '999+' : b.unread}` : '';
    const label = ellipsize(`${i + 1}.${b.title}`, Math.max(1, width - stringWidth(count)));
    const pad = ' '.repeat(Math.max(0, width - stringWidth(label) - stringWidth(count)));
    const style: Style = b === current ? { inverse: true, bold: true } : activityStyle(b.activity);
    return [{ text: `${label}${pad}${count}`, style }];
  });
}

const PRESENCE_MARK: Record<string, { mark: string; style: Style }> = {
  online: { mark: '+', style: { fg: COLOURS.online } },
  away: { mark: '~', style: { fg: COLOURS.activityPrivate } },
  busy: { mark: '!', style: { fg: COLOURS.error } },
  offline: { mark: '-', style: { fg: COLOURS.dim } },
};

/** Members of the current buffer (everyone online for #general and the status buffer). */
export function nickListRows(model: ChatModel, width: number): Row[] {
  const buffer = model.buffers.current;
  const entries = new Map<string, string>();
  if (buffer.key === '#general' || buffer.kind === 'status') {
    for (const p of model.peers.values()) if (p.online) entries.set(p.id, p.nick);
  }
  for (const [id, nick] of buffer.members) entries.set(id, nick);
  const people = [...entries].map(([id, nick]) => {
    const peer = model.peers.get(id);
    const state = !peer?.online ? 'offline' : (peer.presence ?? 'online');
    return { nick, state };
  });
  people.push({ nick: model.myNick, state: model.myPresence ?? 'online' });
  people.sort((a, b) => a.nick.localeCompare(b.nick));
  const header: Row = [{ text: `${people.length} here`, style: { fg: COLOURS.dim } }];
  return [
    header,
    ...people.map(({ nick, state }) => {
      const p = PRESENCE_MARK[state] ?? PRESENCE_MARK.online;
      return [
        { text: p?.mark ?? '+', ...(p ? { style: p.style } : {}) },
        { text: ellipsize(nick, width - 1), style: { fg: nickColour(nick) } },
      ];
    }),
  ];
}
