// A file name offered by a peer becomes a safe base name before it comes near the file system:
// no directories, no `..`, no hidden or device files, nothing that can drive a terminal or
// reorder text on screen, nothing Windows would refuse, and not longer than file systems allow.
// Pure; the adapter still checks that the final path lies in the chosen directory.

/** Bytes (UTF-8) of a name, extension included; ext4 and most others allow 255. */
export const MAX_SAFE_NAME_BYTES = 200;
const FALLBACK_NAME = 'file';
// C0/C1 controls, DEL, bidi marks/embeddings/overrides/isolates, line separators, zero-width
// joiners and other format characters (\p{Cf}), and characters Windows forbids in names.
const UNSAFE_CHARS = /[\p{Cc}\p{Cf}\u2028\u2029<>:"|?*]/gu;
const RESERVED = /^(con|prn|aux|nul|clock\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;

export function safeFileName(offered: string): string {
  // Both separators: a name from Windows may carry backslashes, and we may be on Windows.
  const parts = offered.normalize('NFC').split(/[/\\]/);
  let name = (parts[parts.length - 1] ?? '').replace(UNSAFE_CHARS, '_');
  // Leading dots make hidden files (and `.`/`..`); trailing dots and spaces vanish on Windows.
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (name === '') return FALLBACK_NAME;
  const dot = name.indexOf('.');
  const stem = dot < 0 ? name : name.slice(0, dot);
  if (RESERVED.test(stem.trim())) name = `_${name}`;
  return capBytes(name, MAX_SAFE_NAME_BYTES);
}

/** The n-th alternative when a name is taken: `report.pdf` → `report (1).pdf`. */
export function numberedName(name: string, n: number): string {
  if (n === 0) return name;
  const dot = name.lastIndexOf('.');
  const hasExt = dot > 0 && name.length - dot <= 16;
  const stem = hasExt ? name.slice(0, dot) : name;
  const ext = hasExt ? name.slice(dot) : '';
  const suffix = ` (${n})${ext}`;
  return `${capBytes(stem, MAX_SAFE_NAME_BYTES - Buffer.byteLength(suffix))}${suffix}`;
}

/** Shortens to `max` UTF-8 bytes at a code point boundary, keeping a short extension. */
function capBytes(name: string, max: number): string {
  if (Buffer.byteLength(name) <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const room = max - Buffer.byteLength(ext);
  let stem = '';
  let used = 0;
  for (const ch of name.slice(0, name.length - ext.length)) {
    const bytes = Buffer.byteLength(ch);
    if (used + bytes > room) break;
    stem += ch;
    used += bytes;
  }
  return `${stem.replace(/[.\s]+$/, '') || FALLBACK_NAME}${ext}`;
}
