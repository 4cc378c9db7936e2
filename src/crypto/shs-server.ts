// SHS v1, server side (Bob), as pure steps over immutable states. The server proves nothing and
// reveals nothing until the client has proved it knows K (message 1) and B (message 3).
import nacl from 'tweetnacl';
import { concatBytes as concat } from './concat-bytes.js';
import { curveKeyPairOf, curvePublicKeyObject, sharedSecret } from './curve-dh.js';
import { sha256 } from './digests.js';
import { signDetached } from './ed25519.js';
import { checkEd25519Point, verifyStrict } from './ed25519-checks.js';
import { HandshakeError } from './handshake-error.js';
import { CLIENT_AUTH_BYTES } from './shs-client.js';
import { makeHello, openHello } from './shs-hello.js';
import {
  assertIdentity,
  assertKeyBytes,
  type CurveKeyPair,
  type DhKeyPair,
  dhKeyPairOf,
  type Ed25519KeyPair,
  newEphemeralKeyPair,
} from './shs-keys.js';
import { deriveSessionKeys, type SessionKeys } from './shs-session.js';
import { x25519PublicKey } from './x25519-key-objects.js';

const ZERO_NONCE = new Uint8Array(24);

export interface ServerOptions {
  readonly identity: Ed25519KeyPair;
  readonly networkKey: Uint8Array;
  /** Injected only by tests (deterministic vectors); a fresh key otherwise. */
  readonly ephemeral?: CurveKeyPair;
}

export interface ServerStart {
  readonly phase: 'server-start';
  readonly identity: Ed25519KeyPair;
  readonly networkKey: Uint8Array;
  readonly ephemeral: DhKeyPair;
  readonly hello: Uint8Array;
  readonly helloMac: Uint8Array;
}

export interface ServerAwaitingAuth extends Omit<ServerStart, 'phase'> {
  readonly phase: 'server-hello';
  readonly remoteHelloMac: Uint8Array;
  readonly remoteEphemeral: Uint8Array;
  readonly abHash: Uint8Array;
  readonly secretPrefix: Uint8Array; // K ‖ ab ‖ aB
}

export interface ServerAuthenticated {
  readonly phase: 'server-authenticated';
  /** A, authenticated: the caller decides (authorize) before sending message 4. */
  readonly remotePublicKey: Uint8Array;
  readonly identity: Ed25519KeyPair;
  readonly networkKey: Uint8Array;
  readonly authPlain: Uint8Array; // sig_A ‖ A, as received
  readonly abHash: Uint8Array;
  readonly secret3: Uint8Array; // sha256(K ‖ ab ‖ aB ‖ Ab)
  readonly helloMac: Uint8Array;
  readonly remoteHelloMac: Uint8Array;
}

export function createServer(options: ServerOptions): ServerStart {
  assertIdentity(options.identity);
  assertKeyBytes(options.networkKey, 'the network key');
  const ephemeral = options.ephemeral ? dhKeyPairOf(options.ephemeral) : newEphemeralKeyPair();
  const { message, mac } = makeHello(ephemeral.publicKey, options.networkKey);
  return {
    phase: 'server-start',
    identity: options.identity,
    networkKey: options.networkKey,
    ephemeral,
    hello: message,
    helloMac: mac,
  };
}

/** Checks message 1. The HMAC is checked before any DH: a stranger costs us one HMAC, and hears
 * nothing back. */
export function serverVerifyClientHello(state: ServerStart, message1: Uint8Array): ServerAwaitingAuth {
  const { mac, ephemeralPublicKey } = openHello(message1, state.networkKey, 'client hello (message 1)');
  const clientEphemeral = x25519PublicKey(ephemeralPublicKey); // a, imported once for both DHs
  const ab = sharedSecret(state.ephemeral.privateKey, clientEphemeral, 'ephemeral (ab)');
  const aB = sharedSecret(
    curveKeyPairOf(state.identity).privateKey,
    clientEphemeral,
    'client-ephemeral/server (aB)',
  );
  return {
    ...state,
    phase: 'server-hello',
    remoteHelloMac: mac,
    remoteEphemeral: ephemeralPublicKey,
    abHash: sha256(ab),
    secretPrefix: concat(state.networkKey, ab, aB),
  };
}

/** Message 2 (64 bytes); sent only after message 1 verified. */
export function serverHello(state: ServerAwaitingAuth): Uint8Array {
  return state.hello;
}

/** Checks message 3: the client knows B (it opens) and holds A (the signature verifies). */
export function serverVerifyClientAuth(state: ServerAwaitingAuth, message3: Uint8Array): ServerAuthenticated {
  const invalid = (why: string) =>
    new HandshakeError('bad-auth', `handshake: client authentication (message 3) ${why}`);
  if (message3.length !== CLIENT_AUTH_BYTES) {
    throw invalid(`has ${message3.length} bytes instead of ${CLIENT_AUTH_BYTES}`);
  }
  const plain = nacl.secretbox.open(message3, ZERO_NONCE, sha256(state.secretPrefix));
  if (!plain) {
    throw invalid(
      'does not open: the client dialled another key than ours, or the message was tampered with',
    );
  }
  const signature = plain.slice(0, 64);
  const clientKey = plain.slice(64, 96);
  const check = checkEd25519Point(clientKey);
  if (check !== 'ok') {
    throw new HandshakeError(
      'low-order-key',
      `handshake: the client's key in message 3 is unusable (${check})`,
    );
  }
  if (!verifyStrict(signature, concat(state.networkKey, state.identity.publicKey, state.abHash), clientKey)) {
    throw invalid('has an invalid signature: the client does not hold the key it claims');
  }
  const Ab = sharedSecret(
    state.ephemeral.privateKey,
    curvePublicKeyObject(clientKey, 'client'),
    'client/server-ephemeral (Ab)',
  );
  return {
    phase: 'server-authenticated',
    remotePublicKey: clientKey,
    identity: state.identity,
    networkKey: state.networkKey,
    authPlain: plain,
    abHash: state.abHash,
    secret3: sha256(state.secretPrefix, Ab),
    helloMac: state.helloMac,
    remoteHelloMac: state.remoteHelloMac,
  };
}

/** Message 4 (80 bytes): secretbox(sig_B(K ‖ sig_A ‖ A ‖ sha256(ab))) under sha256(K‖ab‖aB‖Ab).
 * Signed only here, after authorization, so a refused client costs no signature. */
export function serverAccept(state: ServerAuthenticated): Uint8Array {
  const signature = signDetached(
    concat(state.networkKey, state.authPlain, state.abHash),
    state.identity.secretKey,
  );
  return nacl.secretbox(signature, ZERO_NONCE, state.secret3);
}

export function serverSessionKeys(state: ServerAuthenticated): SessionKeys {
  return deriveSessionKeys({
    secret3: state.secret3,
    localPublicKey: state.identity.publicKey,
    remotePublicKey: state.remotePublicKey,
    localHelloMac: state.helloMac,
    remoteHelloMac: state.remoteHelloMac,
  });
}
