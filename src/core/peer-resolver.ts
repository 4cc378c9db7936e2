// Who a name typed by the user (or given to `send`, the control socket, headless commands) means.
// Routing goes by identity, never by a claim: a name is looked up only among nicks that some key
// proved (its authenticated hello or nick change) and the pinned contacts, never among what mDNS
// TXT records claim. Nicks compare by confusable skeleton, so "BOB" or "bоb" cannot slip past a
// pinned bob. A pinned contact wins over an identity that merely claims its name now, and a
// verified one over the other contacts; anything still ambiguous is an error that lists the
// candidates with their key suffixes.
import { parseId, splitNickSuffix } from '../identity/ids.js';
import type { ContactStore } from '../store/store.js';
import { NodeError } from './node-error.js';
import type { Peer, PeerTable } from './peer-table.js';
import { suffixOf } from './trust.js';

export function resolvePeer(peers: PeerTable, contacts: ContactStore, name: string): Peer {
  const byId = peers.get(name) ?? contactById(peers, contacts, name);
  if (byId) return byId;
  const { nick, suffix } = splitNickSuffix(name);
  const candidates = new Map<string, Peer>();
  for (const peer of peers.match(name)) candidates.set(peer.id, peer);
  for (const contact of contacts.findByNick(nick)) {
    if (candidates.has(contact.id) || (suffix !== undefined && suffixOf(contact.id) !== suffix)) continue;
    candidates.set(contact.id, peers.getOrCreate(contact.id, keyOf(contact.id), contact.nick));
  }
  const all = [...candidates.values()];
  const pinned = all.filter((p) => contacts.get(p.id) !== undefined);
  const verified = pinned.filter((p) => contacts.get(p.id)?.verified);
  const chosen = verified.length === 1 ? verified : pinned.length > 0 ? pinned : all;
  if (chosen.length === 1) return chosen[0]!;
  if (chosen.length > 1) {
    const forms = chosen.map((p) => `${p.nick}#${suffixOf(p.id)}`).join(', ');
    throw new NodeError(
      'ambiguous-peer',
      `${name} is claimed by ${chosen.length} identities (${forms}); use one of those names`,
    );
  }
  throw new NodeError('unknown-peer', `nobody called ${name} is known; /peers lists who is`);
}

/** An id of a pinned contact not seen this run (its DMs are queued in the outbox). */
function contactById(peers: PeerTable, contacts: ContactStore, name: string): Peer | undefined {
  const key = parseId(name);
  if (!key) return undefined;
  const contact = contacts.get(Buffer.from(key).toString('base64url'));
  return contact && peers.getOrCreate(contact.id, key, contact.nick);
}

function keyOf(id: string): Uint8Array {
  return new Uint8Array(Buffer.from(id, 'base64url'));
}
