// The kit itself: a scripted peer completes the real handshake and is treated like any peer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { base64Of } from '../../src/identity/ids.js';
import { encodeFrame, FRAME_TYPE_MESSAGE } from '../../src/protocol/frame-codec.js';
import { eventsOf, NodeFixture, onlineIds, waitFor } from '../core/node-fixture.js';
import { HostilePeer, startVictim } from './hostile-peer.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

describe('hostile peer kit', () => {
  it('completes a real handshake, says hello, and exchanges scripted messages', async () => {
    const victim = await startVictim(fx, 'victim');
    const evil = await HostilePeer.connect(fx, victim, { nick: 'mallory' });
    await waitFor('victim sees mallory online', () => onlineIds(victim).includes(evil.id));
    expect(victim.node.peerList().find((p) => p.id === evil.id)?.nick).toBe('mallory');

    evil.send({ t: 'msg', id: 'AAAAAAAAAAAAAAAAAAAAAA', ts: Date.now(), text: 'hello victim', kind: 'text' });
    const shown = await waitFor('victim shows the DM', () =>
      eventsOf(victim, 'message').find((m) => m.text === 'hello victim'),
    );
    expect(shown.from.id).toBe(evil.id);

    const id = victim.node.sendDirect('mallory', 'hi mallory');
    await evil.waitFor('the DM', (m) => m.t === 'msg' && m.id === id);

    // Raw bytes go through the real decoder: a frame split in two still arrives as one.
    const frame = encodeFrame(
      FRAME_TYPE_MESSAGE,
      Buffer.from(
        JSON.stringify({ t: 'msg', id: 'BBBBBBBBBBBBBBBBBBBBBA', ts: Date.now(), text: 'raw', kind: 'text' }),
      ),
    );
    evil.sendRaw(frame.subarray(0, 7));
    evil.sendRaw(frame.subarray(7));
    await waitFor('raw DM', () => eventsOf(victim, 'message').find((m) => m.text === 'raw'));

    evil.close();
    await waitFor('victim sees it go', () => !onlineIds(victim).includes(evil.id));
  });

  it('forges discovery announcements and goodbyes into the victim', async () => {
    const victim = await startVictim(fx, 'victim');
    const key = new Uint8Array(32).fill(7);
    victim.mdns.announce({ publicKey: base64Of(key), nick: 'ghost', addresses: ['10.99.0.1'], port: 7475 });
    await waitFor('victim heard of the key', () =>
      victim.node.peerList().find((p) => p.id === Buffer.from(key).toString('base64url')),
    );
    victim.mdns.goodbye(base64Of(key));
    expect(victim.mdns.peers()).toHaveLength(0);
  });
});
