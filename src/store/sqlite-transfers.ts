// File transfers on both sides. A row is rewritten whole on each change (a few per second at most:
// offsets are persisted only after an fsync of the partial file, see src/core/files).
import type Database from 'better-sqlite3';
import { guard, type StoreContext } from './sqlite-errors.js';
import type { TransferRecord, TransferStore } from './store.js';

interface Row {
  id: string;
  direction: 'in' | 'out';
  peer_id: string;
  peer_nick: string;
  name: string;
  size: number;
  sha256: string;
  state: TransferRecord['state'];
  source_path: string | null;
  dir: string | null;
  final_path: string | null;
  verified: number;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  updated_at: number;
}

function fromRow(row: Row): TransferRecord {
  const record: TransferRecord = {
    id: row.id,
    direction: row.direction,
    peerId: row.peer_id,
    peerNick: row.peer_nick,
    name: row.name,
    size: row.size,
    sha256: row.sha256,
    state: row.state,
    verified: row.verified,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.source_path !== null) record.sourcePath = row.source_path;
  if (row.dir !== null) record.dir = row.dir;
  if (row.final_path !== null) record.finalPath = row.final_path;
  if (row.error_code !== null) record.errorCode = row.error_code;
  if (row.error_message !== null) record.errorMessage = row.error_message;
  return record;
}

export function createTransferStore(db: Database.Database, context: StoreContext): TransferStore {
  const put = db.prepare(
    `INSERT OR REPLACE INTO transfers (id, direction, peer_id, peer_nick, name, size, sha256, state,
       source_path, dir, final_path, verified, error_code, error_message, created_at, updated_at)
     VALUES (@id, @direction, @peerId, @peerNick, @name, @size, @sha256, @state, @sourcePath, @dir,
       @finalPath, @verified, @errorCode, @errorMessage, @createdAt, @updatedAt)`,
  );
  const get = db.prepare('SELECT * FROM transfers WHERE id = ?');
  const list = db.prepare('SELECT * FROM transfers ORDER BY created_at DESC, id LIMIT ?');
  const open = db.prepare(
    "SELECT * FROM transfers WHERE state IN ('offered', 'accepted') ORDER BY created_at, id",
  );
  return {
    put(record) {
      guard(context, 'save a transfer in', () =>
        put.run({
          sourcePath: null,
          dir: null,
          finalPath: null,
          errorCode: null,
          errorMessage: null,
          ...record,
        }),
      );
    },
    get(id) {
      return guard(context, 'read a transfer from', () => {
        const row = get.get(id) as Row | undefined;
        return row ? fromRow(row) : undefined;
      });
    },
    list(limit = 100) {
      return guard(context, 'read transfers from', () => (list.all(limit) as Row[]).map(fromRow));
    },
    open() {
      return guard(context, 'read transfers from', () => (open.all() as Row[]).map(fromRow));
    },
  };
}
