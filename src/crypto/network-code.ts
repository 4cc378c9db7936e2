// A network code: the recommended way to make a private network. It is 128 random bits, so there
// is nothing to guess and no dictionary to precompute, written as a short code people paste once:
//   lc1-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx
// 16 key bytes + a 4-byte checksum = 160 bits = 32 characters of Crockford base32 (no i, l, o, u:
// nothing to misread), so a typo is caught with probability 1 - 2^-32 instead of silently
// putting the user on a network of one. The `lc1-` prefix is what tells a code apart from a
// passphrase: a value that starts with it is a code and must check out, never a passphrase.
import { randomBytes } from 'node:crypto';
import { CROCKFORD_ALPHABET, fromBase32, toBase32 } from '../identity/crockford-base32.js';
import { sha256 } from './digests.js';

export const NETWORK_CODE_PREFIX = 'lc1-';
export const NETWORK_CODE_KEY_BYTES = 16;
const CHECKSUM_BYTES = 4;
const GROUP = 4;

export type ParsedNetworkCode = { ok: true; key: Uint8Array } | { ok: false; problem: string };

function checksum(key: Uint8Array): Uint8Array {
  return sha256(new TextEncoder().encode('lanchat network code v1'), key).subarray(0, CHECKSUM_BYTES);
}

/** Whether `text` is meant as a network code (and so must parse as one). */
export function looksLikeNetworkCode(text: string): boolean {
  return text.trim().toLowerCase().startsWith(NETWORK_CODE_PREFIX);
}

export function formatNetworkCode(key: Uint8Array): string {
  if (key.length !== NETWORK_CODE_KEY_BYTES) throw new RangeError('a network code holds 16 bytes');
  const out = toBase32(new Uint8Array([...key, ...checksum(key)]));
  const groups = out.match(new RegExp(`.{${GROUP}}`, 'g')) ?? [];
  return NETWORK_CODE_PREFIX + groups.join('-');
}

/** A fresh random network code (128 bits from the OS CSPRNG). */
export function newNetworkCode(random: (n: number) => Uint8Array = randomBytes): string {
  return formatNetworkCode(new Uint8Array(random(NETWORK_CODE_KEY_BYTES)));
}

/** Reads a code back. Case, dashes and spaces do not matter; i/l read as 1 and o as 0 (Crockford). */
export function parseNetworkCode(text: string): ParsedNetworkCode {
  const trimmed = text.trim().toLowerCase();
  if (!trimmed.startsWith(NETWORK_CODE_PREFIX))
    return { ok: false, problem: `it does not start with ${NETWORK_CODE_PREFIX}` };
  const body = trimmed
    .slice(NETWORK_CODE_PREFIX.length)
    .replace(/[\s-]/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  const expected = ((NETWORK_CODE_KEY_BYTES + CHECKSUM_BYTES) * 8) / 5;
  if (body.length !== expected)
    return {
      ok: false,
      problem: `it has ${body.length} characters after ${NETWORK_CODE_PREFIX}, not ${expected}`,
    };
  const bytes = fromBase32(body);
  if (!bytes) {
    const ch = [...body].find((c) => !CROCKFORD_ALPHABET.includes(c));
    return { ok: false, problem: `'${ch}' is not a code character` };
  }
  const key = new Uint8Array(bytes.slice(0, NETWORK_CODE_KEY_BYTES));
  const sum = checksum(key);
  if (!sum.every((b, i) => b === bytes[NETWORK_CODE_KEY_BYTES + i]))
    return { ok: false, problem: 'its checksum does not match (a typo?)' };
  return { ok: true, key };
}
