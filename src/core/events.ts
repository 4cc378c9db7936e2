// What the node tells its user interfaces (the headless JSON mode, the terminal UI, `send`).
// These shapes are the documented headless contract: change them only compatibly.

export interface PeerRef {
  id: string;
  nick: string;
}
export interface PeerInfo extends PeerRef {
  address: string;
  online: boolean;
}

export type Recipient = { to: PeerRef } | { room: string };

export type NodeEvent =
  | { type: 'ready'; id: string; nick: string; port: number }
  | { type: 'peer_online'; peer: PeerInfo }
  | { type: 'peer_offline'; peer: PeerRef; reason: string }
  | ({ type: 'sent'; id: string; text: string; ts: number; queued: boolean } & Recipient)
  | ({
      type: 'message';
      id: string;
      from: PeerRef;
      text: string;
      ts: number;
      kind: 'text' | 'action';
    } & Recipient)
  | { type: 'delivered'; id: string; to: PeerRef }
  | { type: 'joined'; room: string; members: PeerRef[] }
  | { type: 'parted'; room: string }
  | { type: 'member_joined'; room: string; peer: PeerRef }
  | { type: 'member_parted'; room: string; peer: PeerRef }
  | { type: 'nick'; peer: PeerRef; previous: string }
  | { type: 'warning'; code: string; message: string }
  | { type: 'error'; code: string; message: string };

export type NodeEventListener = (event: NodeEvent) => void;
