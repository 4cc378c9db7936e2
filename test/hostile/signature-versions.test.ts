// Room messages between this version and an older lanchat, which checks only signature version 1:
// it must not be sent anything it would take for a forgery (it would hang up on every message).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIGNATURE_V2_CAPABILITY, verifyRoomMessage } from '../../src/core/room-signature.js';
import { DEFAULT_NETWORK_KEY, networkTag } from '../../src/crypto/network-key.js';
import type { Catchup, ChatMessage, WireMessage } from '../../src/protocol/messages.js';
import { NodeFixture, waitFor } from '../core/node-fixture.js';
import { HostilePeer } from './hostile-peer.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

const OLD_CAPS = ['dm', 'rooms', 'ack', 'presence', 'typing', 'read', 'catchup', 'signed-rooms'];
const isMsg =
  (id: string) =>
  (m: WireMessage): m is ChatMessage =>
    m.t === 'msg' && m.id === id;
const isAnswer = (m: WireMessage): m is Catchup => m.t === 'catchup' && m.done;

describe('room signature versions on the wire', () => {
  it('an older peer gets room messages unsigned (it accepts those on its link) and no relays', async () => {
    const victim = await fx.start('victim');
    const old = await HostilePeer.connect(fx, victim, {
      nick: 'oldie',
      hello: { rooms: ['#general'], caps: OLD_CAPS },
    });
    const id = victim.node.sendRoom('#general', 'hello old friend');
    const live = await old.waitFor('the room message', isMsg(id));
    expect(live.sig).toBeUndefined();
    expect(live.sv).toBeUndefined();
    old.send({ t: 'catchup_req', room: '#general', since: 0, limit: 100 });
    expect((await old.waitFor('the answer', isAnswer)).messages).toEqual([]);
  });

  it('a current peer gets the signed nick, and the signature checks out under version 2', async () => {
    const victim = await fx.start('victim');
    const peer = await HostilePeer.connect(fx, victim, {
      nick: 'newbie',
      hello: { rooms: ['#general'], caps: [...OLD_CAPS, SIGNATURE_V2_CAPABILITY] },
    });
    const id = victim.node.sendRoom('#general', 'hello new friend');
    const live = await peer.waitFor('the room message', isMsg(id));
    expect(live).toMatchObject({ sv: 2, nick: 'victim' });
    const fields = {
      id,
      ts: live.ts,
      room: '#general',
      kind: live.kind,
      text: live.text,
      author: victim.node.id,
      nick: 'victim',
      network: networkTag(DEFAULT_NETWORK_KEY),
    };
    expect(verifyRoomMessage(fields, live.sig!, victim.identity.publicKey, 2)).toBe(true);
    peer.send({ t: 'catchup_req', room: '#general', since: 0, limit: 100 });
    const answer = await peer.waitFor('the answer', isAnswer);
    expect(answer.messages).toEqual([
      {
        id,
        ts: live.ts,
        text: live.text,
        kind: 'text',
        author: victim.node.id,
        nick: 'victim',
        sig: live.sig,
        sv: 2,
      },
    ]);
    await waitFor('still linked', () => !peer.closed);
  });
});
