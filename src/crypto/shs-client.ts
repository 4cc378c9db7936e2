// SHS v1, client side (Alice), as pure steps over immutable states. The driver feeds bytes in and
// sends what comes out; nothing here does I/O or reads a clock. Names follow the Scuttlebutt
// Protocol Guide: a/b ephemeral, A/B long-term, K network key.
import type { KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import { concatBytes as concat } from './concat-bytes.js';
import { curveKeyPairOf, curvePublicKeyObject, sharedSecret } from './curve-dh.js';
import { sha256 } from './digests.js';
import { signDetached } from './ed25519.js';
import { checkEd25519Point, verifyStrict } from './ed25519-checks.js';
import { HandshakeError } from './handshake-error.js';
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

export const CLIENT_AUTH_BYTES = 112;
export const SERVER_ACCEPT_BYTES = 80;
const ZERO_NONCE = new Uint8Array(24);

export interface ClientOptions {
  readonly identity: Ed25519KeyPair;
  readonly networkKey: Uint8Array;
  /** B: the server's identity, known before dialling (discovery, invite or manual entry). */
  readonly serverPublicKey: Uint8Array;
  /** Injected only by tests (deterministic vectors); a fresh key otherwise. */
  readonly ephemeral?: CurveKeyPair;
}

export interface ClientStart {
  readonly phase: 'client-start';
  readonly identity: Ed25519KeyPair;
  readonly networkKey: Uint8Array;
  readonly serverPublicKey: Uint8Array;
  /** B converted to Curve25519, as an OpenSSL key (cached per B). */
  readonly serverCurveKey: KeyObject;
  readonly ephemeral: DhKeyPair;
  readonly hello: Uint8Array;
  readonly helloMac: Uint8Array;
}

export interface ClientAuthenticating extends Omit<ClientStart, 'phase'> {
  readonly phase: 'client-auth';
  readonly remoteHelloMac: Uint8Array;
  readonly remoteEphemeral: KeyObject; // b
  readonly abHash: Uint8Array; // sha256(ab), signed by both sides
  readonly secretPrefix: Uint8Array; // K ‖ ab ‖ aB, extended with Ab for message 4
  readonly authPlain: Uint8Array; // sig_A(K ‖ B ‖ sha256(ab)) ‖ A
}

export interface ClientDone {
  readonly phase: 'client-done';
  readonly session: SessionKeys;
}

export function createClient(options: ClientOptions): ClientStart {
  assertIdentity(options.identity);
  assertKeyBytes(options.networkKey, 'the network key');
  assertKeyBytes(options.serverPublicKey, "the server's public key");
  // Checked before dialling: a small-order B would make aB predictable to anybody.
  const check = checkEd25519Point(options.serverPublicKey);
  if (check !== 'ok') {
    throw new HandshakeError(
      'low-order-key',
      `handshake: the server key we were given is unusable (${check})`,
    );
  }
  const ephemeral = options.ephemeral ? dhKeyPairOf(options.ephemeral) : newEphemeralKeyPair();
  const { message, mac } = makeHello(ephemeral.publicKey, options.networkKey);
  return {
    phase: 'client-start',
    identity: options.identity,
    networkKey: options.networkKey,
    serverPublicKey: options.serverPublicKey,
    serverCurveKey: curvePublicKeyObject(options.serverPublicKey, 'server'),
    ephemeral,
    hello: message,
    helloMac: mac,
  };
}

/** Message 1 (64 bytes). */
export function clientHello(state: ClientStart): Uint8Array {
  return state.hello;
}

/** Checks message 2, computes ab and aB, and signs our authentication. */
export function clientVerifyServerHello(state: ClientStart, message2: Uint8Array): ClientAuthenticating {
  const { mac, ephemeralPublicKey } = openHello(message2, state.networkKey, 'server hello (message 2)');
  // Imported once: b serves ab now and Ab in message 4.
  const remoteEphemeral = x25519PublicKey(ephemeralPublicKey);
  const ab = sharedSecret(state.ephemeral.privateKey, remoteEphemeral, 'ephemeral (ab)');
  const aB = sharedSecret(state.ephemeral.privateKey, state.serverCurveKey, 'client-ephemeral/server (aB)');
  const abHash = sha256(ab);
  const signature = signDetached(
    concat(state.networkKey, state.serverPublicKey, abHash),
    state.identity.secretKey,
  );
  return {
    ...state,
    phase: 'client-auth',
    remoteHelloMac: mac,
    remoteEphemeral,
    abHash,
    secretPrefix: concat(state.networkKey, ab, aB),
    authPlain: concat(signature, state.identity.publicKey),
  };
}

/** Message 3 (112 bytes): secretbox(sig_A ‖ A) under sha256(K ‖ ab ‖ aB), nonce 0. */
export function clientAuth(state: ClientAuthenticating): Uint8Array {
  return nacl.secretbox(state.authPlain, ZERO_NONCE, sha256(state.secretPrefix));
}

/** Checks message 4 (the server's proof that it holds B) and derives the session. */
export function clientVerifyServerAccept(state: ClientAuthenticating, message4: Uint8Array): ClientDone {
  if (message4.length !== SERVER_ACCEPT_BYTES) {
    throw new HandshakeError(
      'bad-accept',
      `handshake: server accept (message 4) has ${message4.length} bytes instead of ${SERVER_ACCEPT_BYTES}`,
    );
  }
  const Ab = sharedSecret(
    curveKeyPairOf(state.identity).privateKey,
    state.remoteEphemeral,
    'client/server-ephemeral (Ab)',
  );
  const secret3 = sha256(state.secretPrefix, Ab);
  const signature = nacl.secretbox.open(message4, ZERO_NONCE, secret3);
  const signed = signature && concat(state.networkKey, state.authPlain, state.abHash);
  if (!signature || !signed || !verifyStrict(signature, signed, state.serverPublicKey)) {
    throw new HandshakeError(
      'bad-accept',
      'handshake: server accept (message 4) is invalid: the server does not hold the key we dialled, or the message was tampered with',
    );
  }
  return {
    phase: 'client-done',
    session: deriveSessionKeys({
      secret3,
      localPublicKey: state.identity.publicKey,
      remotePublicKey: state.serverPublicKey,
      localHelloMac: state.helloMac,
      remoteHelloMac: state.remoteHelloMac,
    }),
  };
}
