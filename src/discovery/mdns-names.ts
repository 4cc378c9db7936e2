// DNS-SD names (RFC 6763 §4, §7) for lanchat's service, and the renaming rule of RFC 6762 §9.
import { createHash } from 'node:crypto';

export const SERVICE_TYPE = '_lanchat._tcp.local';
/** RFC 6763 §9: service type enumeration, so `avahi-browse -a` lists us. */
export const SERVICES_META = '_services._dns-sd._udp.local';

/** RFC 6763 §4.1.1: an instance name is one DNS label, at most 63 bytes of UTF-8. */
export const MAX_LABEL_BYTES = 63;

/** RFC 6763 §4.3 lets an instance name contain dots, written `\.` in presentation format. Our
 * codec (wire-encoder.ts, wire-decoder.ts), like dns-packet's, splits every name on '.' and has
 * no escape, so a
 * literal dot would silently become a label boundary and change the name on the wire. We publish
 * each '.' as U+2024 ONE DOT LEADER, which renders the same, and map it back when reading. */
const DOT_STAND_IN = '\u2024';
const FALLBACK_NICK = 'lanchat';

/** The instance label for a nick: dots replaced, cut to 63 bytes at a character boundary. */
export function instanceLabel(nick: string): string {
  const cleaned = nick
    .replace(/\./g, DOT_STAND_IN)
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return truncateUtf8(cleaned === '' ? FALLBACK_NICK : cleaned, MAX_LABEL_BYTES);
}

/** The instance label on a private network: random, so that it names neither us nor our key,
 * and is not stable across restarts. `lc-` + 16 hex digits. */
export function opaqueLabel(random: Uint8Array): string {
  return `lc-${Buffer.from(random).toString('hex')}`;
}

/** The nick shown to users for an instance label received from the network. */
export function nickOfLabel(label: string): string {
  return label.split(DOT_STAND_IN).join('.');
}

export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  // Iterating a string yields whole code points, so a surrogate pair is never split.
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}

export function instanceName(label: string): string {
  return `${label}.${SERVICE_TYPE}`;
}

/** The instance label of a full service instance name, or undefined if it is not ours. Names
 * compare case-insensitively (RFC 6762 §16). Labels joined with '.' (wire-decoder.ts) stay joined:
 * everything before the service type is the instance. */
export function labelOfInstance(fqdn: string): string | undefined {
  const suffix = `.${SERVICE_TYPE}`;
  if (fqdn.length <= suffix.length || !fqdn.toLowerCase().endsWith(suffix)) return undefined;
  return fqdn.slice(0, fqdn.length - suffix.length);
}

/** Host name derived from the key (on a private network: from random bytes), never
 * os.hostname(): the system responder (avahi) owns that one and would rename the whole machine
 * on a conflict. `attempt` > 1 after a host conflict. */
export function hostNameFor(seed: Uint8Array, attempt = 1): string {
  const hex = createHash('sha256').update(seed).digest('hex').slice(0, 8);
  return attempt > 1 ? `lanchat-${hex}-${attempt}.local` : `lanchat-${hex}.local`;
}

/** RFC 6762 §9 / RFC 6763 Appendix D: after a conflict pick a new name, `alice (2)`, `(3)`… */
export function nextInstanceLabel(label: string): string {
  const match = /^(.*) \((\d+)\)$/u.exec(label);
  const base = match?.[1] ?? label;
  const n = match?.[2] !== undefined ? Number(match[2]) + 1 : 2;
  const suffix = ` (${n})`;
  return truncateUtf8(base, MAX_LABEL_BYTES - Buffer.byteLength(suffix)) + suffix;
}

/**
 * Names compare case-insensitively (§16). Every known answer of every browse query is compared
 * with our own records, so the common outcomes are decided in place, without lowering two copies:
 * the same string, or a difference in a US-ASCII character that is not one of case. Anything else
 * (a difference in a non-ASCII character, or in length) is left to toLowerCase, as before.
 */
export function sameName(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const x = a.charCodeAt(i);
      const y = b.charCodeAt(i);
      if (x === y) continue;
      if (x > 0x7f || y > 0x7f) return a.toLowerCase() === b.toLowerCase();
      const lx = x | 0x20;
      if (lx !== (y | 0x20) || lx < 0x61 || lx > 0x7a) return false;
    }
    return true;
  }
  return a.toLowerCase() === b.toLowerCase();
}
