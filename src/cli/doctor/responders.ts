// Other mDNS responders on this host (avahi-daemon, mDNSResponder, systemd-resolved, another
// lanchat): the UDP sockets bound to port 5353 in this network namespace and the processes that
// own them, from /proc. Sharing the port works for multicast (SO_REUSEADDR), but a responder
// that binds it exclusively stops lanchat, and two lanchats on one profile are a mistake.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { procNetSockets } from '../../transport/proc-net-table.js';

export const MDNS_PORT_HEX = '14E9';
/** Bound on the processes scanned, so a host with huge process tables stays quick. */
const MAX_PROCESSES = 5_000;

/** Socket inodes bound to local `portHex` in a /proc/net/udp or udp6 table. */
export function socketInodesOnPort(table: string, portHex = MDNS_PORT_HEX): string[] {
  const port = Number.parseInt(portHex, 16);
  return procNetSockets(table)
    .filter((s) => s.localPort === port && s.inode !== '0')
    .map((s) => s.inode);
}

export interface Responder {
  pid: number | undefined;
  /** The process name (/proc/PID/comm), or undefined when it is not ours to see. */
  command: string | undefined;
}

/** Every socket on UDP 5353 in this namespace, with its owning process when visible; undefined
 * where there is no /proc to tell (macOS, Windows). */
export function mdnsResponders(proc = '/proc'): Responder[] | undefined {
  const inodes = new Set<string>();
  let readable = false;
  for (const table of ['udp', 'udp6']) {
    try {
      for (const i of socketInodesOnPort(readFileSync(`${proc}/net/${table}`, 'utf8'))) inodes.add(i);
      readable = true;
    } catch {
      // no IPv6, or not Linux
    }
  }
  if (!readable) return undefined;
  if (inodes.size === 0) return [];
  const owners = new Map<string, Responder>();
  let pids: string[] = [];
  try {
    pids = readdirSync(proc)
      .filter((d) => /^[0-9]+$/.test(d))
      .slice(0, MAX_PROCESSES);
  } catch {}
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`${proc}/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`${proc}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[([0-9]+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode) && !owners.has(inode)) {
        owners.set(inode, { pid: Number(pid), command: commandOf(`${proc}/${pid}`) });
      }
    }
  }
  const seen = new Map<string, Responder>();
  for (const inode of inodes) {
    const r = owners.get(inode) ?? { pid: undefined, command: undefined };
    seen.set(`${r.pid ?? `?${inode}`}`, r);
  }
  return [...seen.values()];
}

/** "lanchat" for a lanchat process (a node running bin/lanchat.js), else the process name. */
function commandOf(dir: string): string | undefined {
  try {
    const argv = readFileSync(`${dir}/cmdline`, 'utf8').split('\0').slice(0, 4);
    if (argv.some((a) => /(^|\/)lanchat(\.js)?$/.test(a))) return 'lanchat';
  } catch {}
  try {
    return readFileSync(`${dir}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
