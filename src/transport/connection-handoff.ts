// Hands accepted streams to the listener's handler. A connection can arrive between listen()
// resolving and the caller calling onConnection(); dropping it would lose a peer's first dial, so
// it is held (up to a bound) and handed over when the handler is set.
import type { Duplex } from 'node:stream';
import type { ConnectionHandler, RemoteAddress } from './transport.js';

/** Connections held while no handler is set; more are refused (destroyed). */
export const MAX_HELD_CONNECTIONS = 64;

export interface ConnectionHandoff {
  accept(stream: Duplex, remote: RemoteAddress): void;
  setHandler(handler: ConnectionHandler): void;
  /** Destroys held streams (nobody will take them) and refuses later ones. */
  close(): void;
}

export function createConnectionHandoff(): ConnectionHandoff {
  let handler: ConnectionHandler | undefined;
  let closed = false;
  const held: { stream: Duplex; remote: RemoteAddress }[] = [];
  return {
    accept(stream, remote) {
      if (closed) {
        stream.destroy();
      } else if (handler !== undefined) {
        handler(stream, remote);
      } else if (held.length < MAX_HELD_CONNECTIONS) {
        held.push({ stream, remote });
      } else {
        stream.destroy();
      }
    },
    setHandler(next) {
      handler = next;
      for (const { stream, remote } of held.splice(0)) {
        if (!stream.destroyed) next(stream, remote);
      }
    },
    close() {
      closed = true;
      for (const { stream } of held.splice(0)) stream.destroy();
    },
  };
}
