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
// SO_REUSEPORT group, and connections meant for us would then go to another lanchat. So
// /proc/net/tcp* must list nobody on the port before we bind (a second lanchat started later sees
// our sockets there, binds exclusively, finds the port taken and falls back as before) and exactly
// our sockets after; otherwise (two lanchats that started in the same instant) we go back to one
// exclusive socket.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { isProcNetTable, procNetSockets } from './proc-net-table.js';

/** Listening sockets per node. Each loop turn accepts up to one per socket. */
export const ACCEPT_SOCKETS = 16;
/** Connections each socket of a group holds waiting (its accept queue): 1,024 in all, twice what
 * one socket held (Node's default 511), not sixteen times that for a flood to fill. A newcomer on a
 * floor of 500 is dialled by ≈ 500 at once, ≈ 31 a socket. */
export const GROUP_BACKLOG = 64;

export interface AcceptGroupOptions {
  /** Binds one socket to host:port (0: a free port), SO_REUSEPORT when `shared`. */
  bind: (host: string, port: number, shared: boolean) => Promise<Server>;
  /** Binds the usual one exclusive socket (with the caller's fallback to a free port). */
  exclusive: () => Promise<Server>;
  /** Reads /proc/net/tcp or /proc/net/tcp6; undefined if it cannot (tests inject it). */
  readProc?: (file: string) => string | undefined;
  platform?: NodeJS.Platform;
  sockets?: number;
}

/** Listens on host:port with a group of sockets where that is safe (see the top of this file),
 * else with the one exclusive socket. Errors are the exclusive bind's (a port taken, no IPv6). */
export async function acceptGroup(
  host: string,
  port: number,
  options: AcceptGroupOptions,
): Promise<Server[]> {
  const sockets = options.sockets ?? ACCEPT_SOCKETS;
  const read = options.readProc ?? readProc;
  const file = procFile(host);
  if ((options.platform ?? process.platform) !== 'linux' || sockets < 2 || !file) {
    return [await options.exclusive()];
  }
  // Somebody listens there already (another lanchat, of ours or another user): the exclusive bind
  // says so and falls back. Checked before binding, not by binding: a socket that listened for a
  // moment and closed again dropped the connections it took meanwhile, and peers that remember
  // us dial at once after our restart (200 "hung up on our hello" a next morning of 100).
  // (Also when /proc cannot be read: then we could not make sure afterwards either.)
  if (listenersOn(read(file), port) !== 0) return [await options.exclusive()];
  const group: Server[] = [];
  try {
    group.push(await options.bind(host, port, true));
    const bound = boundPort(group[0]!) ?? port;
    while (group.length < sockets) group.push(await options.bind(host, bound, true));
    // Exactly ours: nobody joined between the check and our binds (a lanchat started in the same
    // instant; the kernel admits only our own user to the group).
    if (listenersOn(read(file), bound) === group.length) return group;
  } catch {
    // taken meanwhile, SO_REUSEPORT refused, no IPv6: the exclusive bind decides
  }
  await Promise.all(group.map(closeServer));
  return [await options.exclusive()];
}

/** Listening sockets on `port` at the wildcard address in a /proc/net/tcp* table; undefined when
 * the text is missing or not such a table. */
export function listenersOn(table: string | undefined, port: number): number | undefined {
  if (table === undefined || !isProcNetTable(table)) return undefined;
  return procNetSockets(table).filter(
    (s) => s.state === '0A' && s.localPort === port && /^0+$/.test(s.localAddress), // 0A: LISTEN
  ).length;
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

/** Stops listening at once (the port is free when close() returns). A connection it accepted
 * meanwhile went to the caller like any other. Does not wait for close()'s callback, which waits
 * for such connections to end. */
function closeServer(server: Server): Promise<void> {
  server.close();
  return new Promise((resolve) => setImmediate(resolve));
}
