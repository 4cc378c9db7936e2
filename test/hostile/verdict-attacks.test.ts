// A peer whose hello promises a verdict (VERDICT_CAPABILITY) is shown online once it says it took
// our link ('admitted'), and a peer that turns us away ('close' refused) is never shown at all:
// before, the refused side showed every refusing peer online for the moment between the hellos and
// the refusal, then offline, on every retry. What a hostile peer can do with it: promise and never
// say (shown after the wait, like a peer of an older version at once), say it twice or unasked
// (nothing), or refuse (it is not shown, which it could have had by not answering at all).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFrame, FRAME_TYPE_MESSAGE } from '../../src/protocol/frame-codec.js';
import { PROTOCOL_VERSION, VERDICT_CAPABILITY } from '../../src/protocol/messages.js';
import { eventsOf, NodeFixture, onlineIds, type TestNode, waitFor } from '../core/node-fixture.js';
import { HostilePeer, startVictim } from './hostile-peer.js';

/** What HostilePeer's hello lists by default, plus the promise. */
const PROMISING = {
  caps: ['dm', 'rooms', 'ack', 'presence', 'typing', 'read', 'catchup', 'signed-rooms', VERDICT_CAPABILITY],
};

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

const onlineEvents = (victim: TestNode, id: string) =>
  eventsOf(victim, 'peer_online').filter((e) => e.peer.id === id);
const offlineEvents = (victim: TestNode, id: string) =>
  eventsOf(victim, 'peer_offline').filter((e) => e.peer.id === id);

describe('the verdict on a link', () => {
  it('is told first of all to a peer that promised to wait for it, and only to such a peer', async () => {
    const victim = await startVictim(fx, 'victim');
    // In #general, so the victim has more to say at once (a catch-up request).
    const evil = await HostilePeer.connect(fx, victim, { hello: { ...PROMISING, rooms: ['#general'] } });
    await evil.waitFor('the verdict', (m) => m.t === 'admitted');
    await evil.waitFor('the catch-up request', (m) => m.t === 'catchup_req');
    const afterHello = evil.received.filter((m) => m.t !== 'hello' && m.t !== 'ping');
    expect(afterHello[0]?.t).toBe('admitted');
    const old = await HostilePeer.connect(fx, victim, { nick: 'oldie', hello: { rooms: ['#general'] } });
    await waitFor('the older peer shown', () => onlineEvents(victim, old.id).length === 1);
    await old.waitFor('its catch-up request', (m) => m.t === 'catchup_req');
    expect(old.received.some((m) => m.t === 'admitted')).toBe(false);
  });

  it('shows a peer that promised its verdict when the verdict comes, once', async () => {
    const victim = await startVictim(fx, 'victim', { init: { verdictWaitMs: 60_000 } });
    const evil = await HostilePeer.connect(fx, victim, { hello: PROMISING });
    await evil.waitFor('our link taken', (m) => m.t === 'admitted');
    // A round trip: the victim has read all we sent and acted on it, not a fixed wait.
    evil.send({ t: 'ping', n: 0 });
    await evil.waitFor('the pong', (m) => m.t === 'pong' && m.n === 0);
    expect(onlineEvents(victim, evil.id)).toEqual([]);
    expect(onlineIds(victim)).not.toContain(evil.id);
    evil.send({ t: 'admitted' });
    await waitFor('shown online', () => onlineEvents(victim, evil.id).length === 1);
    expect(onlineIds(victim)).toContain(evil.id);
    evil.send({ t: 'admitted' }); // again: nothing
    evil.send({ t: 'ping', n: 1 });
    await evil.waitFor('the pong after it', (m) => m.t === 'pong' && m.n === 1);
    expect(onlineEvents(victim, evil.id)).toHaveLength(1);
  });

  it('counts a verdict that came with the hello, before the link was taken', async () => {
    const victim = await startVictim(fx, 'victim', { init: { verdictWaitMs: 60_000 } });
    const evil = await HostilePeer.connect(fx, victim, { sendHello: false });
    // Both in one write: the verdict is read in the same pass as the hello, before the link is
    // taken (held for its consumer, peer-link.ts attach), as under load an honest peer's often is.
    const frame = (m: object) => encodeFrame(FRAME_TYPE_MESSAGE, Buffer.from(JSON.stringify(m), 'utf8'));
    const hello = { t: 'hello', v: PROTOCOL_VERSION, nick: 'quick', presence: 'online', status: '' };
    evil.sendRaw(Buffer.concat([frame({ ...hello, rooms: [], ...PROMISING }), frame({ t: 'admitted' })]));
    await waitFor('shown without waiting a minute', () => onlineEvents(victim, evil.id).length === 1);
  });

  it('shows a peer that promised and never says after the wait, and a late verdict changes nothing', async () => {
    // Long enough that no stall of a loaded machine lets it run out before the check below.
    const victim = await startVictim(fx, 'victim', { init: { verdictWaitMs: 1_500 } });
    const evil = await HostilePeer.connect(fx, victim, { hello: PROMISING });
    await evil.waitFor('our link taken', (m) => m.t === 'admitted');
    expect(onlineEvents(victim, evil.id)).toEqual([]); // the wait has only begun
    await waitFor('shown after the wait', () => onlineEvents(victim, evil.id).length === 1);
    evil.send({ t: 'admitted' });
    evil.send({ t: 'ping', n: 1 });
    await evil.waitFor('the pong after it', (m) => m.t === 'pong' && m.n === 1);
    expect(onlineEvents(victim, evil.id)).toHaveLength(1);
  });

  it('never shows a peer that refuses the link, neither online nor offline; the user is told why', async () => {
    const victim = await startVictim(fx, 'victim', { init: { verdictWaitMs: 60_000 } });
    const evil = await HostilePeer.connect(fx, victim, { nick: 'alice', hello: PROMISING });
    evil.send({ t: 'close', reason: 'refused' });
    evil.close();
    await waitFor('the refusal reported', () =>
      eventsOf(victim, 'warning').find((w) => w.code === 'refused-by-peer'),
    );
    expect(onlineEvents(victim, evil.id)).toEqual([]);
    expect(offlineEvents(victim, evil.id)).toEqual([]);
    expect(onlineIds(victim)).not.toContain(evil.id);
  });

  it('an unasked verdict (no promise in the hello) shows nothing twice', async () => {
    const victim = await startVictim(fx, 'victim');
    const evil = await HostilePeer.connect(fx, victim);
    await waitFor('shown at once', () => onlineEvents(victim, evil.id).length === 1);
    evil.send({ t: 'admitted' });
    evil.send({ t: 'ping', n: 1 });
    await evil.waitFor('the pong after it', (m) => m.t === 'pong' && m.n === 1);
    expect(onlineEvents(victim, evil.id)).toHaveLength(1);
  });
});
