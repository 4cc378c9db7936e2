// Trust on first use, per identity (like ssh known_hosts): the first key seen for a nick is pinned
// with it; a new key that later claims a pinned nick is an impostor until the user says otherwise
// (/forget). Nicks are claims: two known identities claiming one nick are both shown with a 32-bit
// key suffix, so nobody can pass as somebody else on screen. "One nick" means one confusable
// skeleton (identity/nick-skeleton.ts): "bоb" with a Cyrillic о claims bob's name.
import { keySuffix } from '../identity/ids.js';
import { nickSkeleton } from '../identity/nick-skeleton.js';
import type { Contact, Store } from '../store/store.js';

/** How to show an identity's nick: what the user reads, never produced by the peer alone. */
export interface ShownName {
  /** The nick, or `nick#3f2a9c01` while another identity claims a look-alike nick. A peer cannot
   * send `#` in a nick, so a suffix in here was put there by us. */
  display: string;
  /** The key suffix in `display`, when there is one (the UI draws it in its own style). */
  suffix?: string;
  /** Set when the nick looks like that of a contact the user verified or knew first: the line
   * must say that this is somebody else. */
  warning?: string;
}

export type Admission =
  | { ok: true; firstContact: boolean; collidesWith: Contact[] }
  | { ok: false; code: 'blocked' | 'impersonation'; message: string };

/** What display needs to know about one identity under one nick (see shown()). */
interface Facts {
  nick: string;
  clash: boolean;
  verified: boolean;
  blocked: boolean;
  lookalikeOf: Contact | undefined;
}

/** A reconnect under the same nick only moves the contact's lastSeen, which does nothing but
 * order look-alike holders (the newest is named in a refusal): written at most this often, so a
 * floor of peers reconnecting costs no write per link. */
export const PIN_REFRESH_MS = 10 * 60_000;

export class TrustBook {
  /** Per-identity answers for display (every message event needs them). Entries an identity's
   * contact row can change are dropped when it changes (forgetAround), all of them on /verify,
   * /block, /forget (invalidate). */
  private readonly cache = new Map<string, Facts>();

  constructor(
    private readonly store: Store,
    /** The store's clock (contacts' lastSeen). */
    private readonly now: () => number = Date.now,
  ) {}

  /** Something about the pins changed (pin, rename, forget, verify, block): forget cached answers. */
  invalidate(): void {
    this.cache.clear();
  }

  private facts(id: string, nick: string): Facts {
    let facts = this.cache.get(id);
    if (!facts || facts.nick !== nick) {
      const contact = this.store.contacts.get(id);
      const others = this.store.contacts.findByNick(nick).filter((c) => c.id !== id);
      facts = factsOf(nick, contact, others);
      this.cache.set(id, facts);
    }
    return facts;
  }

  /** `id`'s contact row now names `nicks` (and before, if it was renamed): its own answers and
   * those of every identity whose nick looks like one of them (their clash, their look-alike
   * holder) may have changed. Others cannot: their answers read only rows of their skeleton. */
  private forgetAround(id: string, nicks: string[]): void {
    this.cache.delete(id);
    const skeletons = new Set(nicks.map(nickSkeleton));
    for (const [other, facts] of this.cache) {
      if (skeletons.has(nickSkeleton(facts.nick))) this.cache.delete(other);
    }
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
    let contact = known;
    let created = false;
    if (!known || known.nick !== nick || this.now() - known.lastSeen >= PIN_REFRESH_MS) {
      const pinned = contacts.pin(id, nick);
      contact = pinned.contact;
      created = pinned.created;
      this.forgetAround(id, known && known.nick !== nick ? [nick, known.nick] : [nick]);
    }
    // What shown() would read back from the store now: the link's first events need it.
    this.cache.set(id, factsOf(nick, contact, others));
    return { ok: true, firstContact: created, collidesWith: others };
  }

  /** Would admit() let `id` in as `nick` now? Reads only: pins nothing. */
  wouldAdmit(id: string, nick: string): boolean {
    const known = this.store.contacts.get(id);
    if (known?.blocked) return false;
    return known !== undefined || this.store.contacts.findByNick(nick).every((c) => c.id === id);
  }

  /** A known identity now claims `nick`: pins the claim, returns the other identities using it. */
  rename(id: string, nick: string): Contact[] {
    this.store.contacts.pin(id, nick);
    this.invalidate();
    return this.store.contacts.findByNick(nick).filter((c) => c.id !== id);
  }

  /** The nick, or `nick#3f2a9c01` while another known identity claims a look-alike nick. */
  display(id: string, nick: string, alsoClaiming: (nick: string) => boolean = () => false): string {
    return this.shown(id, nick, alsoClaiming).display;
  }

  /** The display form plus its parts: the suffix, and a warning when the nick imitates a contact
   * the user verified or knew first ("not the bob#66687aad you verified"). */
  shown(id: string, nick: string, alsoClaiming: (nick: string) => boolean = () => false): ShownName {
    const facts = this.facts(id, nick);
    const shown: ShownName = { display: nick };
    if (facts.clash || alsoClaiming(nick)) {
      const suffix = suffixOf(id);
      shown.display = `${nick}#${suffix}`;
      shown.suffix = suffix;
    }
    const holder = facts.lookalikeOf;
    if (holder && !facts.verified) {
      shown.warning = `not the ${holder.nick}#${suffixOf(holder.id)} you ${holder.verified ? 'verified' : 'knew first'}`;
    }
    return shown;
  }

  verified(id: string): boolean {
    return this.cache.get(id)?.verified ?? this.store.contacts.get(id)?.verified ?? false;
  }

  blocked(id: string): boolean {
    return this.cache.get(id)?.blocked ?? this.store.contacts.get(id)?.blocked ?? false;
  }
}

function factsOf(nick: string, contact: Contact | undefined, others: Contact[]): Facts {
  return {
    nick,
    clash: others.length > 0,
    verified: contact?.verified ?? false,
    blocked: contact?.blocked ?? false,
    // The one whose name this imitates: a verified contact, else one we knew before this id.
    lookalikeOf:
      others.find((c) => c.verified) ??
      others.find((c) => contact === undefined || c.firstSeen < contact.firstSeen),
  };
}

export function suffixOf(id: string): string {
  return keySuffix(new Uint8Array(Buffer.from(id, 'base64url')));
}
