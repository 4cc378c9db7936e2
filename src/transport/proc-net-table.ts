// Linux's socket tables, /proc/net/{tcp,tcp6,udp,udp6}: one line per socket after a header, with
// the local address and port in hex, the state and the inode. Read by the accept group (who listens
// on our port) and by `lanchat doctor` (who shares UDP 5353).

export interface ProcNetSocket {
  /** The local address as the table writes it (hex, all zeros for the wildcard). */
  localAddress: string;
  localPort: number;
  /** Hex TCP state ("0A": LISTEN); for UDP "07". */
  state: string;
  inode: string;
}

/** Does `table` start with the tables' header (tcp says rem_address, tcp6 remote_address)? */
export function isProcNetTable(table: string): boolean {
  return /^\s*sl\s+local_address\s+rem(?:ote)?_address\s+st\b/.test(table);
}

/** The sockets of a table's lines after the header; lines that are not such lines are skipped. */
export function procNetSockets(table: string): ProcNetSocket[] {
  const out: ProcNetSocket[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    const inode = fields[9];
    if (!local || !state || !inode) continue;
    const colon = local.lastIndexOf(':');
    const port = Number.parseInt(local.slice(colon + 1), 16);
    if (colon < 0 || !Number.isInteger(port)) continue;
    out.push({ localAddress: local.slice(0, colon), localPort: port, state, inode });
  }
  return out;
}
