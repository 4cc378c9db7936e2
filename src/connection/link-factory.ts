// Turns raw transport streams into PeerLinks: dial + client handshake, or accept + server
// handshake, then the hello exchange. Everything before a link is returned is bounded in time.
import type { Duplex } from 'node:stream';
import { BoundedCache } from '../crypto/bounded-cache.js';
import type { HandshakeLimiter } from '../crypto/handshake-limiter.js';
import { HANDSHAKE_TIMEOUT_MS, secureClient, secureServer } from '../crypto/secure-handshake.js';
import type { Ed25519KeyPair } from '../crypto/shs-keys.js';
import { hostAddress } from '../protocol/address-policy.js';
import type { Hello } from '../protocol/messages.js';
import type { RemoteAddress, Transport } from '../transport/transport.js';
import { HalfOpenCaps } from './half-open-caps.js';
import {
  HELLO_TIMEOUT_MS,
  type HeartbeatTiming,
  type LinkClock,
  PeerLink,
  type SendLimits,
} from './peer-link.js';
import type { RateLimit } from './token-bucket.js';

export interface LinkFactoryOptions {
  identity: Ed25519KeyPair;
  networkKey: Uint8Array;
  transport: Transport;
  limiter: HandshakeLimiter;
  clock: LinkClock;
  heartbeat?: HeartbeatTiming;
  /** Our hello, asked for at the moment each link opens (nick and rooms change over time). */
  hello: () => Hello;
  /** Server side: decides whether a proven key may talk to us (blocked, ourselves). */
  authorize: (remotePublicKey: Uint8Array) => boolean;
  dialTimeoutMs?: number;
  /** How long our side of a dialled handshake waits for the server (see CLIENT_HANDSHAKE_TIMEOUT_MS). */
  clientHandshakeTimeoutMs?: number;
  /** Wall-clock time from accepting a connection to its complete hello (ACCEPT_TO_HELLO_MS). */
  acceptToHelloMs?: number;
  /** Caps on each link's send queue (DEFAULT_SEND_LIMITS). */
  sendLimits?: SendLimits;
  /** Caps on accepted connections still without a hello (default: MAX_HALF_OPEN_*). */
  halfOpen?: HalfOpenCaps;
  /** Messages per second a peer may send us (DEFAULT_INBOUND_RATE); null: unlimited. */
  inboundRate?: RateLimit | null;
  /** A link's peer sent faster than `inboundRate`: we stopped reading it for a moment. */
  rateLimited?: (link: PeerLink) => void;
}

export class LinkError extends Error {
  readonly code: 'dial-failed' | 'handshake-failed' | 'no-hello' | 'over-capacity';
  /** The remote address, for 'over-capacity' (warnings about it are grouped per address). */
  readonly address: string | undefined;
  constructor(code: LinkError['code'], message: string, options?: { cause?: unknown; address?: string }) {
    super(message, options);
    this.name = 'LinkError';
    this.code = code;
    this.address = options?.address;
  }
}

const DEFAULT_DIAL_TIMEOUT_MS = 3_000;
/** The dialling side waits longer than the server's own deadline (HANDSHAKE_TIMEOUT_MS, which
 * starts only when the server takes the connection up): a server that is merely busy (a floor
 * starting at once on shared CPUs) answers late but answers, and a client that gives up first
 * throws away the work both sides did and adds a retry to the load. With 15 s, a floor of 100
 * started at once on 2 cores lost ≈ 250 handshakes a run waiting for the server's first answer,
 * whose process was that far behind. A server that stalls on purpose holds one of our few dial
 * slots (dial-queue.ts, one per address), no more. */
export const CLIENT_HANDSHAKE_TIMEOUT_MS = 30_000;

/** An accepted connection must have completed the handshake and sent its hello this long after the
 * accept, on the wall clock (like OpenSSH's LoginGraceTime): the handshake's own deadline plus the
 * usual time for the hello. Nothing the peer sends extends it, so a slowloris holds a socket for
 * at most this long. */
export const ACCEPT_TO_HELLO_MS = HANDSHAKE_TIMEOUT_MS + HELLO_TIMEOUT_MS;

export class LinkFactory {
  /** Accepted connections between accept and hello, by host (hostKey): capped, and asked about by
   * the dialer (incomingFrom). */
  private readonly halfOpen: HalfOpenCaps;
  constructor(private readonly options: LinkFactoryOptions) {
    this.halfOpen = options.halfOpen ?? new HalfOpenCaps();
  }

  /** A connection from this host is being accepted (handshake or hello under way): the dialer
   * waits for it instead of dialling the same peer back (node.ts). */
  incomingFrom(address: string): boolean {
    return this.halfOpen.from(hostKey(address)) > 0;
  }

  /** Dials `address`, proves the peer holds `publicKey`, exchanges hellos. `hello` replaces our
   * usual one (a data link names its transfer in it). */
  async dial(address: string, port: number, publicKey: Uint8Array, hello?: Hello): Promise<PeerLink> {
    const o = this.options;
    const dialStartedAt = performance.now(); // secureClient's clock: see its startedAt
    let dialed: { stream: Duplex; remote: RemoteAddress };
    try {
      dialed = await o.transport.dial({
        address,
        port,
        timeoutMs: o.dialTimeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS,
      });
    } catch (cause) {
      throw new LinkError('dial-failed', `could not connect to ${address} port ${port}: ${message(cause)}`, {
        cause,
      });
    }
    dialed.stream.on('error', () => {}); // errors surface through the handshake and the link
    let session: Awaited<ReturnType<typeof secureClient>>;
    try {
      session = await secureClient(dialed.stream, {
        identity: o.identity,
        networkKey: o.networkKey,
        serverPublicKey: publicKey,
        timeoutMs: o.clientHandshakeTimeoutMs ?? CLIENT_HANDSHAKE_TIMEOUT_MS,
        startedAt: dialStartedAt,
      });
    } catch (cause) {
      dialed.stream.destroy();
      throw new LinkError('handshake-failed', message(cause), { cause });
    }
    return this.open(session, true, dialed.remote.address, hello);
  }

  /** Runs the server side of the handshake on an accepted stream. */
  async accept(stream: Duplex, remote: RemoteAddress): Promise<PeerLink> {
    const o = this.options;
    const graceMs = o.acceptToHelloMs ?? ACCEPT_TO_HELLO_MS;
    const helloDeadline = o.clock.now() + graceMs;
    stream.on('error', () => {});
    const slot = this.halfOpen.acquire(hostKey(remote.address));
    if ('refused' in slot) {
      stream.destroy();
      throw new LinkError(
        'over-capacity',
        slot.refused === 'address-full'
          ? `refused a connection from ${remote.address}: it already has ${slot.limit} connections that have not said hello`
          : `refused a connection from ${remote.address}: ${slot.limit} connections are waiting for their hello`,
        { address: remote.address },
      );
    }
    let session: Awaited<ReturnType<typeof secureServer>>;
    try {
      session = await secureServer(stream, {
        identity: o.identity,
        networkKey: o.networkKey,
        limiter: o.limiter,
        remoteAddress: remote.address,
        authorize: o.authorize,
        timeoutMs: Math.min(HANDSHAKE_TIMEOUT_MS, graceMs),
      });
    } catch (cause) {
      slot.release();
      stream.destroy();
      throw new LinkError('handshake-failed', `from ${remote.address}: ${message(cause)}`, { cause });
    }
    const link = this.open(session, false, remote.address, undefined, helloDeadline);
    link.then(slot.release, slot.release);
    return link;
  }

  private open(
    session: Awaited<ReturnType<typeof secureClient>>,
    initiator: boolean,
    remoteAddress: string,
    ownHello?: Hello,
    helloDeadline?: number,
  ): Promise<PeerLink> {
    const o = this.options;
    session.on('error', () => {});
    const link = new PeerLink(session, {
      initiator,
      remoteAddress,
      clock: o.clock,
      ...(o.heartbeat ? { heartbeat: o.heartbeat } : {}),
      ...(helloDeadline !== undefined ? { helloDeadline } : {}),
      ...(o.sendLimits ? { sendLimits: o.sendLimits } : {}),
      ...(o.inboundRate !== undefined ? { inboundRate: o.inboundRate } : {}),
      onRateLimited: () => o.rateLimited?.(link),
    });
    const hello = ownHello ?? o.hello();
    link.sentHello = hello;
    link.send(hello);
    return new Promise((resolve, reject) => {
      const onHello = () => {
        link.off('close', onClose);
        resolve(link);
      };
      const onClose = (reason: string, error: Error | undefined) => {
        link.off('hello', onHello);
        reject(
          new LinkError(
            'no-hello',
            `the peer closed before its hello (${reason}${error ? `: ${error.message}` : ''})`,
          ),
        );
      };
      link.once('hello', onHello);
      // PeerLink closes itself when no hello arrives by its deadline, so this settles.
      link.once('close', onClose);
    });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** hostKey's answers, by address string. The node asks it of every known peer's addresses on
 * each dial attempt while an accept is in progress (node.ts incomingFrom): on a floor of 100
 * starting at once, ≈ 200 address parses per attempt. Bounded: addresses come from the network. */
const hostKeys = new BoundedCache<string, string>(4096);

/** One key per host: without the IPv6 scope (written as a name or an index) and with an
 * IPv4-mapped address unwrapped, so that an accepted socket's address and an mDNS hint compare. */
export function hostKey(address: string): string {
  const kept = hostKeys.get(address);
  if (kept !== undefined) return kept;
  const host = hostAddress(address) ?? address;
  const scope = host.indexOf('%');
  const key = scope < 0 ? host : host.slice(0, scope);
  hostKeys.set(address, key);
  return key;
}
