// What a completed handshake leaves behind: one key and one starting nonce per direction. The
// directions differ (each side's public key is hashed in), so a box reflected back to its sender
// never opens.
import { sha256 } from './digests.js';

const NONCE_BYTES = 24; // box-stream nonces are the first 24 bytes of a hello MAC

export interface SessionKeys {
  /** The peer's long-term Ed25519 public key, now authenticated. */
  readonly remotePublicKey: Uint8Array;
  readonly encryptKey: Uint8Array;
  readonly encryptNonce: Uint8Array;
  readonly decryptKey: Uint8Array;
  readonly decryptNonce: Uint8Array;
}

export interface SessionInputs {
  /** sha256(K ‖ ab ‖ aB ‖ Ab), the key of message 4. */
  readonly secret3: Uint8Array;
  readonly localPublicKey: Uint8Array;
  readonly remotePublicKey: Uint8Array;
  readonly localHelloMac: Uint8Array;
  readonly remoteHelloMac: Uint8Array;
}

export function deriveSessionKeys(inputs: SessionInputs): SessionKeys {
  // Hash once more so that nothing that protected the handshake is used for the session.
  const secret = sha256(inputs.secret3);
  return {
    remotePublicKey: inputs.remotePublicKey.slice(),
    encryptKey: sha256(secret, inputs.remotePublicKey),
    encryptNonce: inputs.remoteHelloMac.slice(0, NONCE_BYTES),
    decryptKey: sha256(secret, inputs.localPublicKey),
    decryptNonce: inputs.localHelloMac.slice(0, NONCE_BYTES),
  };
}
