// Remembered peers: where each peer we had a link with was last reached, bounded per peer and in
// total. The addresses column is read back as untrusted input (a damaged or hand-edited profile):
// anything that is not a short list of short strings reads as no addresses.
import type Database from 'better-sqlite3';
import { guard, invalidInput, type StoreContext } from './sqlite-errors.js';
import {
  MAX_REMEMBERED_ADDRESSES,
  MAX_REMEMBERED_PEERS,
  type RememberedPeer,
  type RememberedPeerStore,
} from './store.js';

const MAX_ADDRESS_CHARS = 64;
const MAX_ERROR_CHARS = 300;

interface Row {
  id: string;
  port: number;
  addresses: string;
  last_connected: number;
  last_error: string | null;
  last_error_at: number | null;
}

function addressesOf(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    if (!Array.isArray(value)) return [];
    return value
      .filter((a): a is string => typeof a === 'string' && a.length > 0 && a.length <= MAX_ADDRESS_CHARS)
      .slice(0, MAX_REMEMBERED_ADDRESSES);
  } catch {
    return [];
  }
}

function fromRow(row: Row): RememberedPeer {
  const peer: RememberedPeer = {
    id: row.id,
    port: row.port,
    addresses: addressesOf(row.addresses),
    lastConnected: row.last_connected,
  };
  if (row.last_error !== null) peer.lastError = row.last_error;
  if (row.last_error_at !== null) peer.lastErrorAt = row.last_error_at;
  return peer;
}

const COLUMNS = 'id, port, addresses, last_connected, last_error, last_error_at';

export function createRememberedPeerStore(db: Database.Database, context: StoreContext): RememberedPeerStore {
  const byId = db.prepare(`SELECT ${COLUMNS} FROM remembered_peers WHERE id = ?`);
  const all = db.prepare(`SELECT ${COLUMNS} FROM remembered_peers ORDER BY last_connected DESC, id`);
  const upsert = db.prepare(
    `INSERT INTO remembered_peers (id, port, addresses, last_connected) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET port = excluded.port, addresses = excluded.addresses,
       last_connected = excluded.last_connected, last_error = NULL, last_error_at = NULL`,
  );
  const trim = db.prepare(
    `DELETE FROM remembered_peers WHERE id NOT IN
       (SELECT id FROM remembered_peers ORDER BY last_connected DESC, id LIMIT ${MAX_REMEMBERED_PEERS})`,
  );
  const error = db.prepare('UPDATE remembered_peers SET last_error = ?, last_error_at = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM remembered_peers WHERE id = ?');
  const expire = db.prepare('DELETE FROM remembered_peers WHERE last_connected < ?');

  const read = (id: string) => {
    const row = byId.get(id) as Row | undefined;
    return row === undefined ? undefined : fromRow(row);
  };
  const remember = db.transaction((id: string, address: string, port: number) => {
    const row = read(id);
    const before = row?.addresses ?? [];
    const addresses = [address, ...before.filter((a) => a !== address)].slice(0, MAX_REMEMBERED_ADDRESSES);
    upsert.run(id, port, JSON.stringify(addresses), context.now());
    // Only a new row can take the table over its bound; the trim sorts the whole table.
    if (row === undefined) trim.run();
  });

  return {
    remember(id, address, port) {
      if (address.length === 0 || address.length > MAX_ADDRESS_CHARS || !(port >= 1 && port <= 65535)) {
        throw invalidInput(context, `cannot remember ${address}:${port}: not an address and port`);
      }
      guard(context, 'remember a peer in', () => remember(id, address, port));
    },
    get(id) {
      return guard(context, 'read remembered peers from', () => read(id));
    },
    list() {
      return guard(context, 'read remembered peers from', () => (all.all() as Row[]).map(fromRow));
    },
    noteError(id, message) {
      guard(context, 'update a remembered peer in', () =>
        error.run(message.slice(0, MAX_ERROR_CHARS), context.now(), id),
      );
    },
    forget(id) {
      return guard(context, 'forget a remembered peer in', () => remove.run(id).changes > 0);
    },
    expire(before) {
      return guard(context, 'expire remembered peers in', () => expire.run(before).changes);
    },
  };
}
