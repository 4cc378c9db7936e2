// The TCP transport: tcpListen and tcpDial with one socket tuning.
import { tcpDial } from './tcp-dial.js';
import { type TcpSocketTuning, tcpListen } from './tcp-listen.js';
import type { Transport } from './transport.js';

export const DEFAULT_KEEPALIVE_MS = 10_000;

export interface TcpTransportOptions {
  /** TCP keepalive idle time (default 10 s). */
  keepAliveMs?: number;
}

export function createTcpTransport(options: TcpTransportOptions = {}): Transport {
  const tuning: TcpSocketTuning = { keepAliveMs: options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS };
  return {
    listen: (listenOptions) => tcpListen(listenOptions, tuning),
    dial: (dialOptions) => tcpDial(dialOptions, tuning),
  };
}
