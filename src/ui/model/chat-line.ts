// One logical line of a buffer, before wrapping. Text here is already sanitized.

export type Delivery = 'queued' | 'sent' | 'delivered' | 'read';

export type LineKind = 'message' | 'action' | 'join' | 'part' | 'system' | 'error' | 'day';

export interface ChatLine {
  /** Position in its buffer; increases downwards, earlier history gets smaller numbers. */
  seq: number;
  ts: number;
  kind: LineKind;
  nick?: string;
  text: string;
  /** Sent by me: the nick is drawn bold and the delivery mark follows the text. */
  mine?: boolean;
  msgId?: string;
  delivery?: Delivery;
  /** Mentions my nick. */
  highlight?: boolean;
  /** Drawn by us between the nick column and the text, in an inverse style that no text from a
   * peer ever has: the key suffix while another identity claims a look-alike nick ("#66687aad"),
   * and `warn` when the nick imitates a contact the user verified or knew first. */
  badge?: { text: string; warn: boolean };
}

export type NewLine = Omit<ChatLine, 'seq'>;
