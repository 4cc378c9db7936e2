// Links turned away for who is at the other end (trust.ts: a new key claiming a nick that another
// key holds here, or a blocked identity), seen from both ends. Without this, each refusal looked
// like a network fault to the refused side, which dialled again at once, and the refusing side
// dialled the refused identity whenever discovery mentioned it: a colleague who reinstalled and
// kept their nick, on a floor of 100 that knew the old key, went through a handshake loop with
// every peer (13.7 s of CPU in 30 s for the newcomer, a handshake a few seconds for each member)
// and saw all 100 go online and offline again every few seconds.
//
// Now the refusing side says so (a `close` with reason `refused`), never dials an identity it
// turns away until its trust changes (/forget, /unblock, /verify), and then dials it at once; the
// refused side reports it once and waits REFUSED_RETRY_MS before dialling that peer again, or
// less if it changes its nick or the peer connects to it. It never shows the refusing peer online:
// a peer is shown only once the other side has taken the link (the verdict, link-keeper.ts).
import { BoundedCache } from '../crypto/bounded-cache.js';
import type { PeerHint } from '../discovery/discovery.js';
import type { Clock } from './clock.js';
import type { Peer } from './peer-table.js';

/** How long a peer that refused us is left alone (unless our nick changes or it dials us). */
export const REFUSED_RETRY_MS = 10 * 60_000;
/** Identities we remember turning away. Anyone can make keys: one cycling through fresh ones only
 * pushes out the oldest, which at worst is dialled once more after a trust change, and refused. */
export const MAX_REFUSED = 256;

interface Refused {
  nick: string;
  dialBack: PeerHint | undefined;
}

export class Refusals {
  /** Identities we turn away, with the nick they claimed and where to dial back one that reached
   * us without being announced (an invite, a remembered address, another subnet). */
  private readonly ours = new BoundedCache<string, Refused>(MAX_REFUSED);

  constructor(private readonly clock: Clock) {}

  /** We turned `id`, claiming `nick`, away; true the first time since it was last handed back by
   * trustChanged (warn then). */
  weRefused(id: string, nick: string, dialBack: PeerHint | undefined): boolean {
    const before = this.ours.get(id);
    this.ours.set(id, { nick, dialBack: dialBack ?? before?.dialBack });
    return before === undefined;
  }

  /** We admitted `id`. */
  admitted(id: string): void {
    this.ours.delete(id);
  }

  /** Do we turn `id` away? Then we do not dial it either: it would only be refused again. */
  weRefuse(id: string): boolean {
    return this.ours.has(id);
  }

  /** Our trust changed (/forget, /unblock, /verify): hands back, and forgets, those we turned away
   * that `admissible` would now let in, each with the address to dial it back at when it came to
   * us by itself. The others stay refused: dialling them would only be refused again. */
  trustChanged(admissible: (id: string, nick: string) => boolean): { id: string; dialBack?: PeerHint }[] {
    const now: { id: string; dialBack?: PeerHint }[] = [];
    for (const [id, refused] of this.ours.drain()) {
      if (!admissible(id, refused.nick)) this.ours.set(id, refused);
      else now.push(refused.dialBack ? { id, dialBack: refused.dialBack } : { id });
    }
    return now;
  }

  /** `peer` turned our link away. */
  theyRefused(peer: Peer): void {
    peer.refusedUsAt = this.clock.now();
  }

  /** May we dial `peer`, as far as its refusals go? */
  mayDial(peer: Peer): boolean {
    return peer.refusedUsAt === undefined || this.clock.now() - peer.refusedUsAt >= REFUSED_RETRY_MS;
  }

  /** What made `peer` refuse us may have changed (our nick; it dialled us): dial it as usual. */
  cleared(peer: Peer): boolean {
    const was = peer.refusedUsAt !== undefined;
    peer.refusedUsAt = undefined;
    return was;
  }
}
