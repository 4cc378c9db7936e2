// Node events → model changes, one small handler per event type. Add a handler here when core
// grows an event; events without a handler are ignored on purpose (older UI, newer core).
import type { NodeEvent, PeerRef } from '../../core/events.js';
import { normaliseRoom } from '../../protocol/names.js';
import { ACTIVITY, type ActivityLevel, mentions } from './activity.js';
import type { ChatBuffer } from './chat-buffer.js';
import type { ChatModel } from './chat-model.js';
import { sanitize, sanitizeName } from './sanitize.js';
import { formatBytes, percentOf, shortId, type TransferState } from './transfers.js';

type Handlers = {
  [K in NodeEvent['type']]?: (model: ChatModel, event: Extract<NodeEvent, { type: K }>) => void;
};

const GENERAL = '#general';

/** The peer's display form (`nick#abcd` while two identities claim one nick) when core gives one. */
function nickOf(peer: PeerRef): string {
  const display = (peer as { display?: unknown }).display;
  return sanitizeName(typeof display === 'string' ? display : peer.nick);
}

/** For a message line: the bare nick for the nick column, and the badge that carries the key
 * suffix and any "not the bob you verified" warning (a nick cell is too narrow for both). Cores
 * that send no `suffix` keep the display form in the nick column, as before. */
function authorOf(peer: PeerRef): { nick: string; badge?: { text: string; warn: boolean } } {
  const suffix =
    typeof peer.suffix === 'string' && /^[0-9a-f]{8}$/.test(peer.suffix) ? peer.suffix : undefined;
  const warning = typeof peer.warning === 'string' ? sanitizeName(peer.warning) : undefined;
  if (suffix === undefined && warning === undefined) return { nick: nickOf(peer) };
  const parts = [suffix === undefined ? undefined : `#${suffix}`, warning && `⚠ ${warning}`];
  return {
    nick: suffix === undefined ? nickOf(peer) : sanitizeName(peer.nick),
    badge: { text: parts.filter(Boolean).join(' '), warn: warning !== undefined },
  };
}

/** Buffers in which a peer's arrival, departure or rename is worth a line. */
function buffersWith(model: ChatModel, peerId: string): ChatBuffer[] {
  return model.buffers.list().filter((b) => b.members.has(peerId));
}

/** The conversation a transfer belongs to: the DM with its peer (the status buffer if unknown). */
function transferBuffer(model: ChatModel, t: TransferState): ChatBuffer {
  return t.peerId ? model.dm(t.peerId, t.peerNick) : model.buffers.status;
}

/** A transfer line in its conversation and, for what needs an answer or is final, in status. */
function transferLine(
  model: ChatModel,
  t: TransferState,
  text: string,
  options: { kind?: 'system' | 'error'; level?: ActivityLevel; status?: boolean } = {},
): void {
  const buffer = transferBuffer(model, t);
  const kind = options.kind ?? 'system';
  model.addLine(buffer, { ts: model.now(), kind, text }, options.level ?? ACTIVITY.none);
  if (options.status && buffer !== model.buffers.status) {
    const about = text.includes(t.peerNick) ? text : `${t.peerNick}: ${text}`;
    model.system(model.buffers.status, about, kind);
  }
}

function sized(t: TransferState): string {
  return t.size === undefined ? t.name : `${t.name} (${formatBytes(t.size)})`;
}

const handlers: Handlers = {
  ready(model, e) {
    model.myId = e.id;
    model.myNick = sanitizeName(e.nick);
    model.system(
      model.buffers.status,
      `lanchat is running as ${model.myNick} on port ${e.port} (id ${e.id})`,
    );
  },
  peer_online(model, e) {
    const nick = nickOf(e.peer);
    const known = model.peers.get(e.peer.id);
    model.peers.set(e.peer.id, { id: e.peer.id, nick, online: true, address: sanitize(e.peer.address) });
    if (known?.online) return;
    model.system(model.buffers.status, `${nick} is online (${sanitize(e.peer.address)})`);
    const general = model.buffers.get(GENERAL);
    if (general) {
      general.members.set(e.peer.id, nick);
      model.addLine(general, { ts: model.now(), kind: 'join', text: `${nick} is online` }, ACTIVITY.join);
    }
    const dm = model.buffers.get(`@${e.peer.id}`);
    if (dm) model.addLine(dm, { ts: model.now(), kind: 'join', text: `${nick} is online` }, ACTIVITY.join);
  },
  peer_offline(model, e) {
    const nick = nickOf(e.peer);
    const known = model.peers.get(e.peer.id);
    model.peers.set(e.peer.id, { ...(known ?? { id: e.peer.id }), nick, online: false });
    const text = `${nick} is offline (${sanitize(e.reason)})`;
    model.system(model.buffers.status, text);
    for (const b of buffersWith(model, e.peer.id)) {
      if (b.kind === 'room') b.members.delete(e.peer.id);
      model.addLine(b, { ts: model.now(), kind: 'part', text }, ACTIVITY.join);
    }
  },
  sent(model, e) {
    const buffer = 'room' in e ? model.room(e.room) : model.dm(e.to.id, e.to.nick);
    model.addMessage(
      buffer,
      {
        ts: e.ts,
        kind: 'message',
        nick: model.myNick,
        text: sanitize(e.text, { multiline: true }),
        mine: true,
        msgId: e.id,
        delivery: e.queued ? 'queued' : 'sent',
      },
      0,
    );
  },
  message(model, e) {
    const nick = nickOf(e.from);
    const author = authorOf(e.from);
    const room = (e as { room?: string }).room;
    const to = (e as { to?: PeerRef }).to;
    const isDm = room === undefined;
    // A DM of mine seen as a message (history replay) belongs to the conversation with `to`.
    const other = isDm && e.from.id === model.myId && to ? to : e.from;
    const buffer = room !== undefined ? model.room(room) : model.dm(other.id, nickOf(other));
    const text = sanitize(e.text, { multiline: true });
    const highlight = mentions(text, model.myNick);
    const level = highlight ? ACTIVITY.mention : isDm ? ACTIVITY.private : ACTIVITY.message;
    const line = model.addMessage(
      buffer,
      {
        ts: e.ts,
        kind: e.kind === 'action' ? 'action' : 'message',
        nick: author.nick,
        text,
        msgId: e.id,
        ...(highlight ? { highlight: true } : {}),
        ...(author.badge ? { badge: author.badge } : {}),
      },
      level,
    );
    if (line && (highlight || isDm)) {
      const warning = author.badge?.warn ? ` (${author.badge.text})` : '';
      model.alert({
        title: isDm ? `lanchat: ${nick}${warning}` : `lanchat: ${nick} in ${buffer.title}${warning}`,
        body: text,
      });
    }
  },
  delivered(model, e) {
    const line = model.sentLine(e.id);
    if (line && line.delivery !== 'read') {
      line.delivery = 'delivered';
      model.touch();
    }
  },
  read(model, e) {
    const line = model.sentLine(e.id);
    if (line) {
      line.delivery = 'read';
      model.touch();
    }
  },
  typing(model, e) {
    model.setTyping(e.peer.id, nickOf(e.peer), e.active);
  },
  presence(model, e) {
    const known = model.peers.get(e.peer.id);
    if (known) known.presence = e.presence === 'online' ? undefined : e.presence;
    model.touch();
  },
  own_presence(model, e) {
    model.myPresence = e.presence === 'online' ? undefined : e.presence;
    const text =
      e.presence === 'online'
        ? 'you are back'
        : `you are ${e.presence}${e.status ? `: ${sanitize(e.status)}` : ''}`;
    model.system(model.buffers.status, text);
    if (!e.auto && model.buffers.current !== model.buffers.status) model.inline(text);
  },
  joined(model, e) {
    const buffer = model.room(e.room);
    for (const m of e.members) buffer.members.set(m.id, nickOf(m));
    const others = e.members.map(nickOf);
    const who = others.length ? `; here: ${others.join(', ')}` : '; nobody else is here yet';
    model.system(buffer, `you joined ${buffer.title}${who}`);
  },
  parted(model, e) {
    model.buffers.remove(normaliseRoom(e.room));
    model.inline(`you left ${sanitizeName(e.room)}`);
  },
  member_joined(model, e) {
    // Only rooms we are in have a buffer; a peer's word never opens one (see room_offer).
    const buffer = model.buffers.get(normaliseRoom(e.room));
    if (!buffer) return;
    buffer.members.set(e.peer.id, nickOf(e.peer));
    const text = `${nickOf(e.peer)} joined ${buffer.title}`;
    model.addLine(buffer, { ts: model.now(), kind: 'join', text }, ACTIVITY.join);
  },
  room_offer(model, e) {
    const room = sanitizeName(e.room);
    model.system(model.buffers.status, `${nickOf(e.peer)} is in ${room}; /join ${room} to join it`);
  },
  member_parted(model, e) {
    const buffer = model.buffers.get(normaliseRoom(e.room));
    if (!buffer) return;
    buffer.members.delete(e.peer.id);
    const text = `${nickOf(e.peer)} left ${buffer.title}`;
    model.addLine(buffer, { ts: model.now(), kind: 'part', text }, ACTIVITY.join);
  },
  nick(model, e) {
    const nick = nickOf(e.peer);
    const known = model.peers.get(e.peer.id);
    if (known) known.nick = nick;
    const text = `${sanitizeName(e.previous)} is now known as ${nick}`;
    model.system(model.buffers.status, text);
    for (const b of buffersWith(model, e.peer.id)) {
      b.members.set(e.peer.id, nick);
      if (b.kind === 'dm') b.title = nick;
      model.addLine(b, { ts: model.now(), kind: 'system', text }, ACTIVITY.join);
    }
  },
  file_offer(model, e) {
    const t = model.transfers.upsert(e.id, {
      direction: 'in',
      peerId: e.from.id,
      peerNick: nickOf(e.from),
      name: e.name,
      size: e.size,
      bytes: 0,
      rate: 0,
      state: 'offered',
    });
    const id = shortId(t.id);
    const text = `${t.peerNick} offers ${sized(t)}: /accept ${id} or /reject ${id}`;
    // Like a DM: it needs an answer from me.
    transferLine(model, t, text, { level: ACTIVITY.private, status: true });
    model.alert({ title: `lanchat: ${t.peerNick}`, body: `offers ${sized(t)}` });
  },
  file_offered(model, e) {
    const t = model.transfers.upsert(e.id, {
      direction: 'out',
      peerId: e.to.id,
      peerNick: nickOf(e.to),
      name: e.name,
      size: e.size,
      bytes: 0,
      rate: 0,
      state: 'offered',
      path: e.path,
    });
    const id = shortId(t.id);
    transferLine(model, t, `offering ${sized(t)} to ${t.peerNick}, id ${id}; /cancel ${id} withdraws it`);
  },
  file_accepted(model, e) {
    const t = model.transfers.upsert(e.id, {
      direction: e.direction,
      peerId: e.peer.id,
      peerNick: nickOf(e.peer),
      bytes: e.offset,
      rate: 0,
      state: 'accepted',
    });
    const resume = e.offset > 0 ? `, resuming at ${percentOf(t) ?? 0}%` : '';
    const text =
      e.direction === 'in'
        ? `receiving ${sized(t)} from ${t.peerNick}${resume}`
        : `${t.peerNick} accepted ${sized(t)}${resume}`;
    transferLine(model, t, text, { level: ACTIVITY.join });
  },
  file_progress(model, e) {
    const known = model.transfers.get(e.id);
    model.transfers.upsert(e.id, {
      direction: e.direction,
      bytes: e.bytes,
      size: e.size,
      rate: e.rate,
      // A transfer resumed after a restart may report progress before anything else.
      ...(known === undefined || known.state === 'offered' ? { state: 'accepted' as const } : {}),
    });
    model.touch();
  },
  file_done(model, e) {
    const t = model.transfers.upsert(e.id, {
      direction: e.direction,
      bytes: e.size,
      size: e.size,
      rate: 0,
      state: 'done',
      path: e.path,
    });
    const text =
      e.direction === 'in'
        ? `received ${sized(t)} from ${t.peerNick}, SHA-256 verified: ${t.path ?? ''}`
        : `${t.peerNick} received ${sized(t)}, SHA-256 verified`;
    transferLine(model, t, text, { level: ACTIVITY.message, status: true });
  },
  file_failed(model, e) {
    const state = e.code === 'rejected' || e.code === 'cancelled' ? e.code : 'failed';
    const t = model.transfers.upsert(e.id, { direction: e.direction, rate: 0, state, error: e.message });
    const code = sanitize(e.code);
    const why = t.error ?? state;
    const text =
      state === 'failed'
        ? `${sized(t)} failed: ${why} (${code})`
        : why.includes(t.name)
          ? why
          : `${sized(t)}: ${why}`;
    transferLine(model, t, text, {
      kind: state === 'failed' ? 'error' : 'system',
      level: ACTIVITY.message,
      status: true,
    });
  },
  warning(model, e) {
    model.system(model.buffers.status, `warning (${sanitize(e.code)}): ${sanitize(e.message)}`);
  },
  error(model, e) {
    const text = `${sanitize(e.message)} (${sanitize(e.code)})`;
    model.system(model.buffers.status, text, 'error');
    if (model.buffers.current !== model.buffers.status) model.inline(text, 'error');
  },
};

/** Applies one node event; unknown event types are ignored. */
export function applyEvent(
  model: ChatModel,
  event: NodeEvent | { type: string; [key: string]: unknown },
): void {
  const handler = (handlers as Record<string, ((m: ChatModel, e: unknown) => void) | undefined>)[event.type];
  handler?.(model, event);
}
