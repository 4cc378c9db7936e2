// Relayed room messages meet the same trust rules as a peer on a direct link (trust.ts): catch-up
// must not be a side door past TOFU or /block. The relay proved nothing about the author; the
// author's signature (checked before this) proved the key, and the key is what the rules judge.
import type { ContactStore } from '../store/store.js';
import type { TrustBook } from './trust.js';

export type AuthorVerdict = { ok: true } | { ok: false; code: 'blocked' | 'impersonation' };

export function admitAuthor(
  trust: TrustBook,
  contacts: ContactStore,
  selfId: string,
  authorId: string,
  nick: string,
): AuthorVerdict {
  if (authorId === selfId) return { ok: true }; // our own words, signed by our key
  if (trust.blocked(authorId)) return { ok: false, code: 'blocked' };
  // A known identity keeps its pin (an old message must not rename it); a nick it shares with
  // another pinned identity is shown with the key suffix, as for a rename on a live link.
  if (contacts.get(authorId) !== undefined) return { ok: true };
  // A new identity: first contact through a relay is first contact all the same. It is pinned
  // unless the nick it claims is pinned to another key, which is exactly what admit() refuses.
  const admission = trust.admit(authorId, nick);
  return admission.ok ? { ok: true } : { ok: false, code: admission.code };
}
