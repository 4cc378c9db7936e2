// Builds room messages as their author signs them, for attack tests: a relayed message
// (catch-up) or a live one, signed with the author's key by the node's own signing code, so a
// test can forge exactly one field and keep the rest genuine.
import nacl from 'tweetnacl';
import { newTimeOrderedId } from '../../src/core/new-ids.js';
import { signRoomMessage } from '../../src/core/room-signature.js';
import { DEFAULT_NETWORK_KEY, networkTag } from '../../src/crypto/network-key.js';
import type { Ed25519KeyPair } from '../../src/crypto/shs-keys.js';
import { idOf } from '../../src/identity/ids.js';
import type { RelayedMessage } from '../../src/protocol/messages.js';
import type { StoredMessage } from '../../src/store/store.js';

/** What a catch-up relay carries (the protocol's own type). */
export type Relayed = RelayedMessage;

export interface RoomMessageSpec {
  author?: Ed25519KeyPair;
  nick?: string;
  room?: string;
  id?: string;
  ts?: number;
  text?: string;
}

/** A room message signed by `author` (default: a fresh key), as a catch-up relay carries it. */
export function signedRelay(spec: RoomMessageSpec = {}): Relayed & { authorKeys: Ed25519KeyPair } {
  const authorKeys = spec.author ?? nacl.sign.keyPair();
  const author = idOf(authorKeys.publicKey);
  const fields = {
    id: spec.id ?? newTimeOrderedId(),
    ts: spec.ts ?? Date.now(),
    room: spec.room ?? '#general',
    kind: 'text' as const,
    text: spec.text ?? 'relayed words',
    author,
    nick: spec.nick ?? 'mallory',
    network: networkTag(DEFAULT_NETWORK_KEY),
  };
  const sig = signRoomMessage(fields, authorKeys.secretKey);
  const { id, ts, kind, text, nick } = fields;
  return { id, ts, kind, text, author, nick, sig, sv: 2, authorKeys };
}

/** A genuine stored room message (from its author's store), as an honest relay would send it. */
export function relayOf(message: StoredMessage): Relayed {
  const relayed: Relayed = {
    id: message.id,
    ts: message.ts,
    text: message.text,
    kind: message.kind,
    author: message.senderId,
    nick: message.senderNick,
    sig: message.signature!,
  };
  if (message.signatureVersion !== undefined) relayed.sv = message.signatureVersion;
  return relayed;
}

/** The relayed fields without the test's bookkeeping, ready for a catch-up frame. */
export function wire(message: Relayed & { authorKeys?: unknown }): Relayed {
  const { authorKeys: _, ...rest } = message;
  return rest;
}
