// Where one of our DMs is, for `/outbox`: from its delivery row and its drops.
import type { OutboxEntry } from '../../store/store.js';
import type { OutboxView, PeerRef } from '../events.js';

export function outboxView(entry: OutboxEntry, now: number, ref: (id: string) => PeerRef): OutboxView {
  const view: OutboxView = {
    id: entry.messageId,
    to: ref(entry.recipientId),
    text: entry.text,
    ts: entry.ts,
    state: 'queued',
    holders: entry.holders,
  };
  if (entry.dropExpiresAt !== undefined) view.expires = entry.dropExpiresAt;
  if (entry.status !== 'queued') {
    view.state = entry.status;
    view.via = entry.relayedAt !== undefined ? 'relay' : 'direct';
  } else if (entry.holders > 0) {
    view.state = entry.dropExpiresAt !== undefined && entry.dropExpiresAt <= now ? 'expired' : 'deposited';
  }
  return view;
}
