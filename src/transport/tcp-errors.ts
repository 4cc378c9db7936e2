// OS errors from sockets → TransportError, with messages that name the phase and a likely cause.
import { TransportError, type TransportErrorCode } from './transport.js';

export function errnoOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : '';
}

/** "[fe80::1%eth0]:7475" or "10.0.0.2:7475". */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

const DIAL_CODES: Record<string, [TransportErrorCode, string]> = {
  ECONNREFUSED: ['refused', 'connection refused (nothing listens there; the peer may have stopped)'],
  ECONNRESET: ['refused', 'connection reset during connect'],
  ETIMEDOUT: ['timeout', 'timed out (host down, or a firewall drops the packets)'],
  EHOSTUNREACH: ['unreachable', 'no route to host'],
  ENETUNREACH: ['unreachable', 'network unreachable (is the interface up?)'],
  EHOSTDOWN: ['unreachable', 'host is down'],
  ENETDOWN: ['unreachable', 'network is down'],
  EADDRNOTAVAIL: ['unreachable', 'address not available (wrong %scope for a link-local address?)'],
  EINVAL: [
    'unreachable',
    'invalid address for this host (missing or wrong %scope for a link-local address?)',
  ],
  ENOTFOUND: ['unreachable', 'host name not found'],
  EAI_AGAIN: ['unreachable', 'host name lookup failed (DNS unavailable)'],
  EACCES: ['permission', 'permission denied (a local firewall rule?)'],
  EPERM: ['permission', 'operation not permitted (a local firewall rule?)'],
};

export function dialError(error: unknown, address: string, port: number): TransportError {
  const errno = errnoOf(error);
  const [code, why] = DIAL_CODES[errno] ?? ['io', error instanceof Error ? error.message : String(error)];
  return new TransportError(code, `cannot connect to ${formatEndpoint(address, port)}: ${why}`, {
    cause: error,
  });
}

export function listenError(error: unknown, host: string, port: number): TransportError {
  const errno = errnoOf(error);
  const where = formatEndpoint(host, port);
  if (errno === 'EADDRINUSE') {
    return new TransportError(
      'port-in-use',
      `cannot listen on ${where}: the port is in use (another lanchat?). Choose another --port, ` +
        'or omit it to let lanchat fall back to a free one.',
      { cause: error },
    );
  }
  if (errno === 'EACCES' || errno === 'EPERM') {
    return new TransportError(
      'permission',
      `cannot listen on ${where}: permission denied (ports below 1024 need root)`,
      {
        cause: error,
      },
    );
  }
  if (errno === 'EADDRNOTAVAIL') {
    return new TransportError(
      'permission',
      `cannot listen on ${where}: that address is not one of this host's`,
      {
        cause: error,
      },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new TransportError('io', `cannot listen on ${where}: ${detail}`, { cause: error });
}

/** Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; peers and users know them as a.b.c.d. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
