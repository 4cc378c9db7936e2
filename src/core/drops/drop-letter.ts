// Sign-then-seal for drops. The sender signs every field the recipient will show or rely on
// (network, from, to, nick, id, ts, exp, kind, text) with its Ed25519 identity key, then seals the
// signed letter to the recipient's key (crypto/sealed-box.ts). A holder sees only ciphertext; a
// holder that alters a byte breaks the seal; a holder that seals a letter of its own cannot sign
// it as anybody else; the signature names the recipient, so a letter cannot be re-sealed to
// somebody else and shown there as addressed to them.
import { signDetached } from '../../crypto/ed25519.js';
import { verifyStrict } from '../../crypto/ed25519-checks.js';
import type { SealedBox } from '../../crypto/sealed-box.js';
import { parseId } from '../../identity/ids.js';
import { type DropLetter, decodeDropLetter, MAX_DROP_BOX_BYTES } from '../../protocol/drop-messages.js';

export type UnsignedLetter = Omit<DropLetter, 'sig'>;

function signedBytes(letter: UnsignedLetter, network: string): Uint8Array {
  return new Uint8Array(
    Buffer.from(
      JSON.stringify([
        'lanchat/1 sealed drop',
        network,
        letter.from,
        letter.to,
        letter.nick,
        letter.id,
        letter.ts,
        letter.exp,
        letter.kind,
        letter.text,
      ]),
      'utf8',
    ),
  );
}

/** Signs with the sender's key and seals to the recipient; null when the recipient key is unusable
 * or the letter would exceed MAX_DROP_BOX_BYTES. */
export function sealLetter(
  letter: UnsignedLetter,
  network: string,
  secretKey: Uint8Array,
  sealed: SealedBox,
): Uint8Array | null {
  const recipientKey = parseId(letter.to);
  if (!recipientKey) return null;
  const sig = Buffer.from(signDetached(signedBytes(letter, network), secretKey)).toString('base64');
  const signed: DropLetter = { ...letter, sig };
  const box = sealed.seal(new Uint8Array(Buffer.from(JSON.stringify(signed), 'utf8')), recipientKey);
  return box && box.length <= MAX_DROP_BOX_BYTES ? box : null;
}

export type OpenedLetter =
  | { ok: true; letter: DropLetter }
  | { ok: false; why: 'unreadable' | 'forged' | 'misaddressed' };

/** Opens a box with our identity and checks the letter: sealed to us, well-formed, addressed to
 * us, and signed by the key it names as its sender on this network. */
export function openLetter(
  box: Uint8Array,
  identity: { publicKey: Uint8Array; secretKey: Uint8Array },
  selfId: string,
  network: string,
  sealed: SealedBox,
): OpenedLetter {
  const plain = sealed.open(box, identity);
  if (!plain) return { ok: false, why: 'unreadable' };
  const letter = decodeDropLetter(plain);
  if (!letter) return { ok: false, why: 'unreadable' };
  if (letter.to !== selfId) return { ok: false, why: 'misaddressed' };
  const senderKey = parseId(letter.from);
  const sig = Buffer.from(letter.sig, 'base64');
  if (!senderKey || !verifyStrict(new Uint8Array(sig), signedBytes(letter, network), senderKey))
    return { ok: false, why: 'forged' };
  return { ok: true, letter };
}
