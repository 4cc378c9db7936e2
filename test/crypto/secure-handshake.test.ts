// The driver over in-memory pairs: success and clean/unclean ends, and every rejection with the
// exact outcome on both sides, including how many bytes the server let out.
import { once } from 'node:events';
import { type AddressInfo, createServer, connect as netConnect, type Socket } from 'node:net';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { authMac } from '../../src/crypto/digests.js';
import { HandshakeLimiter } from '../../src/crypto/handshake-limiter.js';
import { DEFAULT_NETWORK_KEY, networkKeyFromPassphrase } from '../../src/crypto/network-key.js';
import { HANDSHAKE_TIMEOUT_MS, secureClient, secureServer } from '../../src/crypto/secure-handshake.js';
import type { SecureStream } from '../../src/crypto/secure-stream.js';
import { SecureStreamError } from '../../src/crypto/secure-stream-error.js';
import { duplexPair, type End, flipBitAt, type Tap, waitFor } from './duplex-pair.js';
import { ENGINES, onEngine } from './engines.js';
import { FakeTimers } from './fake-timers.js';
import { identityFromSeed } from './keys.js';
import { codeOf, type Outcome, settle } from './settle.js';

const K = DEFAULT_NETWORK_KEY;
const alice = identityFromSeed(1);
const bob = identityFromSeed(2);
const carol = identityFromSeed(3);

function connect(
  options: {
    clientKey?: Uint8Array;
    serverKey?: Uint8Array;
    expectedServer?: Uint8Array;
    authorize?: (key: Uint8Array) => boolean | Promise<boolean>;
    taps?: { clientToServer?: Tap; serverToClient?: Tap };
  } = {},
) {
  const { client, server } = duplexPair(options.taps);
  const limiter = new HandshakeLimiter();
  const serverSide = settle(
    secureServer(server, {
      identity: bob,
      networkKey: options.serverKey ?? K,
      limiter,
      ...(options.authorize ? { authorize: options.authorize } : {}),
    }),
  );
  const clientSide = settle(
    secureClient(client, {
      identity: alice,
      networkKey: options.clientKey ?? K,
      serverPublicKey: options.expectedServer ?? bob.publicKey,
    }),
  );
  return { client, server, clientSide, serverSide, limiter };
}

/** alice dials bob over `client`, her clock saying `elapsedMs` have passed after its first reading
 * (the start of the handshake): whatever ends it, it ends that late. */
function lateClient(client: End, elapsedMs: number): Promise<SecureStream> {
  let calls = 0;
  return secureClient(client, {
    identity: alice,
    networkKey: K,
    serverPublicKey: bob.publicKey,
    now: () => (calls++ === 0 ? 1_000 : 1_000 + elapsedMs),
  });
}

function stream(outcome: Outcome<SecureStream>): SecureStream {
  if (!outcome.ok) throw outcome.error;
  // Tests that cut connections assert on closeReason / once('error'); an unobserved 'error' on
  // the other end must not count as an uncaught exception.
  outcome.value.on('error', () => {});
  return outcome.value;
}

/** Reads until 'end' without for-await, which would destroy the stream (and so our half) at the
 * end of the loop. */
async function readAll(s: SecureStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(s, 'end');
  return Buffer.concat(chunks);
}

describe.each(ENGINES)('secure stream driver on %s', (engine) => {
  onEngine(engine);

  it('authenticates both sides and carries data both ways, ending on goodbye', async () => {
    const { clientSide, serverSide, limiter } = connect();
    const c = stream(await clientSide);
    const s = stream(await serverSide);
    expect(Buffer.from(c.remotePublicKey)).toEqual(Buffer.from(bob.publicKey));
    expect(Buffer.from(s.remotePublicKey)).toEqual(Buffer.from(alice.publicKey));
    expect(limiter.inProgress).toBe(0);
    const big = Buffer.from(nacl.randomBytes(20_000));
    const received = readAll(s);
    c.write('hello ');
    c.end(big);
    expect(await received).toEqual(Buffer.concat([Buffer.from('hello '), big]));
    expect(s.closeReason).toBe('goodbye');
    const back = readAll(c);
    s.end('bye');
    expect((await back).toString()).toBe('bye');
    expect(c.closeReason).toBe('goodbye');
  });

  it('reports a transport cut without goodbye as connection-lost, not as an end', async () => {
    const { client, clientSide, serverSide } = connect();
    stream(await clientSide);
    const s = stream(await serverSide);
    const error = once(s, 'error');
    let ended = false;
    s.on('end', () => {
      ended = true;
    });
    s.resume();
    client.destroy();
    const [err] = (await error) as [SecureStreamError];
    expect(err).toBeInstanceOf(SecureStreamError);
    expect(err.code).toBe('connection-lost');
    expect(s.closeReason).toBe('connection-lost');
    expect(ended).toBe(false);
  });

  it('destroys the stream with a typed error on garbage after the handshake', async () => {
    const { client, clientSide, serverSide } = connect();
    stream(await clientSide);
    const s = stream(await serverSide);
    const error = once(s, 'error');
    client.write(Buffer.alloc(100, 0xab));
    const [err] = (await error) as [SecureStreamError];
    expect(err.code).toBe('box-stream');
    expect((err.cause as { code: string }).code).toBe('bad-header');
    expect(s.closeReason).toBe('error');
  });

  it('wrong network key: the server hangs up having sent nothing', async () => {
    const { server, clientSide, serverSide } = connect({
      clientKey: networkKeyFromPassphrase('another office'),
    });
    expect(codeOf(await serverSide)).toBe('wrong-network');
    expect(codeOf(await clientSide)).toBe('wrong-network');
    expect(server.bytesSent).toBe(0);
  });

  it('wrong server key ("wrong number"): the server hangs up after message 2', async () => {
    const { server, clientSide, serverSide } = connect({ expectedServer: carol.publicKey });
    expect(codeOf(await serverSide)).toBe('bad-auth');
    expect(codeOf(await clientSide)).toBe('wrong-server-key');
    expect(server.bytesSent).toBe(64);
  });

  it('a hang-up after message 3 that came after the server could have given up on us for time is not a refusal', async () => {
    // The server refuses (authorize) as promptly as ever; our clock says HANDSHAKE_TIMEOUT_MS had
    // passed since we started: a busy server dropping us at its deadline looks the same.
    const { client, server } = duplexPair();
    const serverSide = settle(
      secureServer(server, {
        identity: bob,
        networkKey: K,
        limiter: new HandshakeLimiter(),
        authorize: () => false,
      }),
    );
    const clientSide = settle(lateClient(client, HANDSHAKE_TIMEOUT_MS));
    expect(codeOf(await serverSide)).toBe('unauthorized');
    const outcome = await clientSide;
    expect(codeOf(outcome)).toBe('dropped-late');
    expect(outcome.ok ? '' : outcome.error.message).toMatch(
      /authentication \(message 3\), 10 s or more after we connected/,
    );
  });

  it('a hang-up after message 1 that late is not another network', async () => {
    const { client, server } = duplexPair();
    void settle(
      secureServer(server, {
        identity: bob,
        networkKey: networkKeyFromPassphrase('x'),
        limiter: new HandshakeLimiter(),
      }),
    );
    const clientSide = settle(lateClient(client, HANDSHAKE_TIMEOUT_MS + 1));
    expect(codeOf(await clientSide)).toBe('dropped-late');
  });

  it('unauthorized client: refused after message 3, without message 4', async () => {
    const { server, clientSide, serverSide } = connect({ authorize: async () => false });
    expect(codeOf(await serverSide)).toBe('unauthorized');
    expect(codeOf(await clientSide)).toBe('wrong-server-key');
    expect(server.bytesSent).toBe(64);
  });

  describe('a bit flipped in', () => {
    const positions = (length: number) => [0, 31, 32, length - 1];
    for (const at of positions(64)) {
      it(`message 1 (byte ${at}): server silent, both say wrong-network`, async () => {
        const { server, clientSide, serverSide } = connect({
          taps: { clientToServer: flipBitAt(at, at % 8) },
        });
        expect(codeOf(await serverSide)).toBe('wrong-network');
        expect(codeOf(await clientSide)).toBe('wrong-network');
        expect(server.bytesSent).toBe(0);
      });
      it(`message 2 (byte ${at}): client rejects, server loses the connection`, async () => {
        const { clientSide, serverSide } = connect({ taps: { serverToClient: flipBitAt(at, 7) } });
        expect(codeOf(await clientSide)).toBe('wrong-network');
        expect(codeOf(await serverSide)).toBe('connection-lost');
      });
    }
    for (const at of positions(112)) {
      it(`message 3 (byte ${at}): server rejects before message 4`, async () => {
        const { server, clientSide, serverSide } = connect({
          taps: { clientToServer: flipBitAt(64 + at, 3) },
        });
        expect(codeOf(await serverSide)).toBe('bad-auth');
        expect(codeOf(await clientSide)).toBe('wrong-server-key');
        expect(server.bytesSent).toBe(64);
      });
    }
    for (const at of positions(80)) {
      it(`message 4 (byte ${at}): client rejects, the server's session dies unconfirmed`, async () => {
        const { clientSide, serverSide } = connect({ taps: { serverToClient: flipBitAt(64 + at, 5) } });
        expect(codeOf(await clientSide)).toBe('bad-accept');
        // The server cannot know message 4 was mangled; it learns when the client hangs up.
        const s = stream(await serverSide);
        s.on('error', () => {});
        s.resume();
        await waitFor(() => s.closeReason !== undefined);
        expect(s.closeReason).toBe('connection-lost');
      });
    }
  });

  it('a replayed message 1 (and 3) does not get a session from a fresh server', async () => {
    const recorded: Buffer[] = [];
    const record: Tap = (chunk) => {
      recorded.push(Buffer.from(chunk));
      return chunk;
    };
    const first = connect({ taps: { clientToServer: record } });
    stream(await first.clientSide);
    stream(await first.serverSide);
    const transcript = Buffer.concat(recorded);
    // The attacker replays message 1, reads message 2, replays message 3.
    const { client: attacker, server } = duplexPair();
    const serverSide = settle(
      secureServer(server, { identity: bob, networkKey: K, limiter: new HandshakeLimiter() }),
    );
    attacker.write(transcript.subarray(0, 64));
    await waitFor(() => server.bytesSent === 64);
    attacker.write(transcript.subarray(64, 176));
    expect(codeOf(await serverSide)).toBe('bad-auth');
    expect(server.bytesSent).toBe(64);
  });

  it('a low-order ephemeral key with a valid MAC: the server refuses before answering', async () => {
    const { client: attacker, server } = duplexPair();
    const serverSide = settle(
      secureServer(server, { identity: bob, networkKey: K, limiter: new HandshakeLimiter() }),
    );
    const lowOrder = new Uint8Array(32); // the identity point: scalarMult gives all zeros
    attacker.write(Buffer.concat([authMac(lowOrder, K), lowOrder]));
    expect(codeOf(await serverSide)).toBe('low-order-key');
    expect(server.bytesSent).toBe(0);
  });

  describe('deadline', () => {
    async function stalledServer(sent: number) {
      const timers = new FakeTimers();
      const { client: attacker, server } = duplexPair();
      const serverSide = settle(
        secureServer(server, { identity: bob, networkKey: K, limiter: new HandshakeLimiter(), timers }),
      );
      attacker.write(Buffer.alloc(sent));
      await waitFor(() => server.bytesReceived === sent);
      expect(timers.armed).toEqual([HANDSHAKE_TIMEOUT_MS]);
      timers.elapse();
      const outcome = await serverSide;
      expect(server.destroyed).toBe(true);
      return { outcome, server };
    }

    it('closes a silent client at the deadline', async () => {
      const { outcome, server } = await stalledServer(0);
      expect(codeOf(outcome)).toBe('timeout');
      expect(server.bytesSent).toBe(0);
    });

    it('closes a truncated message 1 at the deadline', async () => {
      const { outcome, server } = await stalledServer(40);
      expect(codeOf(outcome)).toBe('timeout');
      expect(outcome.ok ? '' : outcome.error.message).toMatch(/client hello \(message 1\)/);
      expect(server.bytesSent).toBe(0);
    });

    it('closes a client that stalls after message 1, whatever it drips', async () => {
      const timers = new FakeTimers();
      const { client, server } = duplexPair();
      const serverSide = settle(
        secureServer(server, { identity: bob, networkKey: K, limiter: new HandshakeLimiter(), timers }),
      );
      // A genuine message 1, then one byte of message 3 per tick: an idle timer would never fire.
      const { clientHello, createClient } = await import('../../src/crypto/shs-client.js');
      client.write(
        clientHello(createClient({ identity: alice, networkKey: K, serverPublicKey: bob.publicKey })),
      );
      await waitFor(() => server.bytesSent === 64);
      for (let i = 0; i < 20; i++) {
        client.write(Buffer.alloc(1));
        await new Promise((resolve) => setImmediate(resolve));
      }
      timers.elapse();
      const outcome = await serverSide;
      expect(codeOf(outcome)).toBe('timeout');
      expect(outcome.ok ? '' : outcome.error.message).toMatch(/message 3/);
    });

    it('cuts off a client that floods after message 1, without waiting for the deadline', async () => {
      const timers = new FakeTimers();
      const { client, server } = duplexPair();
      const serverSide = settle(
        secureServer(server, { identity: bob, networkKey: K, limiter: new HandshakeLimiter(), timers }),
      );
      const { clientHello, createClient } = await import('../../src/crypto/shs-client.js');
      client.on('error', () => {});
      client.resume();
      // A genuine message 1 and, in the same burst, far more than any handshake message. Before the
      // fix all of it was held (and more would have been, until the deadline).
      const hello = clientHello(
        createClient({ identity: alice, networkKey: K, serverPublicKey: bob.publicKey }),
      );
      client.write(Buffer.concat([hello, Buffer.alloc(256 * 1024)]));
      const outcome = await serverSide;
      expect(codeOf(outcome)).toBe('flood');
      expect(server.destroyed).toBe(true);
      expect(timers.armed).toEqual([]);
    });

    it('times out a client whose server never answers', async () => {
      const timers = new FakeTimers();
      const { client } = duplexPair();
      const clientSide = settle(
        secureClient(client, { identity: alice, networkKey: K, serverPublicKey: bob.publicKey, timers }),
      );
      await waitFor(() => client.bytesSent === 64);
      timers.elapse();
      expect(codeOf(await clientSide)).toBe('timeout');
      expect(client.destroyed).toBe(true);
    });

    it('is judged after reading what arrived while our own loop stood still past it, not before', async () => {
      // Real sockets and timers: after a stall, Node runs a due timer before it reads the
      // sockets. The client's message 3 reaches the server's kernel, then this process stands
      // still (a loaded host) past the server's deadline: the handshake must complete.
      const timeoutMs = 300;
      const listener = createServer();
      listener.listen(0, '127.0.0.1');
      await once(listener, 'listening');
      const accepted = once(listener, 'connection') as Promise<[Socket]>;
      const raw = netConnect((listener.address() as AddressInfo).port, '127.0.0.1');
      await once(raw, 'connect');
      const [socket] = await accepted;
      const serverSide = settle(
        secureServer(socket, { identity: bob, networkKey: K, limiter: new HandshakeLimiter(), timeoutMs }),
      );
      let writes = 0;
      const write = raw.write.bind(raw) as (chunk: Uint8Array) => boolean;
      raw.write = ((chunk: Uint8Array) => {
        const queued = write(chunk);
        // Message 3 went into the kernel (a socket write is tried at once): now stand still.
        if (++writes === 2) {
          const until = performance.now() + 2 * timeoutMs;
          while (performance.now() < until);
        }
        return queued;
      }) as typeof raw.write;
      const clientSide = settle(
        secureClient(raw, { identity: alice, networkKey: K, serverPublicKey: bob.publicKey }),
      );
      try {
        const [server, client] = await Promise.all([serverSide, clientSide]);
        expect(writes).toBeGreaterThanOrEqual(2);
        expect(server.ok ? 'ok' : server.error.message).toBe('ok');
        expect(client.ok ? 'ok' : client.error.message).toBe('ok');
        stream(server).destroy();
        stream(client).destroy();
      } finally {
        raw.destroy();
        socket.destroy();
        listener.close();
      }
    });

    it('disarms the deadline once the handshake is done', async () => {
      const timers = new FakeTimers();
      const { client, server } = duplexPair();
      const s = secureServer(server, {
        identity: bob,
        networkKey: K,
        limiter: new HandshakeLimiter(),
        timers,
      });
      const c = secureClient(client, {
        identity: alice,
        networkKey: K,
        serverPublicKey: bob.publicKey,
        timers,
      });
      await Promise.all([s, c]);
      expect(timers.armed).toEqual([]);
    });
  });

  it('queues handshakes beyond the limiter without a byte, serves them as slots free, refuses a full line', async () => {
    const limiterTimers = new FakeTimers();
    const limiter = new HandshakeLimiter({ maxPerAddress: 8, maxWaitingPerAddress: 2 }, limiterTimers);
    const timers = new FakeTimers();
    const pending = [];
    for (let i = 0; i < 8; i++) {
      const { server } = duplexPair();
      pending.push(
        settle(
          secureServer(server, { identity: bob, networkKey: K, limiter, timers, remoteAddress: '10.0.0.9' }),
        ),
      );
    }
    expect(limiter.inProgressFrom('10.0.0.9')).toBe(8);
    // The ninth waits for a slot (silent: not a byte), an honest client behind it completes later.
    const { client: waitingClient, server: ninth } = duplexPair();
    const queued = settle(
      secureServer(ninth, { identity: bob, networkKey: K, limiter, remoteAddress: '10.0.0.9' }),
    );
    const { server: tenth } = duplexPair();
    const queued2 = settle(
      secureServer(tenth, { identity: bob, networkKey: K, limiter, remoteAddress: '10.0.0.9' }),
    );
    expect(limiter.waiting).toBe(2);
    expect((ninth as End).bytesSent).toBe(0);
    // The line of that address is full: the next one is refused at once, without a byte.
    const { server: refusedEnd } = duplexPair();
    const refused = await settle(
      secureServer(refusedEnd, { identity: bob, networkKey: K, limiter, remoteAddress: '10.0.0.9' }),
    );
    expect(codeOf(refused)).toBe('too-many-handshakes');
    expect(refusedEnd.destroyed).toBe(true);
    expect((refusedEnd as End).bytesSent).toBe(0);
    // Another address is not held up by that line.
    const { client, server } = duplexPair();
    const other = settle(
      secureServer(server, { identity: bob, networkKey: K, limiter, remoteAddress: '10.0.0.10' }),
    );
    await settle(secureClient(client, { identity: alice, networkKey: K, serverPublicKey: bob.publicKey }));
    expect(codeOf(await other)).toBe('ok');
    expect(limiter.inProgress).toBe(8);
    timers.elapse(); // the eight stalled handshakes hit their deadline and free their slots
    expect((await Promise.all(pending)).map(codeOf)).toEqual(Array(8).fill('timeout'));
    // The waiting client got a slot and completes: queued, not dropped.
    const done = settle(
      secureClient(waitingClient, { identity: alice, networkKey: K, serverPublicKey: bob.publicKey }),
    );
    expect(codeOf(await queued)).toBe('ok');
    expect(codeOf(await done)).toBe('ok');
    tenth.destroy();
    expect(codeOf(await queued2)).not.toBe('ok');
    expect(limiter.inProgress).toBe(0);
    expect(limiter.waiting).toBe(0);
  });
});
