// Delivery and read receipts for drops: signed by the recipient, so that a holder can carry them back to the
// sender and the sender can believe them. An unsigned "delivered" from a holder would let any peer
// stop a sender from ever retrying (a holder that drops the DM and claims it was delivered).
import { signDetached } from '../../crypto/ed25519.js';
import { verifyStrict } from '../../crypto/ed25519-checks.js';
import { parseId } from '../../identity/ids.js';
import type { DropReceipt } from '../../protocol/drop-messages.js';

// A read receipt is a different statement, signed under a different label: a delivery receipt
// can never be presented as a read one, or the other way round.
function signedBytes(receipt: Omit<DropReceipt, 'sig'>, network: string): Uint8Array {
  const label = receipt.read ? 'lanchat/1 drop read receipt' : 'lanchat/1 drop receipt';
  return new Uint8Array(
    Buffer.from(JSON.stringify([label, network, receipt.from, receipt.to, receipt.id]), 'utf8'),
  );
}

/** The recipient (`to`, whose secret key this is) confirms message `id` from `from` (arrived, or
 * with `read: true`, seen). */
export function signReceipt(
  fields: Omit<DropReceipt, 'sig'>,
  network: string,
  secretKey: Uint8Array,
): DropReceipt {
  return {
    ...fields,
    sig: Buffer.from(signDetached(signedBytes(fields, network), secretKey)).toString('base64'),
  };
}

/** True when the receipt is signed by its recipient (`to`) on this network. */
export function verifyReceipt(receipt: DropReceipt, network: string): boolean {
  const key = parseId(receipt.to);
  if (!key) return false;
  return verifyStrict(new Uint8Array(Buffer.from(receipt.sig, 'base64')), signedBytes(receipt, network), key);
}
