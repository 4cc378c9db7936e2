// Room messages are signed by their author, because catch-up relays them through other members:
// a relay must not be able to forge or alter what alice said. DMs travel only on the authenticated
// link between the two parties and need no signature.
//
// Two signed encodings exist. Version 1 (the first release) covers id, ts, room, kind and text but
// not who the author claims to be, so a relay could show alice's words under any nick. Version 2
// covers everything a receiver shows or uses: the author's key, the nick shown at sending, room,
// id, ts, kind, text, and the protocol and network it was said on (a message cannot be replayed
// into another lanchat network, or read as any other signed object). New messages are signed
// with version 2; version 1 survives only to show and check messages stored before it.
import { signDetached } from '../crypto/ed25519.js';
import { verifyStrict } from '../crypto/ed25519-checks.js';
import type { Hello } from '../protocol/messages.js';

export const CURRENT_SIGNATURE_VERSION = 2;
export type SignatureVersion = 1 | 2;
/** The hello capability of peers that check version 2. A peer without it (an older lanchat)
 * would take a version 2 signature for a forgery and hang up: it gets our room messages without
 * a signature (it accepts those from the authenticated link they arrive on) and no relays. */
export const SIGNATURE_V2_CAPABILITY = 'signed-rooms-2';

export function checksSignatureV2(hello: Hello | undefined): boolean {
  return hello?.caps.includes(SIGNATURE_V2_CAPABILITY) ?? false;
}

export interface SignedFields {
  id: string;
  ts: number;
  room: string;
  kind: 'text' | 'action';
  text: string;
  /** Version 2: the author's id (base64url public key), its nick as shown, the network tag. */
  author: string;
  nick: string;
  network: string;
}

// Domain-separated, unambiguous encodings: a JSON array cannot be confused across field boundaries.
function signedBytes(fields: SignedFields, version: SignatureVersion): Uint8Array {
  const body =
    version === 1
      ? JSON.stringify([
          'lanchat/1 room message',
          fields.id,
          fields.ts,
          fields.room,
          fields.kind,
          fields.text,
        ])
      : JSON.stringify([
          'lanchat/2 room message',
          fields.network,
          fields.author,
          fields.nick,
          fields.room,
          fields.id,
          fields.ts,
          fields.kind,
          fields.text,
        ]);
  return new Uint8Array(Buffer.from(body, 'utf8'));
}

/** Signs with the current version (the only one we ever sign with). */
export function signRoomMessage(fields: SignedFields, secretKey: Uint8Array): string {
  return Buffer.from(signDetached(signedBytes(fields, CURRENT_SIGNATURE_VERSION), secretKey)).toString(
    'base64',
  );
}

export function verifyRoomMessage(
  fields: SignedFields,
  signature: string,
  authorKey: Uint8Array,
  version: SignatureVersion,
): boolean {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return false;
  return verifyStrict(new Uint8Array(sig), signedBytes(fields, version), authorKey);
}
