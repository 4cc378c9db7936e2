// An in-process network for fast tests: each node gets a Transport bound to a fake host address,
// listeners are registered by host:port, and dials are answered with duplex pairs. Links can be
// cut (no FIN, data vanishes, new dials fail) to test heartbeats and reconnection without sleeps
// on real sockets.
import { createConnectionHandoff } from './connection-handoff.js';
import { duplexPair, type LinkState } from './duplex-pair.js';
import { type Listener, type Transport, TransportError } from './transport.js';

/** Ports handed out for port 0 and for the dialling side, as an OS would. */
export const MEMORY_EPHEMERAL_PORTS = { first: 49_152, last: 65_535 } as const;

export interface MemoryNetwork {
  /** A node's transport; `host` is the address its peers see and dial (e.g. '10.0.0.1'). */
  transport(host: string): Transport;
  /** Cuts (true) or restores (false) every link to and from `host`. */
  setLinkDown(host: string, down: boolean): void;
  /** Open listeners, as "host:port", for assertions. */
  listening(): string[];
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TransportError('invalid-address', `invalid port ${port}: use an integer from 0 to 65535`);
  }
}

export function createMemoryNetwork(): MemoryNetwork {
  const listeners = new Map<string, ReturnType<typeof createConnectionHandoff>>();
  const down = new Set<string>();
  const nextPort = new Map<string, number>();
  const key = (host: string, port: number): string => `${host}:${port}`;

  const ephemeral = (host: string): number => {
    let port = nextPort.get(host) ?? MEMORY_EPHEMERAL_PORTS.first;
    while (listeners.has(key(host, port))) port += 1;
    if (port > MEMORY_EPHEMERAL_PORTS.last)
      throw new TransportError('port-in-use', `no free port on ${host}`);
    nextPort.set(host, port + 1);
    return port;
  };

  const linkBetween = (a: string, b: string): LinkState => ({
    get up() {
      return !down.has(a) && !down.has(b);
    },
  });

  const transport = (ownHost: string): Transport => ({
    async listen({ port: requested, host = ownHost, strictPort = false }): Promise<Listener> {
      checkPort(requested);
      let port = requested;
      if (port === 0) {
        port = ephemeral(host);
      } else if (listeners.has(key(host, port))) {
        if (strictPort) {
          throw new TransportError('port-in-use', `port ${port} on ${host} is in use by another listener`);
        }
        port = ephemeral(host);
      }
      const handoff = createConnectionHandoff();
      const address = key(host, port);
      listeners.set(address, handoff);
      return {
        port,
        host,
        onConnection: (handler) => handoff.setHandler(handler),
        async close() {
          if (listeners.get(address) === handoff) listeners.delete(address);
          handoff.close();
        },
      };
    },

    async dial({ address, port, signal }) {
      checkPort(port);
      if (signal?.aborted) throw new TransportError('aborted', `dial to ${address}:${port} aborted`);
      // Let the caller's code between dial() and await run first, as with a real socket.
      await Promise.resolve();
      if (signal?.aborted) throw new TransportError('aborted', `dial to ${address}:${port} aborted`);
      if (down.has(ownHost) || down.has(address)) {
        throw new TransportError('unreachable', `cannot reach ${address}:${port}: the link is down`);
      }
      const handoff = listeners.get(key(address, port));
      if (handoff === undefined) {
        throw new TransportError('refused', `cannot connect to ${address}:${port}: connection refused`);
      }
      const [local, remote] = duplexPair({ link: linkBetween(ownHost, address) });
      handoff.accept(remote, { address: ownHost, port: ephemeral(ownHost) });
      return { stream: local, remote: { address, port } };
    },
  });

  return {
    transport,
    setLinkDown(host, isDown) {
      if (isDown) down.add(host);
      else down.delete(host);
    },
    listening: () => [...listeners.keys()],
  };
}
