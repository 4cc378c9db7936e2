// libsodium's sealed box (crypto_box_seal): an anonymous sender encrypts to a recipient's X25519
// key with a fresh ephemeral key pair, so the ciphertext names nobody and only the recipient can
// open it. Drops (core/drops) are sealed this way for the recipient of a DM and carried by other
// peers, who hold bytes they cannot read. Ed25519 identity keys are converted to X25519 here.
//
// libsodium is loaded on first use (the first drop sent or received), not at start-up: see
// secretbox-libsodium.ts for what loading it costs.
import type Sodium from 'libsodium-wrappers';

/** crypto_box_SEALBYTES: ephemeral public key (32) + MAC (16). */
export const SEAL_OVERHEAD = 48;

export interface SealedBox {
  /** Seals `message` to the X25519 key of the Ed25519 public key `recipientEdKey`; null when that
   * key is not a valid curve point (nobody could open it). */
  seal(message: Uint8Array, recipientEdKey: Uint8Array): Uint8Array | null;
  /** Opens a box sealed to our Ed25519 identity; null when it was not sealed to us or was altered. */
  open(box: Uint8Array, identity: { publicKey: Uint8Array; secretKey: Uint8Array }): Uint8Array | null;
}

let loading: Promise<SealedBox> | undefined;

/** Loads libsodium once; every caller shares the same promise. */
export function loadSealedBox(): Promise<SealedBox> {
  loading ??= (async () => {
    const { default: sodium } = await import('libsodium-wrappers');
    await sodium.ready;
    return wrap(sodium);
  })();
  return loading;
}

function wrap(sodium: typeof Sodium): SealedBox {
  // Converting the identity's secret key costs a hash; cache per key object (one per node).
  const curveKeys = new WeakMap<Uint8Array, { publicKey: Uint8Array; privateKey: Uint8Array }>();
  const curveOf = (identity: { publicKey: Uint8Array; secretKey: Uint8Array }) => {
    let keys = curveKeys.get(identity.secretKey);
    if (!keys) {
      keys = {
        publicKey: sodium.crypto_sign_ed25519_pk_to_curve25519(identity.publicKey),
        privateKey: sodium.crypto_sign_ed25519_sk_to_curve25519(identity.secretKey),
      };
      curveKeys.set(identity.secretKey, keys);
    }
    return keys;
  };
  return {
    seal(message, recipientEdKey) {
      let curve: Uint8Array;
      try {
        curve = sodium.crypto_sign_ed25519_pk_to_curve25519(recipientEdKey);
      } catch {
        return null; // not a point of the curve, or of small order: libsodium refuses it
      }
      return sodium.crypto_box_seal(message, curve);
    },
    open(box, identity) {
      if (box.length < SEAL_OVERHEAD) return null;
      const keys = curveOf(identity);
      try {
        return sodium.crypto_box_seal_open(box, keys.publicKey, keys.privateKey);
      } catch {
        return null; // the wrapper reports a failed MAC by throwing
      }
    },
  };
}
