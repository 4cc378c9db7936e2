// The discovery layer's one error type. Only local misconfiguration is fatal (a port we may not
// bind, an interface that does not exist); anything that arrives from the network becomes a
// rate-limited `warning` event instead (RFC 6762 §11: a responder must survive hostile packets).

export type DiscoveryErrorCode =
  /** Binding UDP 5353 was refused (EACCES) or impossible (EADDRINUSE without SO_REUSEADDR). */
  | 'bind-failed'
  /** `--interface NAME` names no interface, or one without an IPv4/IPv6 address. */
  | 'no-such-interface'
  /** No usable interface at all: nothing can be sent or received. */
  | 'no-interfaces'
  /** A `--peer` value could not be parsed or its host could not be resolved. */
  | 'bad-peer'
  /** start() called twice, or update() before start(). */
  | 'bad-state';

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  readonly code: DiscoveryErrorCode;

  constructor(code: DiscoveryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
