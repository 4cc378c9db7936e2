// The one place that knows how a messages row maps to StoredMessage, shared by the message, outbox
// and search queries so their results are identical objects.
import type { MessageDirection, MessageKind, StoredMessage } from './store.js';

/** Column list for SELECTs; prefix with a table alias via messageColumns('m'). */
export function messageColumns(alias: string): string {
  return [
    'id',
    'conversation',
    'sender_id',
    'sender_nick',
    'text',
    'kind',
    'ts',
    'received_at',
    'direction',
    'history',
    'sig',
    'sig_version',
  ]
    .map((column) => `${alias}.${column}`)
    .join(', ');
}

export interface MessageRow {
  id: string;
  conversation: string;
  sender_id: string;
  sender_nick: string;
  text: string;
  kind: MessageKind;
  ts: number;
  received_at: number;
  direction: MessageDirection;
  history: 0 | 1;
  sig: string | null;
  sig_version: number | null;
}

export function messageFromRow(row: MessageRow): StoredMessage {
  return {
    id: row.id,
    conversation: row.conversation,
    senderId: row.sender_id,
    senderNick: row.sender_nick,
    text: row.text,
    kind: row.kind,
    ts: row.ts,
    receivedAt: row.received_at,
    direction: row.direction,
    history: row.history === 1,
    ...(row.sig === null ? {} : { signature: row.sig }),
    ...(row.sig_version === null || row.sig_version === 1 ? {} : { signatureVersion: row.sig_version }),
  };
}

export function rowParams(message: StoredMessage): Record<string, string | number | null> {
  return {
    id: message.id,
    conversation: message.conversation,
    sender_id: message.senderId,
    sender_nick: message.senderNick,
    text: message.text,
    kind: message.kind,
    ts: message.ts,
    received_at: message.receivedAt,
    direction: message.direction,
    history: message.history ? 1 : 0,
    sig: message.signature ?? null,
    sig_version: message.signature === undefined ? null : (message.signatureVersion ?? 1),
    // Received messages start unshown; what we send is on our screen already.
    shown: message.direction === 'in' ? 0 : 1,
  };
}
