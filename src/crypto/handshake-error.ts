// The one error class of the handshake. Codes are what callers branch on; messages are for people
// and name the phase (1..4 = SHS message number) and the most likely cause.

export type HandshakeErrorCode =
  | 'bad-hello' // a message 1 or 2 of the wrong size: the peer does not speak SHS
  | 'wrong-network' // hello HMAC does not verify, or the server hung up on our hello
  | 'bad-auth' // server: message 3 does not open or its signature is invalid
  | 'bad-accept' // client: message 4 does not open or its signature is invalid
  | 'wrong-server-key' // client: the server hung up on message 3 (not the key we dialled, or it refused us)
  | 'low-order-key' // a DH result of all zeros, or a small-order / invalid Ed25519 key
  | 'unauthorized' // server: authorize() said no (or threw)
  | 'timeout' // the whole handshake exceeded its wall-clock deadline
  | 'dropped-late' // client: the server hung up past the time it may wait for us (a busy host, most likely)
  | 'too-many-handshakes' // server: the half-open handshake limit is reached
  | 'flood' // the peer sent far more than a handshake before it was its turn
  | 'connection-lost'; // the transport closed or failed mid-handshake

/** Slow, cut, dropped late or turned away for load: what a busy host looks like, not a peer
 * that answered and said no. The dialler retries these on its fast schedule (dialer.ts classify)
 * and `lanchat doctor` calls them a handshake timeout (diagnosis.ts failureRecord). */
export function meansBusy(code: HandshakeErrorCode): boolean {
  return (
    code === 'timeout' ||
    code === 'dropped-late' ||
    code === 'connection-lost' ||
    code === 'too-many-handshakes'
  );
}

export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
  readonly code: HandshakeErrorCode;

  constructor(code: HandshakeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
