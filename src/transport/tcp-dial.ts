// Dialling over TCP with a connect timeout and an AbortSignal. Addresses may be IPv4, IPv6
// (with or without brackets), IPv6 link-local with `%scope` (fe80::1%eth0), or a host name.
import { connect, isIPv6, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dialError, formatEndpoint, plainAddress } from './tcp-errors.js';
import { type TcpSocketTuning, tuneSocket } from './tcp-listen.js';
import { type Dialed, type DialOptions, TransportError } from './transport.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** A connect timer this late means our own event loop stood still meanwhile (TransportError.ownStall). */
export const OWN_STALL_MS = 1_000;

/** A link-local address whose `%scope` names no interface here. Node 20 refused such a dial
 * (EINVAL); Node 22 and later ignore the scope and send the SYN out of some other interface, onto a
 * network the user never chose, so we refuse it ourselves. */
function unknownScope(address: string): boolean {
  const at = address.indexOf('%');
  if (at < 0 || !isIPv6(address)) return false;
  const scope = address.slice(at + 1);
  return !/^\d+$/u.test(scope) && !Object.hasOwn(networkInterfaces(), scope);
}

export function tcpDial(options: DialOptions, tuning: TcpSocketTuning): Promise<Dialed> {
  const address = options.address.replace(/^\[(.*)\]$/u, '$1');
  const { port, signal } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const where = formatEndpoint(address, port);
  if (address === '' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    return Promise.reject(
      new TransportError('invalid-address', `cannot connect to ${where}: invalid address or port`),
    );
  }
  if (unknownScope(address)) {
    return Promise.reject(
      new TransportError(
        'unreachable',
        `cannot connect to ${where}: no interface of that %scope on this host`,
      ),
    );
  }
  if (signal?.aborted) {
    return Promise.reject(
      new TransportError('aborted', `dial to ${where} aborted`, { cause: signal.reason }),
    );
  }

  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: address, port, allowHalfOpen: false });
    const settle = (error?: TransportError): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.off('connect', onConnect);
      if (error === undefined) return;
      socket.destroy();
      reject(error);
    };
    const onError = (error: Error): void => settle(dialError(error, address, port));
    const onAbort = (): void =>
      settle(new TransportError('aborted', `dial to ${where} aborted`, { cause: signal?.reason }));
    const onConnect = (): void => {
      settle();
      tuneSocket(socket, tuning);
      resolve({
        stream: socket,
        remote: { address: plainAddress(socket.remoteAddress) || address, port: socket.remotePort ?? port },
      });
    };
    const startedAt = performance.now();
    const timer = setTimeout(() => {
      const late = performance.now() - startedAt - timeoutMs;
      settle(
        new TransportError('timeout', `cannot connect to ${where}: no answer within ${timeoutMs} ms`, {
          ownStall: late > OWN_STALL_MS,
        }),
      );
    }, timeoutMs);
    socket.once('error', onError);
    socket.once('connect', onConnect);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
