// The v=2 TXT record of a private network: `v=2`, `s=<16-byte salt>`, `c=<sealed payload>`, both
// base64url without padding. The payload is the public key and the nick, the nick padded to the
// full 63 bytes so that the record's size does not give away the nick's length: every v=2
// record is 182 bytes. Only holders of the network key can open it (txt-seal.ts); for anyone
// else it says "a lanchat service is here", which the service type says anyway.
import { openTxt, sealTxt, TXT_SALT_BYTES, TXT_SEAL_OVERHEAD } from '../crypto/txt-seal.js';
import { MAX_LABEL_BYTES, truncateUtf8 } from './mdns-names.js';
import { SEALED_TXT_VERSION, txtEntries } from './txt-record.js';

const PUBLIC_KEY_BYTES = 32;
/** Key, nick length, nick padded to one DNS label's worth of bytes. */
const PAYLOAD_BYTES = PUBLIC_KEY_BYTES + 1 + MAX_LABEL_BYTES;
const SEALED_BYTES = PAYLOAD_BYTES + TXT_SEAL_OVERHEAD;

export interface SealedHint {
  publicKey: Uint8Array;
  /** Cut to 63 bytes of UTF-8 at a character boundary, like an instance label. */
  nick: string;
}

export interface OpenedHint {
  /** Base64 (standard, padded), like the v=1 `pk`. */
  publicKey: string;
  nick: string;
}

export function encodeSealedTxt(hint: SealedHint, discoveryKey: Uint8Array, salt: Uint8Array): Uint8Array[] {
  if (hint.publicKey.length !== PUBLIC_KEY_BYTES) throw new RangeError('a public key is 32 bytes');
  const nick = Buffer.from(truncateUtf8(hint.nick, MAX_LABEL_BYTES), 'utf8');
  const payload = new Uint8Array(PAYLOAD_BYTES);
  payload.set(hint.publicKey, 0);
  payload[PUBLIC_KEY_BYTES] = nick.length;
  payload.set(nick, PUBLIC_KEY_BYTES + 1);
  const sealed = sealTxt(discoveryKey, salt, payload);
  return txtEntries([
    `v=${SEALED_TXT_VERSION}`,
    `s=${Buffer.from(salt).toString('base64url')}`,
    `c=${Buffer.from(sealed).toString('base64url')}`,
  ]);
}

/** The salt and sealed bytes of a well-formed v=2 record, before any key is tried. */
export interface SealedTxt {
  salt: Uint8Array;
  sealed: Uint8Array;
}

/** Strict base64url of exactly `bytes` bytes (canonical: re-encoding gives the same text). */
function exactBase64url(text: string | undefined, bytes: number): Uint8Array | undefined {
  if (text === undefined || !/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64url');
  if (decoded.length !== bytes || decoded.toString('base64url') !== text) return undefined;
  return new Uint8Array(decoded);
}

export function sealedFromPairs(pairs: ReadonlyMap<string, string>): SealedTxt | undefined {
  if (pairs.get('v') !== SEALED_TXT_VERSION) return undefined;
  const salt = exactBase64url(pairs.get('s'), TXT_SALT_BYTES);
  const sealed = exactBase64url(pairs.get('c'), SEALED_BYTES);
  return salt && sealed ? { salt, sealed } : undefined;
}

/** Opens a v=2 record; undefined when it belongs to another network (or was tampered with). */
export function openSealedTxt(txt: SealedTxt, discoveryKey: Uint8Array): OpenedHint | undefined {
  const payload = openTxt(discoveryKey, txt.salt, txt.sealed);
  if (!payload || payload.length !== PAYLOAD_BYTES) return undefined;
  const nickLength = payload[PUBLIC_KEY_BYTES] ?? 0;
  if (nickLength > MAX_LABEL_BYTES) return undefined;
  const nickBytes = payload.subarray(PUBLIC_KEY_BYTES + 1, PUBLIC_KEY_BYTES + 1 + nickLength);
  let nick: string;
  try {
    nick = new TextDecoder('utf-8', { fatal: true }).decode(nickBytes);
  } catch {
    return undefined;
  }
  // An empty nick reads like an empty instance label would (mdns-names.instanceLabel).
  return {
    publicKey: Buffer.from(payload.subarray(0, PUBLIC_KEY_BYTES)).toString('base64'),
    nick: nick || 'lanchat',
  };
}
