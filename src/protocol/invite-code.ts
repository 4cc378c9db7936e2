// Invite codes: everything another node needs to dial this one across a router, in one copyable
// word. `lanchat invite` prints one; `--peer CODE` and `/connect CODE` use it.
//
//   version 1 | flags | public key (32) | network check (4) | [network key (32) if flag 1]
//   | port (2) | count (1) | count × (family 4|6, 4|16 address bytes) | checksum (4)
//
// Text: "lc" + Crockford base32 (no padding, case-insensitive, no 0/O 1/I/L confusion), so it
// survives being read out, retyped or pasted into a chat; also as `lanchat://invite/CODE`. The
// checksum (SHA-256, first 4 bytes) catches typos and truncation; it is not a signature, because
// the handshake proves the key anyway: a forged code can only point us at someone who cannot
// prove it. The network check is 4 bytes of the public network tag; the network key itself is in
// the code only when its maker asked for it (--with-network).
import { sha256 } from '../crypto/digests.js';
import { fromBase32, toBase32 } from '../identity/crockford-base32.js';
import { policyProblem } from './address-policy.js';
import { formatIp, parseIp } from './ip-literal.js';

export const INVITE_VERSION = 1;
export const INVITE_URI_PREFIX = 'lanchat://invite/';
const TEXT_PREFIX = 'lc';
/** More than any real code (8 IPv6 addresses and a network key are ~300 characters). */
export const MAX_INVITE_CHARS = 400;
export const MAX_INVITE_ADDRESSES = 8;
const FLAG_NETWORK_KEY = 1;
const CHECKSUM_BYTES = 4;
const NETWORK_CHECK_BYTES = 4;

export interface Invite {
  publicKey: Uint8Array;
  /** 8 hex characters: the start of the inviter's network tag. */
  networkCheck: string;
  /** Present only in codes made with --with-network. */
  networkKey?: Uint8Array;
  port: number;
  /** Canonical addresses, in the inviter's order of preference. */
  addresses: string[];
}

export type InviteErrorCode = 'too-long' | 'malformed' | 'checksum' | 'version' | 'no-address' | 'network';

export class InviteError extends Error {
  override readonly name = 'InviteError';
  constructor(
    readonly code: InviteErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function looksLikeInvite(text: string): boolean {
  const t = text.trim().toLowerCase();
  return t.startsWith(INVITE_URI_PREFIX) || (t.startsWith(TEXT_PREFIX) && !t.includes('@'));
}

export function encodeInvite(invite: Invite): string {
  if (invite.publicKey.length !== 32) throw new RangeError('a public key has 32 bytes');
  const addresses = invite.addresses.slice(0, MAX_INVITE_ADDRESSES).map((a) => {
    const ip = parseIp(a);
    if (!ip) throw new RangeError(`${a} is not an IP address`);
    return ip.bytes;
  });
  const parts: number[] = [INVITE_VERSION, invite.networkKey ? FLAG_NETWORK_KEY : 0, ...invite.publicKey];
  parts.push(...Buffer.from(invite.networkCheck.slice(0, NETWORK_CHECK_BYTES * 2), 'hex'));
  if (invite.networkKey) parts.push(...invite.networkKey);
  parts.push(invite.port >> 8, invite.port & 0xff, addresses.length);
  for (const bytes of addresses) parts.push(bytes.length === 4 ? 4 : 6, ...bytes);
  const body = new Uint8Array(parts);
  const code = new Uint8Array([...body, ...checksum(body)]);
  return TEXT_PREFIX + toBase32(code);
}

/** The addresses of the code that the policy lets us dial, and those it does not (with why). */
export interface DecodedInvite extends Invite {
  refused: { address: string; problem: string }[];
}

/** Parses a code or a lanchat:// URI. Throws InviteError with a message for the user. */
export function decodeInvite(text: string): DecodedInvite {
  if (text.length > MAX_INVITE_CHARS) {
    throw new InviteError(
      'too-long',
      `an invite code has at most ${MAX_INVITE_CHARS} characters; this is not one`,
    );
  }
  let t = text.trim().toLowerCase();
  if (t.startsWith(INVITE_URI_PREFIX)) t = t.slice(INVITE_URI_PREFIX.length).replace(/\/$/, '');
  if (!t.startsWith(TEXT_PREFIX)) throw malformed('it does not start with "lc"');
  const bytes = fromBase32(t.slice(TEXT_PREFIX.length));
  if (!bytes) throw malformed('it has characters that are not in an invite code');
  if (bytes.length < 2) throw malformed('it is truncated');
  if (bytes[0] !== INVITE_VERSION) {
    throw new InviteError(
      'version',
      `the code is version ${bytes[0]}, this lanchat reads version ${INVITE_VERSION}; update the older of the two`,
    );
  }
  if (bytes.length < CHECKSUM_BYTES + 2) throw malformed('it is truncated');
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  if (!equal(checksum(body), bytes.subarray(body.length))) {
    throw new InviteError('checksum', 'the code is damaged (wrong checksum): copy it again, whole');
  }
  return parseBody(body);
}

function parseBody(body: Uint8Array): DecodedInvite {
  let at = 1;
  const take = (n: number): Uint8Array => {
    if (at + n > body.length) throw malformed('it is truncated');
    const out = body.subarray(at, at + n);
    at += n;
    return out;
  };
  const flags = take(1)[0] ?? 0;
  if ((flags & ~FLAG_NETWORK_KEY) !== 0) throw malformed('it has unknown flags');
  const publicKey = new Uint8Array(take(32));
  const networkCheck = Buffer.from(take(NETWORK_CHECK_BYTES)).toString('hex');
  const networkKey = flags & FLAG_NETWORK_KEY ? new Uint8Array(take(32)) : undefined;
  const portBytes = take(2);
  const port = ((portBytes[0] ?? 0) << 8) | (portBytes[1] ?? 0);
  if (port === 0) throw malformed('its port is 0');
  const count = take(1)[0] ?? 0;
  if (count === 0 || count > MAX_INVITE_ADDRESSES) throw malformed(`it lists ${count} addresses`);
  const addresses: string[] = [];
  const refused: { address: string; problem: string }[] = [];
  for (let i = 0; i < count; i++) {
    const family = take(1)[0];
    if (family !== 4 && family !== 6) throw malformed('an address has an unknown family');
    const address = formatIp(take(family === 4 ? 4 : 16)); // canonical already: no zone in a code
    // An IPv6 link-local address means nothing without the inviter's interface; IPv4 link-local
    // (169.254/16) works when both sides are on the same unconfigured link.
    const problem = policyProblem(address, { allowLinkLocal: family === 4 });
    if (problem) refused.push({ address, problem });
    else if (!addresses.includes(address)) addresses.push(address);
  }
  if (at !== body.length) throw malformed('it has extra bytes');
  if (addresses.length === 0) {
    throw new InviteError(
      'no-address',
      `no address in the code is one lanchat dials (${refused.map((r) => `${r.address}: ${r.problem}`).join('; ')})`,
    );
  }
  const invite: DecodedInvite = { publicKey, networkCheck, port, addresses, refused };
  if (networkKey) invite.networkKey = networkKey;
  return invite;
}

/** Throws InviteError 'network' when the code was made on another network than `networkTag`. */
export function checkInviteNetwork(invite: Invite, networkTag: string): void {
  if (networkTag.slice(0, NETWORK_CHECK_BYTES * 2) === invite.networkCheck) return;
  throw new InviteError(
    'network',
    'the invite is for another lanchat network: start with the same --network passphrase as its maker ' +
      '(or ask for a code made with `lanchat invite --with-network`)',
  );
}

function malformed(problem: string): InviteError {
  return new InviteError('malformed', `not a valid invite code: ${problem}`);
}

function checksum(body: Uint8Array): Uint8Array {
  return sha256(new TextEncoder().encode('lanchat invite'), body).subarray(0, CHECKSUM_BYTES);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
