// The dialer asks the link factory whether a connection from a peer's host is being accepted
// (node.ts waits for it instead of dialling back): true from the accept until the handshake and
// hello settle, whatever way the host's address is written.
import { Duplex } from 'node:stream';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  hostKey,
  LinkError,
  LinkFactory,
  type LinkFactoryOptions,
} from '../../src/connection/link-factory.js';
import { systemClock } from '../../src/core/clock.js';
import { HandshakeLimiter } from '../../src/crypto/handshake-limiter.js';
import { DEFAULT_NETWORK_KEY } from '../../src/crypto/network-key.js';
import type { Transport } from '../../src/transport/transport.js';

/** A connection that says nothing until it is destroyed. */
function silentStream(): Duplex {
  return new Duplex({
    read() {},
    write(_chunk, _enc, done) {
      done();
    },
  });
}

function factoryWith(crossing?: LinkFactoryOptions['crossing']): LinkFactory {
  return new LinkFactory({
    identity: nacl.sign.keyPair(),
    networkKey: DEFAULT_NETWORK_KEY,
    transport: {} as Transport, // accept() never dials
    limiter: new HandshakeLimiter(),
    clock: systemClock,
    hello: () => {
      throw new Error('no hello: the handshake never completes here');
    },
    authorize: () => true,
    ...(crossing ? { crossing } : {}),
  });
}

/** A connection that records what the server read and wrote. */
function watchedStream(): { stream: Duplex; reads: () => number; written: () => number } {
  let reads = 0;
  let written = 0;
  const stream = new Duplex({
    read() {
      reads++;
    },
    write(chunk: Buffer, _enc, done) {
      written += chunk.length;
      done();
    },
  });
  return { stream, reads: () => reads, written: () => written };
}

describe('LinkFactory: a connection that crosses our own dial (core/crossed-dials.ts)', () => {
  it('is held unread, its slot counted, and dropped without a byte when told to', async () => {
    let release!: (goAhead: boolean) => void;
    const asked: string[] = [];
    const factory = factoryWith((address) => {
      asked.push(address);
      return new Promise((r) => {
        release = r;
      });
    });
    const c = watchedStream();
    const accepting = factory.accept(c.stream, { address: '10.0.0.5', port: 40_000 });
    await new Promise((r) => setImmediate(r));
    expect(asked).toEqual(['10.0.0.5']);
    expect(factory.incomingFrom('10.0.0.5')).toBe(true); // held: still a connection being accepted
    expect(c.reads()).toBe(0);
    release(false);
    const error = await accepting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LinkError);
    expect((error as LinkError).code).toBe('crossed');
    expect(c.stream.destroyed).toBe(true);
    expect(c.written()).toBe(0);
    expect(c.reads()).toBe(0);
    expect(factory.incomingFrom('10.0.0.5')).toBe(false);
  });

  it('goes ahead with the handshake when told to', async () => {
    let release!: (goAhead: boolean) => void;
    const factory = factoryWith(
      () =>
        new Promise((r) => {
          release = r;
        }),
    );
    const c = watchedStream();
    const accepting = factory.accept(c.stream, { address: '10.0.0.5', port: 40_000 });
    await new Promise((r) => setImmediate(r));
    release(true);
    c.stream.push(Buffer.alloc(64, 1)); // not a client hello
    const error = await accepting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as LinkError).code).toBe('handshake-failed'); // the handshake ran and refused it
    expect(c.reads()).toBeGreaterThan(0);
  });

  it('control: with no dial of ours to cross, the handshake starts at once', async () => {
    const factory = factoryWith(() => undefined);
    const c = watchedStream();
    const accepting = factory.accept(c.stream, { address: '10.0.0.5', port: 40_000 });
    c.stream.push(Buffer.alloc(64, 1));
    const error = await accepting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as LinkError).code).toBe('handshake-failed');
  });
});

describe('LinkFactory.incomingFrom', () => {
  it('is true while a connection from that host is being accepted, and false once it failed', async () => {
    const factory = new LinkFactory({
      identity: nacl.sign.keyPair(),
      networkKey: DEFAULT_NETWORK_KEY,
      transport: {} as Transport, // accept() never dials
      limiter: new HandshakeLimiter(),
      clock: systemClock,
      hello: () => {
        throw new Error('no hello: the handshake never completes here');
      },
      authorize: () => true,
    });
    const stream = silentStream();
    const accepting = factory.accept(stream, { address: '::ffff:10.0.0.5', port: 40_000 });
    expect(factory.incomingFrom('10.0.0.5')).toBe(true);
    expect(factory.incomingFrom('::ffff:10.0.0.5')).toBe(true);
    expect(factory.incomingFrom('10.0.0.6')).toBe(false);
    stream.destroy();
    await expect(accepting).rejects.toThrow();
    expect(factory.incomingFrom('10.0.0.5')).toBe(false);
  });

  it('one key per host: scope and IPv4-mapped spellings compare equal, other text stays itself', () => {
    expect(hostKey('::ffff:10.0.0.5')).toBe(hostKey('10.0.0.5'));
    expect(hostKey('fe80::1%eth0')).toBe(hostKey('fe80::1%2'));
    expect(hostKey('fe80::1%eth0')).toBe('fe80::1');
    expect(hostKey('FE80:0::1')).toBe('fe80::1');
    expect(hostKey('memory-host-3')).toBe('memory-host-3');
  });
});
