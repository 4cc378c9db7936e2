// The TCP transport: tcpListen and tcpDial with one socket tuning.
import { tcpDial } from './tcp-dial.js';
import { type TcpSocketTuning, tcpListen } from './tcp-listen.js';
import type { Transport } from './transport.js';

// libuv (Node 22–26) sends the probes 1 s apart and gives up after 10 (checked with strace), so a
// peer whose cable is pulled on a quiet link is found gone 4 + 10 = 14 s later, within the 15 s of
// issue 4, without a wake-up of either process (connection/peer-link.ts DEFAULT_HEARTBEAT).
export const DEFAULT_KEEPALIVE_MS = 4_000;

export interface TcpTransportOptions {
  /** TCP keepalive idle time (default 4 s). */
  keepAliveMs?: number;
}

export function createTcpTransport(options: TcpTransportOptions = {}): Transport {
  const tuning: TcpSocketTuning = { keepAliveMs: options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS };
  return {
    listen: (listenOptions) => tcpListen(listenOptions, tuning),
    dial: (dialOptions) => tcpDial(dialOptions, tuning),
  };
}
