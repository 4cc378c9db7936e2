// Curve25519 DH for SHS. nacl.scalarMult does not fail on low-order points: it returns all zeros,
// which would make the shared secret public. Every DH result goes through here and is checked.
import ed2curve from 'ed2curve';
import nacl from 'tweetnacl';
import { HandshakeError } from './handshake-error.js';

function isAllZero(bytes: Uint8Array): boolean {
  // Accumulate instead of returning early: the DH output is secret.
  let acc = 0;
  for (let i = 0; i < bytes.length; i++) acc |= bytes[i]!;
  return acc === 0;
}

/** scalarMult that refuses low-order inputs (all-zero output). `what` names the DH for messages. */
export function sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array, what: string): Uint8Array {
  const shared = nacl.scalarMult(secretKey, publicKey);
  if (isAllZero(shared)) {
    throw new HandshakeError(
      'low-order-key',
      `handshake: the ${what} DH gave all zeros: the peer sent a low-order (malicious) key`,
    );
  }
  return shared;
}

/** Ed25519 public key → Curve25519 (ed2curve, on tweetnacl). ed2curve returns null when the
 * encoding is not a curve point; small-order keys are refused before this (checkEd25519Point). */
export function curvePublicKey(edPublicKey: Uint8Array, whose: string): Uint8Array {
  const converted = edPublicKey.length === 32 ? ed2curve.convertPublicKey(edPublicKey) : null;
  if (!converted) {
    throw new HandshakeError('low-order-key', `handshake: the ${whose} key is not a valid Ed25519 point`);
  }
  return converted;
}

/** Ed25519 secret key (64 bytes, tweetnacl layout) → Curve25519 scalar. */
export function curveSecretKey(edSecretKey: Uint8Array): Uint8Array {
  return ed2curve.convertSecretKey(edSecretKey);
}
