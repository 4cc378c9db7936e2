// The transport role, as core sees it: listen for and dial byte streams. Implementations: TCP
// (tcp-transport.ts) and an in-process network (memory-transport.ts); one contract suite
// (test/transport/transport-contract.ts) runs against both.
//
// Stream semantics both implementations keep: a Node Duplex with allowHalfOpen false, so when one
// side end()s, the other reads everything, sees 'end', ends too, and both emit 'close'; destroy()
// on one side makes the other see 'end'/'close' (TCP may add an ECONNRESET 'error': always listen
// for 'error'). Accepted and dialled streams belong to the caller: Listener.close() stops new
// connections and leaves open ones alone.
import type { Duplex } from 'node:stream';

export interface RemoteAddress {
  /** IP address (IPv4-mapped IPv6 is reported as plain IPv4); memory transport: its fake host. */
  address: string;
  port: number;
}

export interface ListenOptions {
  /** 0 for any free port. */
  port: number;
  /** Default: every address, dual-stack. Tests pass '127.0.0.1' or '::1'. */
  host?: string;
  /**
   * When `port` is taken: false (default) falls back to a free ephemeral port, so several users
   * can share one host (read Listener.port); true fails with TransportError 'port-in-use'.
   */
  strictPort?: boolean;
}

export type ConnectionHandler = (stream: Duplex, remote: RemoteAddress) => void;

export interface Listener {
  /** The port actually bound (differs from the requested one after a fallback). */
  readonly port: number;
  /** The address actually bound ('::' when dual-stack). */
  readonly host: string;
  /**
   * Sets the handler for accepted streams. Streams accepted before a handler is set are held and
   * handed to it when it is set.
   */
  onConnection(handler: ConnectionHandler): void;
  /** Stops accepting. Idempotent; already accepted streams stay open. */
  close(): Promise<void>;
}

export interface DialOptions {
  /** IPv4, IPv6 (link-local with `%scope`, brackets allowed), or a memory-transport host. */
  address: string;
  port: number;
  signal?: AbortSignal;
  /** Connect timeout (default per implementation, TCP: 5 s). */
  timeoutMs?: number;
}

export interface Dialed {
  stream: Duplex;
  remote: RemoteAddress;
}

export interface Transport {
  listen(options: ListenOptions): Promise<Listener>;
  dial(options: DialOptions): Promise<Dialed>;
}

export type TransportErrorCode =
  /** The requested port is taken (only with strictPort, or when even the fallback failed). */
  | 'port-in-use'
  /** Binding needs privileges (port < 1024) or the address is not ours. */
  | 'permission'
  /** Nothing listens there (TCP RST). A peer that just went away looks like this. */
  | 'refused'
  /** No answer within timeoutMs. */
  | 'timeout'
  /** No route, host down, network down, or an address we cannot use (bad scope id). */
  | 'unreachable'
  /** The caller's AbortSignal fired. */
  | 'aborted'
  /** Malformed address or port. */
  | 'invalid-address'
  /** Anything else the OS reported. */
  | 'io';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly code: TransportErrorCode;
  /** A 'timeout' whose timer fired well after its time: our own event loop stood still (a loaded
   * host), so the peer may have answered and we did not look. */
  readonly ownStall: boolean;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown; ownStall?: boolean }) {
    super(message, options);
    this.code = code;
    this.ownStall = options?.ownStall ?? false;
  }
}
