// Which online peers to give something for an absent peer (a drop for a recipient, a read receipt
// for a sender): peers that hold drops, those seen online together with the absent one most
// recently first (our own observations, seen_together), then any other holder. A peer that is
// often on when the absent one is, is likely to meet it when it returns.
import type { Peer } from '../peer-table.js';
import type { DropContext } from './drop-context.js';
import { HOLD_CAPABILITY } from './drop-policy.js';

export function holdersFor(c: DropContext, absentId: string): Peer[] {
  const holds = (p: Peer | undefined): p is Peer =>
    p !== undefined &&
    p.id !== absentId &&
    p.link !== undefined &&
    (p.link.remoteHello?.caps.includes(HOLD_CAPABILITY) ?? false);
  const preferred = c.store.drops
    .seenWith(absentId, 64)
    .map((id) => c.peers.get(id))
    .filter(holds);
  const chosen = new Set(preferred);
  for (const peer of c.peers.online()) if (holds(peer)) chosen.add(peer);
  return [...chosen];
}
