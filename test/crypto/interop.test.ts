// Interop with the reference implementation (secret-handshake + pull-box-stream) over real TCP on
// 127.0.0.1, in both directions, with data both ways and a clean goodbye.
import { once } from 'node:events';
import net from 'node:net';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { HandshakeLimiter } from '../../src/crypto/handshake-limiter.js';
import { DEFAULT_NETWORK_KEY, networkKeyFromPassphrase } from '../../src/crypto/network-key.js';
import { secureClient, secureServer } from '../../src/crypto/secure-handshake.js';
import type { SecureStream } from '../../src/crypto/secure-stream.js';
import { waitFor } from './duplex-pair.js';
import { ENGINES, onEngine } from './engines.js';
import { identityFromSeed, refKeys } from './keys.js';
import { pull, type RefStream, refBackend, refShs, toPull } from './reference.js';
import { codeOf, settle } from './settle.js';

const K = DEFAULT_NETWORK_KEY;
const alice = identityFromSeed(11);
const bob = identityFromSeed(12);
const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function listen(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer(onSocket);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

function dial(port: number): net.Socket {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  closers.push(() => socket.destroy());
  return socket;
}

/** Reference server: echoes every message back with a prefix; ends when the client ends. */
function referenceEchoServer(appKey: Uint8Array, onError: (err: Error) => void): Promise<number> {
  const createStream = refShs.createServer(refKeys(bob), (_key, cb) => cb(null, true), Buffer.from(appKey));
  return listen((socket) => {
    socket.on('error', () => {});
    const raw = toPull.duplex(socket);
    const handshake = createStream((err, secure) => {
      if (err) return onError(err);
      pull(
        secure,
        pullMap((b) => Buffer.concat([Buffer.from('echo:'), b])),
        secure,
      );
    });
    pull(raw, handshake, raw);
  });
}

function pullMap(fn: (b: Buffer) => Buffer) {
  return (read: (end: unknown, cb: (end: unknown, data?: Buffer) => void) => void) =>
    (end: unknown, cb: (end: unknown, data?: Buffer) => void) =>
      read(end, (e, data) => (e ? cb(e) : cb(null, fn(data!))));
}

function collect(s: SecureStream, chunks: Buffer[] = []): Promise<Buffer> {
  s.on('data', (c: Buffer) => chunks.push(c));
  return once(s, 'end').then(() => Buffer.concat(chunks));
}

describe.each(ENGINES)('interop with secret-handshake + pull-box-stream on %s', (engine) => {
  onEngine(engine);

  it('loads the reference (chloride backend present)', () => {
    expect(refBackend()).toBe('loaded');
  });

  it('our client ↔ reference server, data both ways, goodbye both ways', async () => {
    const errors: Error[] = [];
    const port = await referenceEchoServer(K, (e) => errors.push(e));
    const s = await secureClient(dial(port), {
      identity: alice,
      networkKey: K,
      serverPublicKey: bob.publicKey,
    });
    expect(Buffer.from(s.remotePublicKey)).toEqual(Buffer.from(bob.publicKey));
    const chunks: Buffer[] = [];
    const received = collect(s, chunks);
    const big = Buffer.from(nacl.randomBytes(10_000));
    s.write('hello');
    // Wait for the first echo so that 'hello' and the big write are boxed separately.
    await waitFor(() => Buffer.concat(chunks).length === 10);
    s.end(big);
    const echoed = await received;
    expect(echoed.toString('latin1')).toBe(
      // We box 10 000 bytes as 4096+4096+1808; the reference echoes each box as one message.
      ['hello', big.subarray(0, 4096), big.subarray(4096, 8192), big.subarray(8192)]
        .map((part) => `echo:${Buffer.from(part).toString('latin1')}`)
        .join(''),
    );
    expect(s.closeReason).toBe('goodbye');
    expect(errors).toEqual([]);
  });

  it('reference client ↔ our server, data both ways, goodbye both ways', async () => {
    const accepted: SecureStream[] = [];
    const port = await listen(async (socket) => {
      const s = await secureServer(socket, { identity: bob, networkKey: K, limiter: new HandshakeLimiter() });
      accepted.push(s);
      s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
      s.on('end', () => s.end());
    });
    const raw = toPull.duplex(dial(port));
    const result = new Promise<{ remote: Buffer; replies: Buffer[] }>((resolve, reject) => {
      const handshake = refShs.createClient(refKeys(alice), Buffer.from(K))(
        Buffer.from(bob.publicKey),
        (err, secure: RefStream) => {
          if (err) return reject(err);
          pull(
            secure.source,
            pull.collect((e, replies) => (e ? reject(e) : resolve({ remote: secure.remote, replies }))),
          );
          pull(pull.values([Buffer.from('one'), Buffer.from('two')]), secure.sink);
        },
      );
      pull(raw, handshake, raw);
    });
    const { remote, replies } = await result;
    expect(Buffer.from(remote)).toEqual(Buffer.from(bob.publicKey));
    expect(Buffer.concat(replies).toString()).toBe('echo:oneecho:two');
    expect(accepted).toHaveLength(1);
    expect(Buffer.from(accepted[0]!.remotePublicKey)).toEqual(Buffer.from(alice.publicKey));
    expect(accepted[0]!.closeReason).toBe('goodbye');
  });

  it('reference client with another network key: our server refuses without a byte', async () => {
    let written = -1;
    const outcome = new Promise<string>((resolve) => {
      void listen(async (socket) => {
        const result = await settle(
          secureServer(socket, { identity: bob, networkKey: K, limiter: new HandshakeLimiter() }),
        );
        written = socket.bytesWritten;
        resolve(codeOf(result));
      }).then((port) => {
        const raw = toPull.duplex(dial(port));
        const other = Buffer.from(networkKeyFromPassphrase('not our office'));
        pull(
          raw,
          refShs.createClient(refKeys(alice), other)(Buffer.from(bob.publicKey), () => {}),
          raw,
        );
      });
    });
    expect(await outcome).toBe('wrong-network');
    expect(written).toBe(0);
  });

  it('our client with another network key: the reference server hangs up', async () => {
    const errors: Error[] = [];
    const port = await referenceEchoServer(K, (e) => errors.push(e));
    const outcome = await settle(
      secureClient(dial(port), {
        identity: alice,
        networkKey: networkKeyFromPassphrase('not our office'),
        serverPublicKey: bob.publicKey,
      }),
    );
    expect(codeOf(outcome)).toBe('wrong-network');
  });
});
