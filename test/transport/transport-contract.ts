// The behaviour every Transport must have, run against TCP (loopback only) and the in-memory
// network. Core relies on exactly these properties, so an implementation that passes can be
// swapped in without core noticing.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Listener,
  type RemoteAddress,
  type Transport,
  TransportError,
  type TransportErrorCode,
} from '../../src/transport/transport.js';

export interface ContractHarness {
  /** A node's transport; the same name means the same host. */
  transport(name: string): Transport;
  /** Host to listen on ('127.0.0.1' or '::1' for TCP; undefined = the transport's own). */
  listenHost?: string;
}

/** Resolves when `stream` emits 'close'; rejects after `ms` so a hang fails instead of stalling. */
export function closed(stream: Duplex, ms = 5_000): Promise<void> {
  if (stream.destroyed && stream.closed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('stream did not close')), ms);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function collect(stream: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

export async function expectTransportError(
  promise: Promise<unknown>,
  code: TransportErrorCode,
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TransportError);
  expect((error as TransportError).code).toBe(code);
}

export function transportContract(name: string, makeHarness: () => ContractHarness): void {
  describe(`transport contract: ${name}`, () => {
    const cleanups: (() => unknown)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    const h = makeHarness();
    const listenOn = async (port = 0, strictPort = false): Promise<Listener> => {
      const options =
        h.listenHost === undefined ? { port, strictPort } : { port, strictPort, host: h.listenHost };
      const listener = await h.transport('server').listen(options);
      cleanups.push(() => listener.close());
      return listener;
    };
    const track = (stream: Duplex): Duplex => {
      stream.on('error', () => {}); // a reset peer may surface as ECONNRESET; the tests watch 'close'
      cleanups.push(() => stream.destroy());
      return stream;
    };
    const accepted = (listener: Listener): Promise<[Duplex, RemoteAddress]> =>
      new Promise((resolve) => listener.onConnection((stream, remote) => resolve([track(stream), remote])));
    const dial = async (listener: Listener, signal?: AbortSignal) => {
      const dialed = await h
        .transport('client')
        .dial(
          signal === undefined
            ? { address: listener.host, port: listener.port }
            : { address: listener.host, port: listener.port, signal },
        );
      track(dialed.stream);
      return dialed;
    };

    it('listens, dials and echoes, reporting both ends', async () => {
      const listener = await listenOn();
      expect(listener.port).toBeGreaterThan(0);
      const incoming = accepted(listener);
      const { stream, remote } = await dial(listener);
      expect(remote.port).toBe(listener.port);
      const [server, from] = await incoming;
      expect(from.address).not.toBe('');
      expect(from.port).toBeGreaterThan(0);
      server.pipe(server);
      stream.write('hello, 世界 🎉');
      const [echo] = (await once(stream, 'data')) as [Buffer];
      expect(echo.toString()).toBe('hello, 世界 🎉');
    });

    it('holds a connection that arrives before onConnection is set', async () => {
      const listener = await listenOn();
      const { stream } = await dial(listener);
      stream.write('early');
      await new Promise((resolve) => setTimeout(resolve, 20)); // let it arrive unhandled
      const [server] = await accepted(listener);
      const [chunk] = (await once(server, 'data')) as [Buffer];
      expect(chunk.toString()).toBe('early');
    });

    it('moves a large payload intact, with backpressure', async () => {
      const listener = await listenOn();
      const incoming = accepted(listener);
      const { stream } = await dial(listener);
      const [server] = await incoming;
      const received = collect(server);
      server.pause(); // the reader does not read until the writer has felt backpressure
      const sent = createHash('sha256');
      let bytes = 0;
      let sawBackpressure = false;
      const chunk = Buffer.alloc(64 * 1024);
      for (let i = 0; bytes < 4 * 1024 * 1024 || !sawBackpressure; i++) {
        chunk.fill(i % 251);
        sent.update(chunk);
        bytes += chunk.length;
        if (!stream.write(chunk)) {
          if (!sawBackpressure) {
            sawBackpressure = true;
            server.resume();
          }
          await once(stream, 'drain');
        }
        expect(bytes).toBeLessThan(256 * 1024 * 1024);
      }
      stream.end();
      const all = await received;
      expect(sawBackpressure).toBe(true);
      expect(all.length).toBe(bytes);
      expect(createHash('sha256').update(all).digest('hex')).toBe(sent.digest('hex'));
    });

    it('propagates end: the other side reads everything, ends, and both close', async () => {
      const listener = await listenOn();
      const incoming = accepted(listener);
      const { stream } = await dial(listener);
      const [server] = await incoming;
      const received = collect(server);
      stream.on('data', () => {});
      stream.end('last words');
      expect((await received).toString()).toBe('last words');
      await Promise.all([closed(server), closed(stream)]);
    });

    it('propagates destroy from the dialler: the listener side closes, no hang', async () => {
      const listener = await listenOn();
      const incoming = accepted(listener);
      const { stream } = await dial(listener);
      const [server] = await incoming;
      server.resume();
      stream.destroy();
      await closed(server);
    });

    it('propagates destroy from the listener side: the dialler closes, no hang', async () => {
      const listener = await listenOn();
      const incoming = accepted(listener);
      const { stream } = await dial(listener);
      const [server] = await incoming;
      stream.resume();
      server.destroy();
      await closed(stream);
    });

    it('refuses a dial to a port nobody listens on', async () => {
      const listener = await listenOn();
      const { host, port } = listener;
      await listener.close();
      await expectTransportError(h.transport('client').dial({ address: host, port }), 'refused');
    });

    it('stops accepting on close(), leaving open streams alone', async () => {
      const listener = await listenOn();
      const incoming = accepted(listener);
      const { stream } = await dial(listener);
      const [server] = await incoming;
      await listener.close();
      await listener.close(); // idempotent
      await expectTransportError(
        h.transport('client').dial({ address: listener.host, port: listener.port }),
        'refused',
      );
      server.pipe(server);
      stream.write('still here');
      const [echo] = (await once(stream, 'data')) as [Buffer];
      expect(echo.toString()).toBe('still here');
    });

    it('falls back to a free port when the requested one is taken, unless strictPort', async () => {
      const occupied = await listenOn();
      const fallback = await listenOn(occupied.port);
      expect(fallback.port).not.toBe(occupied.port);
      expect(fallback.port).toBeGreaterThan(0);
      const incoming = accepted(fallback);
      await dial(fallback);
      await incoming;
      await expectTransportError(listenOn(occupied.port, true), 'port-in-use');
    });

    it('rejects an aborted dial with aborted', async () => {
      const listener = await listenOn();
      await expectTransportError(dial(listener, AbortSignal.abort()), 'aborted');
    });

    it('rejects an invalid port with invalid-address', async () => {
      await expectTransportError(h.transport('server').listen({ port: 70_000 }), 'invalid-address');
      await expectTransportError(
        h.transport('client').dial({ address: '127.0.0.1', port: -1 }),
        'invalid-address',
      );
    });
  });
}
