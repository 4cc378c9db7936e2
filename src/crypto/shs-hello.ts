// Messages 1 and 2 of SHS (identical in shape): hmac_K(eph_pub) ‖ eph_pub. Only holders of the
// network key K can make one that verifies, which is why a server says nothing to a bad one.
import { authMac, verifyAuthMac } from './digests.js';
import { HandshakeError } from './handshake-error.js';

export const HELLO_BYTES = 64;

export function makeHello(
  ephemeralPublicKey: Uint8Array,
  networkKey: Uint8Array,
): {
  message: Uint8Array;
  mac: Uint8Array;
} {
  const mac = authMac(ephemeralPublicKey, networkKey);
  const message = new Uint8Array(HELLO_BYTES);
  message.set(mac, 0);
  message.set(ephemeralPublicKey, 32);
  return { message, mac };
}

/** Verifies a hello; `phase` says which message it is, for the error text. */
export function openHello(
  message: Uint8Array,
  networkKey: Uint8Array,
  phase: 'client hello (message 1)' | 'server hello (message 2)',
): { mac: Uint8Array; ephemeralPublicKey: Uint8Array } {
  if (message.length !== HELLO_BYTES) {
    throw new HandshakeError(
      'bad-hello',
      `handshake: ${phase} has ${message.length} bytes instead of ${HELLO_BYTES}: the peer does not speak SHS`,
    );
  }
  const mac = message.slice(0, 32);
  const ephemeralPublicKey = message.slice(32, 64);
  if (!verifyAuthMac(mac, ephemeralPublicKey, networkKey)) {
    throw new HandshakeError(
      'wrong-network',
      `handshake: ${phase} does not verify: the peer uses another network key (--network) or is not lanchat`,
    );
  }
  return { mac, ephemeralPublicKey };
}
