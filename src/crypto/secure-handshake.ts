// Moves SHS bytes over a Duplex: the pure steps (shs-client / shs-server) decide, this file only
// reads, writes, enforces the deadline and the half-open limit, and turns failures into
// HandshakeErrors. On any failure the raw stream is destroyed; a server that rejects message 1
// (or is over its limit) destroys it without having written a byte.
import type { Duplex } from 'node:stream';
import { HandshakeError } from './handshake-error.js';
import { defaultHandshakeLimiter, type HandshakeLimiter, SlotRefused } from './handshake-limiter.js';
import { HandshakeReader } from './handshake-reader.js';
import { SecureStream } from './secure-stream.js';
import {
  CLIENT_AUTH_BYTES,
  clientAuth,
  clientHello,
  clientVerifyServerAccept,
  clientVerifyServerHello,
  createClient,
  SERVER_ACCEPT_BYTES,
} from './shs-client.js';
import { HELLO_BYTES } from './shs-hello.js';
import type { Ed25519KeyPair } from './shs-keys.js';
import {
  createServer,
  serverAccept,
  serverHello,
  serverSessionKeys,
  serverVerifyClientAuth,
  serverVerifyClientHello,
} from './shs-server.js';
import type { SessionKeys } from './shs-session.js';

/** A whole handshake must finish within this wall-clock time: an idle timer alone would let a
 * peer that drips one byte at a time hold a slot forever. 10 s, not less: on a loaded floor an
 * honest peer's answer can take seconds, and a handshake that times out is all wasted work. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Injectable timers so tests can drive the deadline with a fake clock. */
export interface HandshakeTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: HandshakeTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface CommonOptions {
  readonly identity: Ed25519KeyPair;
  readonly networkKey: Uint8Array;
  readonly timeoutMs?: number;
  readonly timers?: HandshakeTimers;
}

export interface SecureClientOptions extends CommonOptions {
  readonly serverPublicKey: Uint8Array;
  /** Milliseconds on a monotonic clock (default performance.now): tells a hang-up the server's own
   * deadline may explain from a refusal (see hungUp). */
  readonly now?: () => number;
  /** When the dial began, before the TCP connect, on the `now` clock (default: when this is
   * called). The server's deadline starts after its accept, so only time since the dial began
   * bounds it: a client whose loop stood still noticed its connection seconds late, and counting
   * from then, a busy server's timeout read as a prompt refusal (0 or 1 a run of 100 at once on
   * 2 cores, each matched by a server's "no complete handshake" in the same run). */
  readonly startedAt?: number;
}

export interface SecureServerOptions extends CommonOptions {
  /** Decides, once the client has proved its key, whether to talk to it. Default: everybody. */
  readonly authorize?: (remotePublicKey: Uint8Array) => boolean | Promise<boolean>;
  /** Shared by all incoming connections of a node; default: one process-wide limiter. */
  readonly limiter?: HandshakeLimiter;
  /** Key for the per-address limit; default: `raw.remoteAddress` when the Duplex has one. */
  readonly remoteAddress?: string;
}

/** Dials: proves we know the network key and `serverPublicKey`, and that we hold our identity. */
export function secureClient(raw: Duplex, options: SecureClientOptions): Promise<SecureStream> {
  const now = options.now ?? (() => performance.now());
  const startedAt = options.startedAt ?? now();
  const late = () => now() - startedAt >= HANDSHAKE_TIMEOUT_MS;
  return withDeadline(raw, options, 'client', async (reader, step) => {
    const start = createClient(options);
    step('waiting for the server hello (message 2)');
    raw.write(clientHello(start));
    const message2 = await reader.read(HELLO_BYTES).catch((error: unknown) => {
      throw hungUp(
        error,
        'wrong-network',
        'handshake: the server hung up on our hello (message 1)',
        'it uses another network key (--network), is busy, or is not lanchat',
        late(),
      );
    });
    const authenticating = clientVerifyServerHello(start, message2);
    step('waiting for the server accept (message 4)');
    raw.write(clientAuth(authenticating));
    const message4 = await reader.read(SERVER_ACCEPT_BYTES).catch((error: unknown) => {
      throw hungUp(
        error,
        'wrong-server-key',
        'handshake: the server hung up on our authentication (message 3)',
        'its key is not the one we dialled, or it refused us',
        late(),
      );
    });
    return clientVerifyServerAccept(authenticating, message4).session;
  });
}

/** Answers: stays silent unless message 1 carries our network key, then authenticates the client. */
export async function secureServer(raw: Duplex, options: SecureServerOptions): Promise<SecureStream> {
  const limiter = options.limiter ?? defaultHandshakeLimiter;
  const address = options.remoteAddress ?? (raw as { remoteAddress?: string }).remoteAddress ?? 'unknown';
  // Beyond the caps the connection waits its turn (handshake-limiter.ts): the deadline below
  // starts when it gets a slot, so an honest client that queued behind a busy floor is not cut
  // off for time it spent waiting. Its socket closing meanwhile takes it out of the line.
  const { slot, cancel } = limiter.acquire(address);
  const onGone = () => cancel();
  raw.once('close', onGone);
  raw.once('end', onGone);
  raw.once('error', onGone);
  let release: () => void;
  try {
    release = await slot;
  } catch (error) {
    raw.on('error', () => {});
    raw.destroy();
    const reason = error instanceof SlotRefused ? error.reason : 'full';
    throw new HandshakeError(
      'too-many-handshakes',
      reason === 'cancelled'
        ? `handshake: ${address} closed the connection while it waited for a handshake slot`
        : `handshake: refused ${address}: too many handshakes in progress (from it or in total)${reason === 'waited-too-long' ? ', and it waited too long for a slot' : ''}`,
    );
  } finally {
    raw.off('close', onGone);
    raw.off('end', onGone);
    raw.off('error', onGone);
  }
  try {
    return await withDeadline(raw, options, 'server', async (reader, step) => {
      const start = createServer(options);
      step('waiting for the client hello (message 1)');
      const message1 = await reader.read(HELLO_BYTES);
      const awaitingAuth = serverVerifyClientHello(start, message1);
      step('waiting for the client authentication (message 3)');
      raw.write(serverHello(awaitingAuth));
      const message3 = await reader.read(CLIENT_AUTH_BYTES);
      const authenticated = serverVerifyClientAuth(awaitingAuth, message3);
      step('deciding whether to accept the client');
      const allowed = await Promise.resolve(options.authorize?.(authenticated.remotePublicKey) ?? true).catch(
        (error: unknown) => {
          throw new HandshakeError(
            'unauthorized',
            'handshake: authorize() failed, so the client is refused',
            {
              cause: error,
            },
          );
        },
      );
      if (!allowed)
        throw new HandshakeError('unauthorized', 'handshake: the client is authenticated but not authorized');
      reader.throwIfFailed(); // the deadline may have passed while authorize() ran
      raw.write(serverAccept(authenticated));
      return serverSessionKeys(authenticated);
    });
  } finally {
    release();
  }
}

type Body = (reader: HandshakeReader, step: (description: string) => void) => Promise<SessionKeys>;

async function withDeadline(
  raw: Duplex,
  options: CommonOptions,
  side: 'client' | 'server',
  body: Body,
): Promise<SecureStream> {
  const timers = options.timers ?? realTimers;
  const timeoutMs = options.timeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  const reader = new HandshakeReader(raw);
  let phase = 'starting';
  let timer: unknown;
  let settled = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = timers.setTimeout(() => {
      // Judged after the next poll phase, not now: when our own event loop stood still past the
      // deadline (a loaded host), Node runs the due timer before it reads the sockets, and the
      // peer's answer may be waiting there unread. At 9:00 on a floor of 100 on 2 cores, loops
      // stood still for up to 15 s, longer than the server's 10 s.
      setImmediate(() => {
        if (settled) return;
        const error = new HandshakeError(
          'timeout',
          `handshake (${side}): no complete handshake within ${timeoutMs} ms, ${phase}: the peer stalled or is too slow`,
        );
        reader.fail(error);
        reject(error);
      });
    }, timeoutMs);
  });
  try {
    const session = await Promise.race([body(reader, (description) => (phase = description)), deadline]);
    settled = true;
    return new SecureStream(raw, session, reader.detach());
  } catch (error) {
    settled = true;
    reader.detach();
    // A write still in flight may fail after we stop listening; it must not become an
    // unhandled 'error' that takes the process down.
    raw.on('error', () => {});
    raw.destroy();
    if (error instanceof HandshakeError) throw error;
    throw error instanceof RangeError
      ? error
      : new HandshakeError('connection-lost', `handshake (${side}): unexpected failure ${phase}`, {
          cause: error,
        });
  } finally {
    timers.clearTimeout(timer);
  }
}

/**
 * Only a plain hang-up means "rejected"; a deadline or another failure keeps its own code. And
 * only a prompt one (`late` false): a server drops a handshake it has waited HANDSHAKE_TIMEOUT_MS
 * for, counted from its accept, which came after our connect; a hang-up later than that after we
 * started may be a busy host giving up on us (our own answer was late: our loop stood still):
 * 'dropped-late'. At 100 nodes started at once on 2 cores, 74–119 such hang-ups a run; they were
 * reported as "not the key we dialled, or it refused us", `lanchat doctor` said "refused", and the
 * dialler retried them on its slow schedule, as for a refusal (now: like any busy peer).
 */
function hungUp(
  error: unknown,
  code: 'wrong-network' | 'wrong-server-key',
  what: string,
  why: string,
  late: boolean,
): unknown {
  if (!(error instanceof HandshakeError) || error.code !== 'connection-lost') return error;
  if (late) {
    return new HandshakeError(
      'dropped-late',
      `${what}, ${HANDSHAKE_TIMEOUT_MS / 1000} s or more after we connected: it may have given up on us for time (a busy host)`,
      { cause: error },
    );
  }
  return new HandshakeError(code, `${what}: ${why}`, { cause: error });
}
