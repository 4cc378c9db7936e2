// Safety numbers: 60 digits that two people compare out of band (read aloud, side by side) to
// verify that each holds the other's real key. The construction is Signal's numeric fingerprint
// (libsignal NumericFingerprintGenerator, fingerprint version 0, 5200 iterations), reproduced
// exactly so that it can be checked against libsignal's published test vector:
//   per party:  hash = SHA-512(u16be(0) ‖ key ‖ stableId ‖ key)
//               repeat 5199 times: hash = SHA-512(hash ‖ key)
//   digits:     the first 30 bytes as six 5-byte big-endian chunks, each mod 100000, 5 digits
//   result:     the two 30-digit halves, smaller first, so both sides see the same number.
// The iterations make a collision search (finding a key whose number matches yours) expensive.
//
// lanchat's inputs: `key` is the raw 32-byte Ed25519 public key (Signal prefixes its Curve25519
// keys with a type byte 0x05; lanchat has one key type, recorded in the identity file, so there is
// nothing to prefix), and `stableId` is the lanchat id of that key (its base64url text, ASCII).
// lanchat has no account name independent of the key, and using the id keeps the hash input
// self-describing; it adds no secret, as in Signal where it is the phone number.
import { createHash, timingSafeEqual } from 'node:crypto';
import { idOf } from './ids.js';

export const SAFETY_NUMBER_ITERATIONS = 5200;
const FINGERPRINT_VERSION = 0;
const DIGITS_PER_SIDE = 30;
const CHUNK_BYTES = 5;
const GROUP_DIGITS = 5;

/** One side of a numeric fingerprint: a public key in its serialized form and its stable id. */
export interface FingerprintParty {
  key: Uint8Array;
  stableId: Uint8Array;
}

/** The 60-digit safety number of two lanchat keys, in 12 groups of 5 digits separated by spaces.
 * Symmetric: safetyNumber(a, b) === safetyNumber(b, a). */
export function safetyNumber(a: Uint8Array, b: Uint8Array): string {
  return formatSafetyNumber(numericFingerprint(partyOf(a), partyOf(b)));
}

/** Signal's displayable numeric fingerprint (60 digits, no spaces) for arbitrary parties; exposed
 * so the construction can be tested against libsignal's own vector. */
export function numericFingerprint(
  local: FingerprintParty,
  remote: FingerprintParty,
  iterations: number = SAFETY_NUMBER_ITERATIONS,
): string {
  const localDigits = digitsOf(iteratedHash(local, iterations));
  const remoteDigits = digitsOf(iteratedHash(remote, iterations));
  return localDigits < remoteDigits ? localDigits + remoteDigits : remoteDigits + localDigits;
}

/** "123451234512345…" → "12345 12345 12345 …" (12 groups). */
export function formatSafetyNumber(digits: string): string {
  return digits.match(new RegExp(`.{1,${GROUP_DIGITS}}`, 'g'))?.join(' ') ?? '';
}

/** Compares a typed or pasted safety number with the computed one, ignoring whitespace, in
 * constant time. Anything that is not 60 digits never matches. */
export function safetyNumbersMatch(a: string, b: string): boolean {
  const left = Buffer.from(a.replace(/\s+/g, ''), 'utf8');
  const right = Buffer.from(b.replace(/\s+/g, ''), 'utf8');
  const wellFormed = /^[0-9]{60}$/.test(left.toString()) && /^[0-9]{60}$/.test(right.toString());
  // The length of a safety number is public (always 60), so returning early on it leaks nothing.
  if (!wellFormed || left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

function partyOf(publicKey: Uint8Array): FingerprintParty {
  return { key: publicKey, stableId: Buffer.from(idOf(publicKey), 'ascii') };
}

function iteratedHash(party: FingerprintParty, iterations: number): Buffer {
  const version = Buffer.alloc(2);
  version.writeUInt16BE(FINGERPRINT_VERSION);
  let hash = createHash('sha512')
    .update(version)
    .update(party.key)
    .update(party.stableId)
    .update(party.key)
    .digest();
  for (let i = 1; i < iterations; i++) {
    hash = createHash('sha512').update(hash).update(party.key).digest();
  }
  return hash;
}

function digitsOf(hash: Buffer): string {
  let digits = '';
  for (let offset = 0; digits.length < DIGITS_PER_SIDE; offset += CHUNK_BYTES) {
    const chunk = hash.readUIntBE(offset, CHUNK_BYTES) % 100000;
    digits += String(chunk).padStart(GROUP_DIGITS, '0');
  }
  return digits;
}
