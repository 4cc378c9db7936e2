// Unicast DNS-SD (RFC 6763 over ordinary DNS) records for `_lanchat._tcp.<domain>`, checked.
// They come from a DNS server, which may be misconfigured, spoofed or hostile: counts are bounded,
// names must be names, ports ports, and the TXT must carry a well-formed key. Like mDNS, what they
// say is a hint; the handshake proves identity.
//
// The admin's TXT is `pk=<lanchat id>` (what `lanchat id` prints; base64 of the key works too),
// optionally `v=1`. Unlike mDNS TXT there is no network tag: an admin writes these by hand, and
// the handshake refuses a peer of another network anyway.
import { parseId } from '../identity/ids.js';

export const DNS_SD_SERVICE = '_lanchat._tcp';
/** Instances read from one PTR answer: an office, not the Internet. */
export const MAX_DNS_SD_INSTANCES = 256;
/** SRV records per instance (RFC 2782 allows several; we try the best few). */
export const MAX_SRV_PER_INSTANCE = 4;
/** Addresses per SRV target and family. */
export const MAX_ADDRESSES_PER_TARGET = 8;
/** Addresses of one peer: what one instance may bring (its SRV targets, both families). Several
 * instances (or domains) may name the same key; their addresses are merged, up to this. */
export const MAX_ADDRESSES_PER_PEER = MAX_SRV_PER_INSTANCE * 2 * MAX_ADDRESSES_PER_TARGET;
const MAX_NAME_LENGTH = 255;
const MAX_TXT_STRINGS = 32;
const MAX_TXT_STRING_BYTES = 255;

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A domain as given by --dns-sd-domain: host-name labels, no trailing dot needed. */
export function isDnsSdDomain(domain: string): boolean {
  const d = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  if (d.length === 0 || d.length > 200) return false;
  return d.split('.').every((label) => LABEL.test(label));
}

export function serviceName(domain: string): string {
  return `${DNS_SD_SERVICE}.${domain.replace(/\.$/, '')}`;
}

/** An SRV target: a host name (labels may use underscores in the wild; not dots in a row). */
export function isTargetName(name: string): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n.length === 0 || n.length > 253) return false;
  return n.split('.').every((label) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/.test(label));
}

/**
 * The instance label of `name` when it is `<instance>._lanchat._tcp.<domain>` (case-insensitive),
 * with DNS presentation escapes (`\.`, `\032`) undone; undefined for anything else.
 */
export function instanceLabelOf(name: string, domain: string): string | undefined {
  if (name.length > MAX_NAME_LENGTH) return undefined;
  const suffix = `.${serviceName(domain)}`.toLowerCase();
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (!n.toLowerCase().endsWith(suffix)) return undefined;
  const raw = n.slice(0, n.length - suffix.length);
  if (raw.length === 0) return undefined;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '.') return undefined; // an unescaped dot: more than one label
    if (c !== '\\') {
      out += c;
      continue;
    }
    const digits = /^[0-9]{3}/.exec(raw.slice(i + 1))?.[0];
    if (digits !== undefined) {
      const code = Number(digits);
      if (code > 255) return undefined;
      out += String.fromCharCode(code);
      i += 3;
    } else if (i + 1 < raw.length) {
      out += raw[i + 1];
      i += 1;
    } else return undefined;
  }
  // Escapes give bytes; names are UTF-8.
  const bytes = Uint8Array.from(out, (ch) => ch.charCodeAt(0) & 0xff);
  const decoded = /[^\u0000-\u00ff]/.test(out)
    ? out
    : new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return decoded.length > 0 && decoded.length <= 63 ? decoded : undefined;
}

/** The public key (base64, 32 bytes) from an instance's TXT records, or undefined. */
export function publicKeyFromTxt(records: readonly (readonly string[])[]): string | undefined {
  const strings = records.flat().slice(0, MAX_TXT_STRINGS);
  let key: string | undefined;
  for (const s of strings) {
    if (typeof s !== 'string' || Buffer.byteLength(s) > MAX_TXT_STRING_BYTES) return undefined;
    const eq = s.indexOf('=');
    const name = (eq < 0 ? s : s.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : s.slice(eq + 1);
    if (name === 'v' && value !== '1') return undefined; // a future format we do not know
    if (name !== 'pk') continue;
    if (key !== undefined) return undefined; // two keys: which one? neither
    const bytes = parseId(value);
    if (!bytes) return undefined;
    key = Buffer.from(bytes).toString('base64');
  }
  return key;
}
