// Sign-then-seal: what the recipient accepts, and every way a holder could try to change it.
import sodium from 'libsodium-wrappers';
import nacl from 'tweetnacl';
import { beforeAll, describe, expect, it } from 'vitest';
import { openLetter, sealLetter, type UnsignedLetter } from '../../src/core/drops/drop-letter.js';
import { signReceipt, verifyReceipt } from '../../src/core/drops/drop-receipt.js';
import { loadSealedBox, type SealedBox } from '../../src/crypto/sealed-box.js';
import { idOf } from '../../src/identity/ids.js';
import { decodeMessage, encodeMessage, ProtocolError } from '../../src/protocol/messages.js';

const NETWORK = 'net-1';
const alice = nacl.sign.keyPair();
const bob = nacl.sign.keyPair();
const carol = nacl.sign.keyPair();
const aliceId = idOf(alice.publicKey);
const bobId = idOf(bob.publicKey);
let sealed: SealedBox;

beforeAll(async () => {
  sealed = await loadSealedBox();
  await sodium.ready;
});

function letter(overrides: Partial<UnsignedLetter> = {}): UnsignedLetter {
  return {
    id: 'AAAAAAAA',
    from: aliceId,
    to: bobId,
    nick: 'alice',
    ts: 1_700_000_000_000,
    exp: 1_700_000_000_000 + 86_400_000,
    kind: 'text',
    text: '你好 bob, the code is 4711',
    ...overrides,
  };
}

describe('drop letters', () => {
  it('the recipient opens and verifies what the sender sealed; nobody else can', () => {
    const box = sealLetter(letter(), NETWORK, alice.secretKey, sealed)!;
    expect(Buffer.from(box).includes(Buffer.from('4711'))).toBe(false);
    const opened = openLetter(box, bob, bobId, NETWORK, sealed);
    expect(opened).toMatchObject({ ok: true, letter: letter() });
    expect(openLetter(box, carol, idOf(carol.publicKey), NETWORK, sealed)).toEqual({
      ok: false,
      why: 'unreadable',
    });
  });

  it('is a standard libsodium sealed box: raw crypto_box_seal_open with the converted keys reads it', () => {
    const box = sealLetter(letter(), NETWORK, alice.secretKey, sealed)!;
    const plain = sodium.crypto_box_seal_open(
      box,
      sodium.crypto_sign_ed25519_pk_to_curve25519(bob.publicKey),
      sodium.crypto_sign_ed25519_sk_to_curve25519(bob.secretKey),
    );
    expect(JSON.parse(Buffer.from(plain).toString('utf8'))).toMatchObject({ from: aliceId, to: bobId });
  });

  it('every flipped byte makes the box unreadable', () => {
    const box = sealLetter(letter(), NETWORK, alice.secretKey, sealed)!;
    for (let i = 0; i < box.length; i += 7) {
      const bad = Uint8Array.from(box);
      bad[i]! ^= 0x80;
      expect(openLetter(bad, bob, bobId, NETWORK, sealed).ok).toBe(false);
    }
    expect(openLetter(box.subarray(0, 40), bob, bobId, NETWORK, sealed).ok).toBe(false);
  });

  it('a holder cannot write a letter "from alice", re-address one, or move one to another network', () => {
    // Signed by carol, naming alice as the sender.
    const forged = sealLetter(letter(), NETWORK, carol.secretKey, sealed)!;
    expect(openLetter(forged, bob, bobId, NETWORK, sealed)).toEqual({ ok: false, why: 'forged' });
    // alice's letter to carol, opened by carol and sealed again to bob.
    const toCarol = letter({ to: idOf(carol.publicKey) });
    const resealed = sealed.seal(
      sealed.open(sealLetter(toCarol, NETWORK, alice.secretKey, sealed)!, carol)!,
      bob.publicKey,
    )!;
    expect(openLetter(resealed, bob, bobId, NETWORK, sealed)).toEqual({ ok: false, why: 'misaddressed' });
    const box = sealLetter(letter(), 'other-network', alice.secretKey, sealed)!;
    expect(openLetter(box, bob, bobId, NETWORK, sealed)).toEqual({ ok: false, why: 'forged' });
  });

  it('receipts verify only when signed by the recipient they name', () => {
    const fields = { id: 'AAAAAAAA', from: aliceId, to: bobId };
    expect(verifyReceipt(signReceipt(fields, NETWORK, bob.secretKey), NETWORK)).toBe(true);
    expect(verifyReceipt(signReceipt(fields, NETWORK, carol.secretKey), NETWORK)).toBe(false);
    expect(verifyReceipt({ ...signReceipt(fields, NETWORK, bob.secretKey), id: 'BBBBBBBB' }, NETWORK)).toBe(
      false,
    );
    expect(verifyReceipt(signReceipt(fields, NETWORK, bob.secretKey), 'other')).toBe(false);
    // A delivery receipt is not a read receipt, nor the other way round.
    expect(verifyReceipt({ ...signReceipt(fields, NETWORK, bob.secretKey), read: true }, NETWORK)).toBe(
      false,
    );
    const read = signReceipt({ ...fields, read: true }, NETWORK, bob.secretKey);
    expect(verifyReceipt(read, NETWORK)).toBe(true);
    const { read: _, ...asDelivery } = read;
    expect(verifyReceipt(asDelivery, NETWORK)).toBe(false);
  });
});

describe('drop messages on the wire', () => {
  const decode = (o: object) => decodeMessage(encodeMessage(o as never));
  it('round-trips valid messages', () => {
    const put = {
      t: 'drop_put',
      id: 'AAAAAAAA',
      to: bobId,
      exp: 5,
      box: Buffer.alloc(60, 1).toString('base64'),
    };
    expect(decode(put)).toEqual(put);
    const done = {
      t: 'drop_done',
      n: [1, 2],
      rcpts: [signReceipt({ id: 'AAAAAAAA', from: aliceId, to: bobId }, NETWORK, bob.secretKey)],
    };
    expect(decode(done)).toEqual(done);
  });

  it('refuses malformed fields', () => {
    const box = Buffer.alloc(60, 1).toString('base64');
    for (const bad of [
      { t: 'drop_put', id: 'A', to: bobId, exp: 5, box }, // non-canonical id
      { t: 'drop_put', id: 'AAAAAAAA', to: 'bob', exp: 5, box },
      { t: 'drop_put', id: 'AAAAAAAA', to: bobId, exp: -1, box },
      { t: 'drop_put', id: 'AAAAAAAA', to: bobId, exp: 5, box: 'QQ=' }, // non-canonical base64
      { t: 'drop_put', id: 'AAAAAAAA', to: bobId, exp: 5, box: 'A'.repeat(200_000) },
      { t: 'drops', drops: new Array(65).fill({ n: 1, box }) },
      { t: 'drop_done', n: [-1], rcpts: [] },
      { t: 'drop_rcpt', rcpts: [{ id: 'AAAAAAAA', from: aliceId, to: bobId, sig: 'x' }] },
    ]) {
      expect(() => decode(bad), JSON.stringify(bad).slice(0, 80)).toThrow(ProtocolError);
    }
  });
});
