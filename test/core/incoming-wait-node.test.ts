// The node's half of "a dial waits while a connection from the peer's host is being accepted"
// (dialer.ts, link-factory.ts): which peer an accept in progress is taken to come from. Only a host
// that no other known peer shares says who is calling; two nodes on one host (or loopback) do not.

import type { Duplex } from 'node:stream';
import nacl from 'tweetnacl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK_KEY, networkTag } from '../../src/crypto/network-key.js';
import { MemoryDiscovery } from '../../src/discovery/memory-discovery.js';
import { idOf } from '../../src/identity/ids.js';
import type { Transport } from '../../src/transport/transport.js';
import { logDials, NodeFixture, type TestNode, waitFor } from './node-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

/** A key whose id sorts after `than`: the node with `than` is then the one that dials at once. */
function keyAfter(than: string): Uint8Array {
  for (;;) {
    const pair = nacl.sign.keyPair();
    if (idOf(pair.publicKey) > than) return pair.publicKey;
  }
}

/** Records every `address:port` dialled. */
function logDialsWithPort(log: string[]): (base: Transport) => Transport {
  return (base) => ({
    ...base,
    dial: (o) => {
      log.push(`${o.address}:${o.port}`);
      return base.dial(o);
    },
  });
}

/** Announces a peer at `address`:`port` on the shared bus (nothing listens there: a dial fails). */
async function announce(address: string, nick: string, publicKey: Uint8Array, port = 7475): Promise<void> {
  await new MemoryDiscovery(fx.bus, { address }).start({
    nick,
    port,
    publicKey,
    networkTag: networkTag(DEFAULT_NETWORK_KEY),
  });
}

/** A connection from `host` to the node that never starts its handshake: accepted, not done. */
async function stalledConnectionFrom(host: string, to: TestNode): Promise<Duplex> {
  const dialed = await fx.network.transport(host).dial({ address: to.host, port: 7475, timeoutMs: 1_000 });
  return dialed.stream;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('node: waiting for a connection the peer is making', () => {
  it('a peer heard while a connection from its host is being accepted is not dialled back', async () => {
    const dials: string[] = [];
    const a = await fx.start('alice', { transport: logDials(dials) });
    const stalled = await stalledConnectionFrom('10.0.0.50', a);
    await announce('10.0.0.50', 'bob', keyAfter(a.node.id));
    // The control below dials within milliseconds; waiting, alice looks again every 1–1.5 s for up
    // to 16 times while the connection stays half-open.
    await settle(3_000);
    expect(dials).not.toContain('10.0.0.50');
    // Once that connection is gone, the wait ends (at most 1–1.5 s later) and alice dials.
    stalled.destroy();
    await waitFor('alice dials bob', () => dials.includes('10.0.0.50'), 5_000);
  });

  it('control: with no connection from that host, the peer is dialled at once', async () => {
    const dials: string[] = [];
    const a = await fx.start('alice', { transport: logDials(dials) });
    await announce('10.0.0.50', 'bob', keyAfter(a.node.id));
    await waitFor('alice dials bob', () => dials.includes('10.0.0.50'), 5_000);
  });

  it('a host two known peers share says nothing about which is calling: both are dialled', async () => {
    const dials: string[] = [];
    const a = await fx.start('alice', { transport: logDialsWithPort(dials) });
    await announce('10.0.0.50', 'carol', keyAfter(a.node.id), 7476);
    await waitFor('alice dials carol', () => dials.includes('10.0.0.50:7476'), 5_000);
    await stalledConnectionFrom('10.0.0.50', a);
    await announce('10.0.0.50', 'bob', keyAfter(a.node.id));
    // Were it taken for bob's call, alice would not dial him for 16 s or more.
    await waitFor('alice dials bob', () => dials.includes('10.0.0.50:7475'), 5_000);
  });
});
