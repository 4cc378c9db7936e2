// Trust on first use, per identity (like ssh known_hosts): the first key seen for a nick is pinned
// with it; a new key that later claims a pinned nick is an impostor until the user says otherwise
// (/forget). Nicks are claims: two known identities claiming one nick are both shown with a short
// key suffix, so nobody can pass as somebody else on screen.
import { shortSuffix } from '../identity/ids.js';
import type { Contact, Store } from '../store/store.js';

export type Admission =
  | { ok: true; firstContact: boolean; collidesWith: Contact[] }
  | { ok: false; code: 'blocked' | 'impersonation'; message: string };

export class TrustBook {
  /** Per-identity answers for display (every message event needs them): cleared on any change. */
  private readonly cache = new Map<
    string,
    { nick: string; clash: boolean; verified: boolean; blocked: boolean }
  >();

  constructor(private readonly store: Store) {}

  /** Something about the pins changed (pin, rename, forget, verify, block): forget cached answers. */
  invalidate(): void {
    this.cache.clear();
  }

  private facts(id: string, nick: string) {
    let facts = this.cache.get(id);
    if (!facts || facts.nick !== nick) {
      const contact = this.store.contacts.get(id);
      facts = {
        nick,
        clash: this.store.contacts.findByNick(nick).some((c) => c.id !== id),
        verified: contact?.verified ?? false,
        blocked: contact?.blocked ?? false,
      };
      this.cache.set(id, facts);
    }
    return facts;
  }

  /** Decides whether identity `id`, proven by the handshake, may talk to us as `nick`. */
  admit(id: string, nick: string): Admission {
    const contacts = this.store.contacts;
    const known = contacts.get(id);
    if (known?.blocked)
      return { ok: false, code: 'blocked', message: `${known.nick} is blocked (/unblock to undo)` };
    const others = contacts.findByNick(nick).filter((c) => c.id !== id);
    if (!known && others.length > 0) {
      const holder = others[0]!;
      return {
        ok: false,
        code: 'impersonation',
        message:
          `refused a new identity claiming the nick "${nick}", which belongs to ${holder.nick}#${suffixOf(holder.id)}` +
          `${holder.verified ? ' (verified)' : ''}; if ${nick} really has a new key, /forget ${nick}#${suffixOf(holder.id)}`,
      };
    }
    const { created } = contacts.pin(id, nick);
    this.invalidate();
    return { ok: true, firstContact: created, collidesWith: others };
  }

  /** A known identity now claims `nick`: pins the claim, returns the other identities using it. */
  rename(id: string, nick: string): Contact[] {
    this.store.contacts.pin(id, nick);
    this.invalidate();
    return this.store.contacts.findByNick(nick).filter((c) => c.id !== id);
  }

  /** The nick, or `nick#abcd` while another known identity claims the same nick. */
  display(id: string, nick: string, alsoClaiming: (nick: string) => boolean = () => false): string {
    const clash = alsoClaiming(nick) || this.facts(id, nick).clash;
    return clash ? `${nick}#${suffixOf(id)}` : nick;
  }

  verified(id: string): boolean {
    return this.cache.get(id)?.verified ?? this.store.contacts.get(id)?.verified ?? false;
  }

  blocked(id: string): boolean {
    return this.cache.get(id)?.blocked ?? this.store.contacts.get(id)?.blocked ?? false;
  }
}

export function suffixOf(id: string): string {
  return shortSuffix(new Uint8Array(Buffer.from(id, 'base64url')));
}
