// Listening over TCP: every address dual-stack by default ('::' with ipv6Only false, or 0.0.0.0
// where the host has no IPv6), and a fallback to an ephemeral port when the requested one is taken
// so several users can run lanchat on one host (issue 4), unless the caller insists on its port.
import { createServer, type Server, type Socket } from 'node:net';
import { acceptGroup, GROUP_BACKLOG } from './accept-group.js';
import { createConnectionHandoff } from './connection-handoff.js';
import { errnoOf, listenError, plainAddress } from './tcp-errors.js';
import { type Listener, type ListenOptions, TransportError } from './transport.js';

export interface TcpSocketTuning {
  /** TCP keepalive idle time, ms: it finds a cut on a quiet link (see tcp-transport.ts). */
  keepAliveMs: number;
}

/** Errors meaning "this host cannot bind IPv6 here", after which IPv4 any is the next best. */
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT', 'EINVAL']);

export function tuneSocket(socket: Socket, tuning: TcpSocketTuning): void {
  // Chat lines are small and latency-bound: never wait for Nagle to coalesce them.
  socket.setNoDelay(true);
  socket.setKeepAlive(true, tuning.keepAliveMs);
}

type OnConnection = (socket: Socket) => void;

/** `shared`: SO_REUSEPORT, for the sockets of one accept group (accept-group.ts). The connection
 * listener is there from the start: a connection accepted while the rest of a group is being bound
 * must not go to a server with nobody listening for it. */
function bind(host: string, port: number, onConnection: OnConnection, shared = false): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: false, pauseOnConnect: false }, onConnection);
    const onError = (error: Error): void => {
      server.close();
      reject(error);
    };
    server.once('error', onError);
    const backlog = shared ? GROUP_BACKLOG : undefined;
    server.listen({ host, port, ipv6Only: false, exclusive: true, reusePort: shared, backlog }, () => {
      server.off('error', onError);
      // From here on, errors are transient accept failures (EMFILE, ECONNABORTED) that libuv
      // retries; the server keeps listening, so they must not crash the process (also while the
      // rest of a group is being bound).
      server.on('error', () => {});
      resolve(server);
    });
  });
}

async function bindWithFallback(
  host: string,
  port: number,
  strictPort: boolean,
  onConnection: OnConnection,
): Promise<Server> {
  try {
    return await bind(host, port, onConnection);
  } catch (error) {
    if (errnoOf(error) !== 'EADDRINUSE' || strictPort || port === 0) throw error;
    return bind(host, 0, onConnection);
  }
}

export async function tcpListen(options: ListenOptions, tuning: TcpSocketTuning): Promise<Listener> {
  const { port, strictPort = false } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TransportError('invalid-address', `invalid port ${port}: use an integer from 0 to 65535`);
  }
  const handoff = createConnectionHandoff();
  const onConnection = (socket: Socket): void => {
    tuneSocket(socket, tuning);
    handoff.accept(socket, { address: plainAddress(socket.remoteAddress), port: socket.remotePort ?? 0 });
  };
  let host = options.host ?? '::';
  const open = (at: string): Promise<Server[]> =>
    acceptGroup(at, port, {
      bind: (h, p, shared) => bind(h, p, onConnection, shared),
      exclusive: () => bindWithFallback(at, port, strictPort, onConnection),
    });
  let servers: Server[];
  try {
    servers = await open(host);
  } catch (error) {
    if (options.host !== undefined || !NO_IPV6.has(errnoOf(error))) throw listenError(error, host, port);
    host = '0.0.0.0';
    try {
      servers = await open(host);
    } catch (second) {
      throw listenError(second, host, port);
    }
  }
  const bound = servers[0]!.address();
  const actual = typeof bound === 'object' && bound !== null ? bound : { address: host, port };

  let closing: Promise<void> | undefined;
  return {
    port: actual.port,
    host: actual.address,
    onConnection: (handler) => handoff.setHandler(handler),
    close() {
      closing ??= new Promise<void>((resolve) => {
        handoff.close();
        // server.close() stops accepting at once, but its callback waits for every accepted
        // socket to end; those belong to the caller, so do not wait for them.
        for (const each of servers) each.close();
        setImmediate(resolve);
      });
      return closing;
    },
  };
}
