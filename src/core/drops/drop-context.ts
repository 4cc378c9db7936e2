// What the three roles of drops (sender, holder, recipient) need from the node.

import type { PeerLink } from '../../connection/peer-link.js';
import type { SealedBox } from '../../crypto/sealed-box.js';
import type { Ed25519KeyPair } from '../../crypto/shs-keys.js';
import type { Store, StoredMessage } from '../../store/store.js';
import type { AuthorVerdict } from '../author-admission.js';
import type { Clock } from '../clock.js';
import type { NodeEvent, PeerRef } from '../events.js';
import type { Peer, PeerTable } from '../peer-table.js';
import type { DropPolicy } from './drop-policy.js';

export interface DropContext {
  selfId: string;
  identity: Ed25519KeyPair;
  /** The network tag, signed into letters and receipts (no replay into another network). */
  network: string;
  store: Store;
  peers: PeerTable;
  clock: Clock;
  policy: DropPolicy;
  /** libsodium's sealed box, loaded on first use. */
  sealedBox: () => Promise<SealedBox>;
  ref: (peer: Peer) => PeerRef;
  author: (id: string, nick: string) => PeerRef;
  admitAuthor: (authorId: string, nick: string) => AuthorVerdict;
  show: (messages: StoredMessage[]) => void;
  emit: (event: NodeEvent) => void;
  /** A peer sent what only a broken or hostile node sends: warn and close the link it came on. */
  hostile: (peer: Peer, link: PeerLink, what: string) => void;
}
