// lanchat's TXT record (RFC 6763 §6). Two versions are on the wire:
// - v=1, the public network: `v=1`, `pk=<base64 key>`, `net=<network tag>`;
// - v=2, a private network: `v=2`, `s=<salt>`, `c=<sealed key and nick>` (sealed-txt.ts), which
//   tells an outsider nothing but that some lanchat service is there.
// Kept under 200 bytes so the whole rrset fits in one packet with SRV and addresses. Its content
// is an untrusted hint; the handshake proves the key.

export const TXT_VERSION = '1';
export const SEALED_TXT_VERSION = '2';
export const MAX_TXT_BYTES = 200;
const PUBLIC_KEY_BYTES = 32;

export interface LanchatTxt {
  /** Base64 of the 32-byte public key. */
  publicKey: string;
  networkTag: string;
}

export function encodeTxt(txt: LanchatTxt): Uint8Array[] {
  return txtEntries([`v=${TXT_VERSION}`, `pk=${txt.publicKey}`, `net=${txt.networkTag}`]);
}

export function txtEntries(strings: readonly string[]): Uint8Array[] {
  return strings.map((s) => new Uint8Array(Buffer.from(s, 'utf8')));
}

/** The key=value pairs of a TXT record, or undefined when it is far too large to be ours. */
export function txtPairs(entries: readonly Uint8Array[]): Map<string, string> | undefined {
  let total = 0;
  const pairs = new Map<string, string>();
  for (const entry of entries) {
    total += entry.length + 1;
    if (total > MAX_TXT_BYTES * 4) return undefined;
    // A view of the bytes, not a copy.
    const text = Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength).toString('utf8');
    const eq = text.indexOf('=');
    // RFC 6763 §6.4: keys are case-insensitive, and only the first occurrence of a key counts.
    const key = (eq < 0 ? text : text.slice(0, eq)).toLowerCase();
    if (key !== '' && !pairs.has(key)) pairs.set(key, eq < 0 ? '' : text.slice(eq + 1));
  }
  return pairs;
}

/** Parses a peer's TXT; undefined when it is not a version-1 lanchat TXT with a valid key. */
export function parseTxt(entries: readonly Uint8Array[]): LanchatTxt | undefined {
  const pairs = txtPairs(entries);
  return pairs ? v1FromPairs(pairs) : undefined;
}

export function v1FromPairs(pairs: ReadonlyMap<string, string>): LanchatTxt | undefined {
  const publicKey = pairs.get('pk');
  const networkTag = pairs.get('net');
  if (pairs.get('v') !== TXT_VERSION || publicKey === undefined || networkTag === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]{43}=$/.test(publicKey)) return undefined;
  if (Buffer.from(publicKey, 'base64').length !== PUBLIC_KEY_BYTES) return undefined;
  return { publicKey, networkTag };
}
