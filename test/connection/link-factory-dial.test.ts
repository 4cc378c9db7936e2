// A hang-up after our authentication (message 3) is read against the time since the dial began,
// not since our loop noticed the connection: under load a dialler notices its connection seconds
// late, and a busy server's timeout then read as a prompt refusal ("not the key we dialled").
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LinkFactory } from '../../src/connection/link-factory.js';
import { systemClock } from '../../src/core/clock.js';
import { HandshakeError } from '../../src/crypto/handshake-error.js';
import { HandshakeLimiter } from '../../src/crypto/handshake-limiter.js';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import { HANDSHAKE_TIMEOUT_MS } from '../../src/crypto/secure-handshake.js';
import type { Transport } from '../../src/transport/transport.js';
import { duplexPair } from '../crypto/duplex-pair.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Alice dials bob, who refuses her promptly after message 3; `connectTakesMs` is how long the
 * dial's connect took on the monotonic clock (our loop noticing it late looks the same). */
async function refusedDial(connectTakesMs: number): Promise<unknown> {
  const bob = nacl.sign.keyPair();
  const { client, server } = duplexPair();
  const real = performance.now.bind(performance);
  let offset = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => real() + offset);
  const bobSide = new LinkFactory({
    identity: bob,
    networkKey: DEFAULT_NETWORK_KEY,
    transport: {} as Transport,
    limiter: new HandshakeLimiter(),
    clock: systemClock,
    hello: () => {
      throw new Error('never: bob refuses alice');
    },
    authorize: () => false,
  });
  const transport = {
    dial: async () => {
      offset += connectTakesMs;
      void bobSide.accept(server, { address: '10.0.0.1', port: 40_000 }).catch(() => {});
      return { stream: client, remote: { address: '10.0.0.2', port: 7475 } };
    },
  } as unknown as Transport;
  const alice = new LinkFactory({
    identity: nacl.sign.keyPair(),
    networkKey: DEFAULT_NETWORK_KEY,
    transport,
    limiter: new HandshakeLimiter(),
    clock: systemClock,
    hello: () => {
      throw new Error('never: the handshake fails');
    },
    authorize: () => true,
  });
  return alice.dial('10.0.0.2', 7475, bob.publicKey).then(
    () => undefined,
    (error: { cause?: unknown }) => error.cause,
  );
}

describe('LinkFactory.dial: a hang-up on message 3', () => {
  it('is a refusal when it came promptly after the dial began', async () => {
    const cause = await refusedDial(0);
    expect(cause).toBeInstanceOf(HandshakeError);
    expect((cause as HandshakeError).code).toBe('wrong-server-key');
  });

  it('is a busy server giving up on us when the dial began a handshake deadline ago', async () => {
    const cause = await refusedDial(HANDSHAKE_TIMEOUT_MS);
    expect(cause).toBeInstanceOf(HandshakeError);
    expect((cause as HandshakeError).code).toBe('dropped-late');
  });
});
