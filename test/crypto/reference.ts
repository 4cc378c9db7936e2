// Typed handles on the reference implementation (secret-handshake, pull-box-stream: CommonJS
// pull-streams). Loaded with createRequire so src never sees them; only the calls we use are typed.
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';

const require = createRequire(import.meta.url);

export interface RefKeys {
  publicKey: Buffer;
  secretKey: Buffer;
}

/** secret-handshake/crypto.js: its pure steps mutate and return a state object (null on failure). */
export interface RefState {
  local: { app_mac: Buffer; kx_pk: Buffer; publicKey: Buffer };
  remote: { app_mac?: Buffer; publicKey?: Buffer };
  encryptKey?: Buffer;
  decryptKey?: Buffer;
}
export interface RefShsCrypto {
  initialize(init: {
    app_key: Buffer;
    local: RefKeys;
    remote?: { publicKey: Buffer };
    random: Buffer;
  }): RefState;
  createChallenge(state: RefState): Buffer;
  verifyChallenge(state: RefState, challenge: Buffer): RefState | null;
  clientVerifyChallenge(state: RefState, challenge: Buffer): RefState | null;
  clientCreateAuth(state: RefState): Buffer;
  serverVerifyAuth(state: RefState, auth: Buffer): RefState | null;
  serverCreateAccept(state: RefState): Buffer;
  clientVerifyAccept(state: RefState, accept: Buffer): RefState | null;
  clean(state: RefState): RefState;
}

export interface PullDuplex {
  source: unknown;
  sink: unknown;
}
export interface RefStream extends PullDuplex {
  remote: Buffer;
  crypto: { encryptKey: Buffer; decryptKey: Buffer; encryptNonce: Buffer; decryptNonce: Buffer };
}
type RefCallback = (err: Error | null, stream: RefStream) => void;
export interface RefShs {
  createClient(
    keys: RefKeys,
    appKey: Buffer,
    timeout?: number,
  ): (server: Buffer, cb: RefCallback) => PullDuplex;
  createServer(
    keys: RefKeys,
    authorize: (key: Buffer, cb: (err: Error | null, ok: boolean) => void) => void,
    appKey: Buffer,
    timeout?: number,
  ): (cb: RefCallback) => PullDuplex;
}

export interface PullStream {
  (...parts: unknown[]): unknown;
  values(values: unknown[]): unknown;
  collect(cb: (err: Error | null | true, values: Buffer[]) => void): unknown;
  drain(onData: (data: Buffer) => void, onEnd: (err: Error | null | true) => void): unknown;
}

export const refShsCrypto: RefShsCrypto = require('secret-handshake/crypto.js');
export const refShs: RefShs = require('secret-handshake');
export const refBoxStream: {
  createBoxStream(key: Buffer, nonce: Buffer): unknown;
  createUnboxStream(key: Buffer, nonce: Buffer): unknown;
} = require('pull-box-stream');
export const pull: PullStream = require('pull-stream');
export const toPull: { duplex(stream: Duplex): PullDuplex } = require('stream-to-pull-stream');

/** Which NaCl backend the reference runs on (sodium-native bindings or the JS fallback). */
export function refBackend(): string {
  const chloride: Record<string, unknown> = require('chloride');
  return typeof chloride.crypto_auth === 'function' ? 'loaded' : 'missing';
}
