// Several listening sockets on one port, so that a busy node takes up a burst of connections in
// one turn of its event loop instead of one per turn.
//
// Why: libuv (since 1.45, Node 20 and later) accepts ONE connection per loop turn and leaves the
// rest in the kernel's accept queue until the next turn. On a loaded host a turn lasts seconds (100
// nodes on 2 cores, every turn reading dozens of handshakes): a newcomer that ninety peers dial at
// once took them up one per turn, SYN → accept 0.9 s at the median and 10 s at p90 (one-off trace,
// 100 arriving every 400 ms). Meanwhile its own dials went out to the very peers whose
// connections sat unseen in that queue (the dialer cannot see it), so ≈ 1,200 of the 4,950 pairs
// were linked twice, ≈ 5 % of the floor's CPU. With SO_REUSEPORT the kernel spreads the connections
// over ACCEPT_SOCKETS sockets and each turn accepts one from every socket that has one. Pairs
// linked twice in the same A/B (SYN capture): 1,142–1,386 with one socket, 278–311 with 8, 140–161
// with 16, 86–151 with 32; CPU per node 0.93–1.06 s with one, 0.85–0.98 s with 16 (and 1.16 s in an
// arm the shared machine ran slow); 16 against 32 within the noise (one-off script, alternating
// builds on one network).
//
// Only on Linux (elsewhere SO_REUSEPORT does not spread connections), only on a wildcard address,
// and only when it is sure to be ours alone. The kernel lets any process of the same user join a
// SO_REUSEPORT group, and connections meant for us would then go to another lanchat. So the port
// is first claimed with an exclusive socket (a second lanchat started later finds the port taken
// and falls back as before), and once the group is bound, /proc/net/tcp* must list exactly our
// sockets on that port; otherwise (two lanchats that started in the same instant) we go back to one
// exclusive socket.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';

/** Listening sockets per node. Each loop turn accepts up to one per socket. */
export const ACCEPT_SOCKETS = 16;
/** Connections each socket of a group holds waiting (its accept queue): 1,024 in all, twice what
 * one socket held (Node's default 511), not sixteen times that for a flood to fill. A newcomer on a
 * floor of 500 is dialled by ≈ 500 at once, ≈ 31 a socket. */
export const GROUP_BACKLOG = 64;

export interface AcceptGroupOptions {
  /** Binds one socket to host:port, SO_REUSEPORT when `shared`. */
  bind: (host: string, port: number, shared: boolean) => Promise<Server>;
  /** Binds the usual exclusive socket (with the caller's fallback to a free port). */
  rebind: () => Promise<Server>;
  /** Reads /proc/net/tcp or /proc/net/tcp6; undefined if it cannot (tests inject it). */
  readProc?: (file: string) => string | undefined;
  platform?: NodeJS.Platform;
  sockets?: number;
}

/** Turns the bound, exclusive `claim` into a group of sockets on the same port where that is safe
 * (see the top of this file), else returns it alone. */
export async function acceptGroup(
  claim: Server,
  host: string,
  options: AcceptGroupOptions,
): Promise<Server[]> {
  const sockets = options.sockets ?? ACCEPT_SOCKETS;
  const read = options.readProc ?? readProc;
  const file = procFile(host);
  if ((options.platform ?? process.platform) !== 'linux' || sockets < 2 || !file) return [claim];
  const port = boundPort(claim);
  if (port === undefined || listenersOn(read(file), port) === undefined) return [claim];
  await closeServer(claim);
  const group: Server[] = [];
  for (let i = 0; i < sockets; i++) {
    try {
      group.push(await options.bind(host, port, true));
    } catch {
      break; // taken meanwhile, or SO_REUSEPORT refused: see below
    }
  }
  if (group.length > 0 && listenersOn(read(file), port) === group.length) return group;
  await Promise.all(group.map(closeServer));
  return [await options.rebind()];
}

/** Listening sockets on `port` at the wildcard address in a /proc/net/tcp* table; undefined when
 * the text is missing or not such a table. */
export function listenersOn(table: string | undefined, port: number): number | undefined {
  if (table === undefined) return undefined;
  const lines = table.split('\n');
  if (!/^\s*sl\s+local_address\s+rem(?:ote)?_address\s+st\b/.test(lines[0] ?? '')) return undefined;
  const wanted = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const line of lines.slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (state !== '0A' || !local) continue; // 0A: LISTEN
    const colon = local.lastIndexOf(':');
    if (local.slice(colon + 1) === wanted && /^0+$/.test(local.slice(0, colon))) count++;
  }
  return count;
}

function procFile(host: string): string | undefined {
  if (host === '::') return '/proc/net/tcp6';
  if (host === '0.0.0.0') return '/proc/net/tcp';
  return undefined; // a specific address: one socket, as before
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return undefined;
  }
}

function boundPort(server: Server): number | undefined {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : undefined;
}

/** Stops listening at once (the port is free when close() returns); a connection it accepted
 * meanwhile is dropped, and its dialler tries again. Does not wait for close()'s callback, which
 * waits for such connections to end. */
function closeServer(server: Server): Promise<void> {
  server.on('connection', (socket) => socket.destroy());
  server.close();
  return new Promise((resolve) => setImmediate(resolve));
}
