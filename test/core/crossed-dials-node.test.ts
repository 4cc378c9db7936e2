// Two nodes that dial each other at once end with one link, and the node whose dial is kept
// (the smaller id) spends no handshake on the other's connection: it holds it until its own dial
// settles, then drops it unread (crossed-dials.ts). Neither side reports a failure.
import type { Duplex } from 'node:stream';
import nacl from 'tweetnacl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ed25519KeyPair } from '../../src/crypto/shs-keys.js';
import { idOf } from '../../src/identity/ids.js';
import type { Transport } from '../../src/transport/transport.js';
import { eventsOf, NodeFixture, onlineIds, type TestNode, waitFor } from './node-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

interface Accepted {
  from: string;
  stream: Duplex;
  written: number;
}

/** Our dials wait `delayMs` before they connect (and fail if `fail` says so); every accepted
 * connection is logged with the bytes we wrote on it. */
function slowDialsWatchedAccepts(
  delayMs: number,
  accepted: Accepted[],
  fail: () => boolean = () => false,
): (base: Transport) => Transport {
  return (base) => ({
    dial: async (o) => {
      await new Promise((r) => setTimeout(r, delayMs));
      if (fail()) throw new Error('ECONNREFUSED (test)');
      return base.dial(o);
    },
    listen: async (o) => {
      const listener = await base.listen(o);
      return {
        get port() {
          return listener.port;
        },
        get host() {
          return listener.host;
        },
        close: () => listener.close(),
        onConnection: (handler) =>
          listener.onConnection((stream, remote) => {
            const entry: Accepted = { from: remote.address, stream, written: 0 };
            const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
            stream.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
              entry.written += chunk.length;
              return write(chunk, ...rest);
            }) as typeof stream.write;
            accepted.push(entry);
            handler(stream, remote);
          }),
      };
    },
  });
}

/** Two identities, the first with the smaller id. */
function orderedPair(): [Ed25519KeyPair, Ed25519KeyPair] {
  const a = nacl.sign.keyPair();
  const b = nacl.sign.keyPair();
  return idOf(a.publicKey) < idOf(b.publicKey) ? [a, b] : [b, a];
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function warnings(t: TestNode): string[] {
  return [...eventsOf(t, 'warning'), ...eventsOf(t, 'error')].map((e) => `${e.code}: ${e.message}`);
}

describe('node: two dials that cross', () => {
  it('the smaller id holds the larger id’s connection and drops it unread once its own link is up', async () => {
    const [small, large] = orderedPair();
    const acceptedBySmall: Accepted[] = [];
    // Its dial is slow, so the other's connection arrives while it is in flight (both are
    // newcomers: each dials the other the moment it hears of it).
    const a = await fx.start('alice', {
      identity: small,
      transport: slowDialsWatchedAccepts(300, acceptedBySmall),
    });
    const b = await fx.start('bob', { identity: large });
    await waitFor(
      'linked',
      () => onlineIds(a).includes(b.node.id) && onlineIds(b).includes(a.node.id),
      10_000,
    );
    await settle(1_500); // long enough for a second link, a replacement or a warning to show
    const fromBob = acceptedBySmall.filter((c) => c.from === b.host);
    expect(fromBob).toHaveLength(1); // bob did dial: the two crossed
    expect(fromBob[0]!.written).toBe(0); // not one handshake byte spent on it
    expect(fromBob[0]!.stream.destroyed).toBe(true);
    expect(onlineIds(a)).toEqual([b.node.id]);
    expect(onlineIds(b)).toEqual([a.node.id]);
    expect(warnings(a)).toEqual([]);
    expect(warnings(b)).toEqual([]);
    expect(eventsOf(a, 'peer_offline')).toEqual([]);
    expect(eventsOf(b, 'peer_offline')).toEqual([]);
  });

  it('if its own dial fails, the held connection goes ahead and becomes the link', async () => {
    const [small, large] = orderedPair();
    const acceptedBySmall: Accepted[] = [];
    let failFirst = true;
    const a = await fx.start('alice', {
      identity: small,
      transport: slowDialsWatchedAccepts(300, acceptedBySmall, () => {
        const fail = failFirst;
        failFirst = false;
        return fail;
      }),
    });
    const b = await fx.start('bob', { identity: large });
    await waitFor(
      'linked',
      () => onlineIds(a).includes(b.node.id) && onlineIds(b).includes(a.node.id),
      10_000,
    );
    const fromBob = acceptedBySmall.filter((c) => c.from === b.host);
    expect(fromBob).toHaveLength(1);
    expect(fromBob[0]!.written).toBeGreaterThan(0); // its handshake ran
    expect(fromBob[0]!.stream.destroyed).toBe(false); // and it is the link
    expect(warnings(b)).toEqual([]);
  });
});
