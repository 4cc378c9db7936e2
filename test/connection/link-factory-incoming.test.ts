// The dialer asks the link factory whether a connection from a peer's host is being accepted
// (node.ts waits for it instead of dialling back): true from the accept until the handshake and
// hello settle, whatever way the host's address is written.
import { Duplex } from 'node:stream';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { hostKey, LinkFactory } from '../../src/connection/link-factory.js';
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
