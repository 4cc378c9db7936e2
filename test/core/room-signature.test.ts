import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { type SignedFields, signRoomMessage, verifyRoomMessage } from '../../src/core/room-signature.js';
import { idOf } from '../../src/identity/ids.js';

const alice = nacl.sign.keyPair();
const fields: SignedFields = {
  id: 'AZrb3Nw4y6pbnvsVHvB3vA',
  ts: 1_700_000_000_000,
  room: '#general',
  kind: 'text',
  text: 'the build is green',
  author: idOf(alice.publicKey),
  nick: 'alice',
  network: '0123456789abcdef',
};

describe('room message signatures', () => {
  it('version 2 covers every field a receiver shows or uses', () => {
    const sig = signRoomMessage(fields, alice.secretKey);
    expect(verifyRoomMessage(fields, sig, alice.publicKey, 2)).toBe(true);
    const changed: Partial<SignedFields>[] = [
      { id: 'AZrb3Nw4y6pbnvsVHvB3vQ' },
      { ts: fields.ts + 1 },
      { room: '#dev' },
      { kind: 'action' },
      { text: 'the build is red' },
      { author: idOf(nacl.sign.keyPair().publicKey) },
      { nick: 'bob' },
      { network: 'fedcba9876543210' },
    ];
    for (const change of changed) {
      expect(
        verifyRoomMessage({ ...fields, ...change }, sig, alice.publicKey, 2),
        JSON.stringify(change),
      ).toBe(false);
    }
    // A version-2 signature is no version-1 signature (domain separation between the encodings).
    expect(verifyRoomMessage(fields, sig, alice.publicKey, 1)).toBe(false);
  });

  it('version 1 signatures of stored messages (the first release) still verify', () => {
    // The first release's encoding, frozen here: it signed no author, nick or network.
    const v1 = JSON.stringify([
      'lanchat/1 room message',
      fields.id,
      fields.ts,
      fields.room,
      fields.kind,
      fields.text,
    ]);
    const sig = Buffer.from(nacl.sign.detached(Buffer.from(v1, 'utf8'), alice.secretKey)).toString('base64');
    expect(verifyRoomMessage(fields, sig, alice.publicKey, 1)).toBe(true);
    // ...whatever nick it is shown with: which is why relays of version 1 are refused.
    expect(verifyRoomMessage({ ...fields, nick: 'bob' }, sig, alice.publicKey, 1)).toBe(true);
    expect(verifyRoomMessage(fields, sig, alice.publicKey, 2)).toBe(false);
  });
});
