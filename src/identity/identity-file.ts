// The on-disk format of an identity, kept apart from the file handling so it can be tested as pure
// data. The format is deliberately plain JSON so a user can inspect (and back up) it by hand:
//   {"version":1,"type":"ed25519","publicKey":"<base64>","secretKey":"<base64>"}
import { createPrivateKey, createPublicKey } from 'node:crypto';
import nacl from 'tweetnacl';

export const IDENTITY_FILE_VERSION = 1;
const PUBLIC_KEY_BYTES = nacl.sign.publicKeyLength; // 32
const SECRET_KEY_BYTES = nacl.sign.secretKeyLength; // 64: seed ‖ public key (tweetnacl layout)
const SEED_BYTES = nacl.sign.seedLength; // 32

/** A long-term Ed25519 key pair in tweetnacl's layout. */
export interface Identity {
  /** 32 bytes. */
  publicKey: Uint8Array;
  /** 64 bytes: the 32-byte seed followed by the public key. */
  secretKey: Uint8Array;
}

export type DecodedIdentity = { ok: true; identity: Identity } | { ok: false; problem: string };

export function encodeIdentityFile(identity: Identity): string {
  const file = {
    version: IDENTITY_FILE_VERSION,
    type: 'ed25519',
    publicKey: Buffer.from(identity.publicKey).toString('base64'),
    secretKey: Buffer.from(identity.secretKey).toString('base64'),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Validates everything, including that the public key really belongs to the secret key: a file
 * edited or merged by hand must not make us sign as one key while announcing another. */
export function decodeIdentityFile(text: string): DecodedIdentity {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, problem: 'not a JSON object' };
  }
  const file = parsed as Record<string, unknown>;
  if (file.version !== IDENTITY_FILE_VERSION) {
    return { ok: false, problem: `unsupported version ${JSON.stringify(file.version)} (expected 1)` };
  }
  if (file.type !== 'ed25519') {
    return { ok: false, problem: `unsupported key type ${JSON.stringify(file.type)} (expected "ed25519")` };
  }
  const publicKey = strictBase64(file.publicKey);
  if (publicKey?.length !== PUBLIC_KEY_BYTES) {
    return { ok: false, problem: `publicKey is not ${PUBLIC_KEY_BYTES} bytes of base64` };
  }
  const secretKey = strictBase64(file.secretKey);
  if (secretKey?.length !== SECRET_KEY_BYTES) {
    return { ok: false, problem: `secretKey is not ${SECRET_KEY_BYTES} bytes of base64` };
  }
  const derived = publicKeyOfSeed(secretKey.subarray(0, SEED_BYTES));
  if (!bytesEqual(derived, publicKey) || !bytesEqual(secretKey.subarray(SEED_BYTES), publicKey)) {
    return { ok: false, problem: 'publicKey does not match secretKey' };
  }
  return { ok: true, identity: { publicKey, secretKey } };
}

// RFC 8410 PKCS#8 wrapping of a raw Ed25519 seed, and the length of an SPKI prefix before the key.
const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX_BYTES = 12;

/** The public key of an Ed25519 seed, from OpenSSL: every start checks the identity file this
 * way, and tweetnacl's pure-JS scalar multiplication cost ~20 ms of CPU there (1/6 of a headless
 * node's start-up); OpenSSL takes well under 1 ms. Same result (Ed25519 is deterministic). */
function publicKeyOfSeed(seed: Uint8Array): Uint8Array {
  const der = Buffer.concat([PKCS8_SEED_PREFIX, seed]);
  try {
    const spki = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({
      format: 'der',
      type: 'spki',
    });
    return new Uint8Array(spki.subarray(SPKI_PREFIX_BYTES));
  } finally {
    der.fill(0);
  }
}

// Buffer's base64 decoder silently skips junk; a key file with junk in it is corrupt, not "close
// enough", so only canonical base64 is accepted.
function strictBase64(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) return undefined;
  return new Uint8Array(bytes);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
