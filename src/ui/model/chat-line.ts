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
}

export type NewLine = Omit<ChatLine, 'seq'>;
