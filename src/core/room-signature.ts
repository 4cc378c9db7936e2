// Room messages are signed by their author, because catch-up relays them through other members:
// a relay must not be able to forge or alter what alice said. DMs travel only on the authenticated
// link between the two parties and need no signature.
import { signDetached } from '../crypto/ed25519.js';
import { verifyStrict } from '../crypto/ed25519-checks.js';

export interface SignedFields {
  id: string;
  ts: number;
  room: string;
  kind: 'text' | 'action';
  text: string;
}

// Domain-separated, unambiguous encoding: a JSON array cannot be confused across field boundaries.
function signedBytes(fields: SignedFields): Uint8Array {
  const body = JSON.stringify([
    'lanchat/1 room message',
    fields.id,
    fields.ts,
    fields.room,
    fields.kind,
    fields.text,
  ]);
  return new Uint8Array(Buffer.from(body, 'utf8'));
}

export function signRoomMessage(fields: SignedFields, secretKey: Uint8Array): string {
  return Buffer.from(signDetached(signedBytes(fields), secretKey)).toString('base64');
}

export function verifyRoomMessage(fields: SignedFields, signature: string, authorKey: Uint8Array): boolean {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return false;
  return verifyStrict(new Uint8Array(sig), signedBytes(fields), authorKey);
}
