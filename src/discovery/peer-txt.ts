// What a peer's TXT record tells this node, given the network it is on:
// - public network: a v=1 record with our tag is a peer; v=2 records are private networks';
// - private network: a v=2 record that opens under our discovery key is a peer (its nick comes
//   from inside the seal, since the instance name is opaque); so is a v=1 record with our own
//   tag, published by a node of our network that runs an older lanchat (it leaks its own
//   membership, not ours). Everything else that is well-formed is "another network".
// A record that is neither (not lanchat's, malformed, oversized) is just ignored.
import { BoundedCache } from '../crypto/bounded-cache.js';
import { openSealedTxt, sealedFromPairs } from './sealed-txt.js';
import { txtPairs, v1FromPairs } from './txt-record.js';

export interface TxtContext {
  networkTag: string;
  /** The key that opens v=2 records; undefined on the public network. */
  discoveryKey?: Uint8Array | undefined;
}

export type PeerTxt =
  /** `nick` is set for sealed records, whose instance name carries no nick. */
  { kind: 'peer'; publicKey: string; nick?: string } | { kind: 'foreign' } | { kind: 'invalid' };

/** Resolution reads an instance's TXT every time the instance is touched (each announcement,
 * refresh or address), each time from a freshly received copy, and on a private network a read
 * opens a seal. The answer depends only on the strings and the context, so it is kept by content
 * (`contentKey`, the record's key) with the context it was read under. The content comes from the
 * network: the table holds at most MAX_REMEMBERED answers, the oldest out first. */
const MAX_REMEMBERED = 4096;
const reads = new BoundedCache<
  string,
  { networkTag: string; discoveryKey: Uint8Array | undefined; read: PeerTxt }
>(MAX_REMEMBERED);

/** `contentKey` must differ whenever `entries` do (record-order.recordKey of the TXT record);
 * without it nothing is remembered. */
export function readPeerTxt(
  entries: readonly Uint8Array[],
  context: TxtContext,
  contentKey?: string,
): PeerTxt {
  if (contentKey === undefined) return readUncached(entries, context);
  const known = reads.get(contentKey);
  if (known && known.networkTag === context.networkTag && known.discoveryKey === context.discoveryKey)
    return known.read;
  const read = readUncached(entries, context);
  reads.set(contentKey, { networkTag: context.networkTag, discoveryKey: context.discoveryKey, read });
  return read;
}

function readUncached(entries: readonly Uint8Array[], context: TxtContext): PeerTxt {
  const pairs = txtPairs(entries);
  if (!pairs) return { kind: 'invalid' };
  const v1 = v1FromPairs(pairs);
  if (v1)
    return v1.networkTag === context.networkTag
      ? { kind: 'peer', publicKey: v1.publicKey }
      : { kind: 'foreign' };
  const sealed = sealedFromPairs(pairs);
  if (!sealed) return { kind: 'invalid' };
  const opened = context.discoveryKey ? openSealedTxt(sealed, context.discoveryKey) : undefined;
  return opened ? { kind: 'peer', publicKey: opened.publicKey, nick: opened.nick } : { kind: 'foreign' };
}
