// `lanchat doctor` asks the node why a peer it heard of is not connected: the last dial failure,
// turned into a reason the user can act on (network passphrase, unreachable address).
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkError } from '../../src/connection/link-factory.js';
import { failureRecord } from '../../src/core/diagnosis.js';
import { HandshakeError } from '../../src/crypto/handshake-error.js';
import { networkKeyFromPassphrase } from '../../src/crypto/network-key.js';
import { StaticPeers } from '../../src/discovery/static-peers.js';
import { NodeFixture, staticTo, waitFor } from './node-fixture.js';

let fixture: NodeFixture;

afterEach(async () => {
  await fixture.destroy();
});

describe('node diagnosis', () => {
  it('names a network passphrase mismatch for a peer that answered with another network', async () => {
    fixture = new NodeFixture();
    const alice = await fixture.start('alice');
    const carol = await fixture.start('carol', {
      networkKey: networkKeyFromPassphrase('another office network, 42 words long'),
      discovery: staticTo(alice),
    });
    const failure = await waitFor(
      'a recorded failure',
      () => carol.node.diagnose().peers.find((p) => p.id === alice.node.id)?.lastFailure,
    );
    expect(failure).toMatchObject({ reason: 'network-mismatch', code: 'wrong-network' });
    const peer = carol.node.diagnose().peers.find((p) => p.id === alice.node.id);
    expect(peer).toMatchObject({ online: false, hint: { addresses: [alice.host], port: 7475 } });
  });

  it('names an unreachable address, and forgets the failure once a link is up', async () => {
    fixture = new NodeFixture();
    const ghost = nacl.sign.keyPair();
    const dave = await fixture.start('dave', {
      discovery: new StaticPeers([{ publicKey: ghost.publicKey, host: '10.0.0.99', port: 7475 }], {
        lookup: async (host) => [host],
      }),
    });
    const failure = await waitFor('a recorded failure', () => dave.node.diagnose().peers[0]?.lastFailure);
    expect(failure.reason).toBe('unreachable');
    expect(dave.node.diagnose()).toMatchObject({ nick: 'dave', port: 7475 });

    const alice = await fixture.start('alice');
    const erin = await fixture.start('erin');
    await waitFor('alice and erin connected', () =>
      alice.node.diagnose().peers.some((p) => p.id === erin.node.id && p.online),
    );
    const seen = alice.node.diagnose().peers.find((p) => p.id === erin.node.id);
    expect(seen?.lastFailure).toBeUndefined();
    expect(seen?.clockAhead).toBe(false);
  });
});

describe('failureRecord', () => {
  it('calls a handshake a busy host dropped late a timeout, not a refusal', () => {
    const late = new LinkError('handshake-failed', 'x', {
      cause: new HandshakeError('dropped-late', 'the server hung up 10 s or more after we connected'),
    });
    expect(failureRecord(late, 1)).toMatchObject({ reason: 'handshake-timeout', code: 'dropped-late' });
    const refused = new LinkError('handshake-failed', 'x', {
      cause: new HandshakeError('wrong-server-key', 'no'),
    });
    expect(failureRecord(refused, 1)).toMatchObject({ reason: 'refused' });
  });
});
