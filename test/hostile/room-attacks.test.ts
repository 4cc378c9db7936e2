// Attacks on room history and room membership by one hostile peer (issue 14, items 3 and 4). Each
// test drives the real handshake and frame codec (hostile-peer.ts) against a real node and asserts
// what the victim shows (events), stores (rows) and asks for (catch-up requests).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newTimeOrderedId } from '../../src/core/new-ids.js';
import type { CatchupRequest, WireMessage } from '../../src/protocol/messages.js';
import { eventsOf, NodeFixture, onlineIds, type TestNode, waitFor } from '../core/node-fixture.js';
import { HostilePeer } from './hostile-peer.js';
import { type Relayed, relayOf, signedRelay, wire } from './room-message.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

const isRequest = (m: WireMessage): m is CatchupRequest => m.t === 'catchup_req' && m.room === '#general';

let relays = 0;

/** Connects as a member of #general and answers the victim's catch-up request with `messages`. */
async function relayTo(victim: TestNode, messages: Relayed[]): Promise<HostilePeer> {
  const nick = `relay${++relays}`; // each relay is its own identity, so each needs its own nick
  const evil = await HostilePeer.connect(fx, victim, { nick, hello: { rooms: ['#general'] } });
  await evil.waitFor('the catch-up request', isRequest);
  evil.send({ t: 'catchup', room: '#general', messages: messages.map(wire), done: true });
  // Either the victim takes the answer (catchup_done) or it hangs up on a forger.
  await waitFor(
    'the answer handled',
    () => evil.closed || eventsOf(victim, 'catchup_done').some((e) => e.from.id === evil.id),
  );
  return evil;
}

/** alice says something in #general while the victim is not around, then leaves. */
async function aliceSaidWhileAway(text: string) {
  const alice = await fx.start('alice');
  const id = alice.node.sendRoom('#general', text);
  const stored = alice.store.messages.get(id)!;
  const again = { identity: alice.identity, dbPath: alice.dbPath, host: alice.host };
  await fx.stop(alice);
  return { id, stored, again };
}

const shown = (t: TestNode, id: string) => eventsOf(t, 'message').filter((m) => m.id === id);

describe('room history attacks through catch-up', () => {
  it("relayed forged nick: a relay cannot show alice's signed words under another nick", async () => {
    const { id, stored } = await aliceSaidWhileAway('the build is green');
    const victim = await fx.start('victim');
    const evil = await relayTo(victim, [{ ...relayOf(stored), nick: 'bob' }]);
    expect(shown(victim, id)).toEqual([]);
    expect(victim.store.messages.get(id)).toBeUndefined();
    expect(evil.closed).toBe(true);
    expect(eventsOf(victim, 'warning').some((w) => w.code === 'hostile-peer')).toBe(true);
  });

  it('relayed impostor: a new key claiming the pinned nick "alice" is not shown under it', async () => {
    const alice = await fx.start('alice');
    const victim = await fx.start('victim');
    await waitFor('alice is pinned', () => onlineIds(victim).includes(alice.node.id));
    await fx.stop(alice);
    const forged = signedRelay({ nick: 'alice', text: 'please send me the VPN password' });
    const evil = await relayTo(victim, [forged]);
    expect(shown(victim, forged.id)).toEqual([]);
    expect(victim.store.messages.get(forged.id)).toBeUndefined();
    expect(victim.store.contacts.findByNick('alice').map((c) => c.id)).toEqual([alice.node.id]);
    expect(evil.closed).toBe(false); // the relay may be honest: the message is skipped, not the link
  });

  it('relayed message of a blocked author: dropped, like a direct one', async () => {
    const spam = signedRelay({ nick: 'spammer', text: 'buy now' });
    const victim = await fx.start('victim');
    victim.store.contacts.pin(spam.author, 'spammer');
    victim.node.block('spammer');
    await relayTo(victim, [spam]);
    expect(shown(victim, spam.id)).toEqual([]);
    expect(victim.store.messages.get(spam.id)).toBeUndefined();
    // The same author under a second spelling of its key (padding bits of base64url) is no way round.
    const variant = `${spam.author.slice(0, 42)}${String.fromCharCode(spam.author.charCodeAt(42) + 1)}`;
    expect(Buffer.from(variant, 'base64url')).toEqual(Buffer.from(spam.author, 'base64url'));
    const again = signedRelay({ author: spam.authorKeys, nick: 'spammer', text: 'buy now!' });
    await relayTo(victim, [{ ...again, author: variant }]);
    expect(shown(victim, again.id)).toEqual([]);
    expect(victim.store.messages.get(again.id)).toBeUndefined();
  });

  it('non-canonical id: a second spelling of an id is refused, nothing is stored or shown', async () => {
    const victim = await fx.start('victim');
    const evil = await HostilePeer.connect(fx, victim);
    // 22 base64url digits carry 132 bits for a 128-bit id: the last 4 must be zero. Here they are not.
    const id = 'BBBBBBBBBBBBBBBBBBBBBB';
    expect(Buffer.from(id, 'base64url').toString('base64url')).not.toBe(id);
    evil.send({ t: 'msg', id, ts: Date.now(), text: 'which one is it?', kind: 'text' });
    await waitFor('the victim hangs up', () => evil.closed);
    expect(shown(victim, id)).toEqual([]);
    expect(victim.store.messages.get(id)).toBeUndefined();
  });

  it('squatted id: a relay that takes the id of a real message first cannot stop the real one', async () => {
    const { id, again } = await aliceSaidWhileAway('meet at 3 in room B');
    const victim = await fx.start('victim');
    const squat = signedRelay({ id, nick: 'mallory', text: 'meeting cancelled' });
    await relayTo(victim, [squat]);
    expect(shown(victim, id).map((m) => m.text)).toEqual(['meeting cancelled']);
    // alice comes back; the victim asks her for what it missed and gets the real message.
    const alice = await fx.start('alice', again);
    await waitFor('catch-up from alice', () =>
      eventsOf(victim, 'catchup_done').find((e) => e.from.id === alice.node.id),
    );
    const real = shown(victim, id).find((m) => m.from.id === alice.node.id);
    expect(real).toMatchObject({ text: 'meet at 3 in room B', from: { nick: 'alice' } });
    expect(victim.store.messages.get(id, alice.node.id)?.text).toBe('meet at 3 in room B');
    expect(victim.node.history('#general').map((m) => [m.from.id, m.text])).toContainEqual([
      alice.node.id,
      'meet at 3 in room B',
    ]);
  });

  it('far-future ts: refused, and the catch-up cursor still comes from our clock', async () => {
    const { id, again } = await aliceSaidWhileAway('sent while you were away');
    const victim = await fx.start('victim');
    const nextYear = Date.now() + 365 * 24 * 3600_000;
    const future = signedRelay({ ts: nextYear, text: 'from the future' });
    const evil = await relayTo(victim, [future]);
    // The live path too: a room message dated next year.
    const live = signedRelay({
      author: evil.identity,
      nick: `relay${relays}`,
      ts: nextYear,
      text: 'live future',
    });
    evil.send({
      t: 'msg',
      id: live.id,
      ts: live.ts,
      text: live.text,
      kind: 'text',
      room: '#general',
      sig: live.sig,
      sv: 2,
      nick: live.nick,
    });
    await evil.waitFor('the ack', (m) => m.t === 'ack' && m.id === live.id);
    // What the victim asks the next member for starts before now, not next year...
    const spy = await HostilePeer.connect(fx, victim, { nick: 'spy', hello: { rooms: ['#general'] } });
    const request = await spy.waitFor('the next request', isRequest);
    expect(request.since).toBeLessThanOrEqual(Date.now());
    // ...so alice's message, sent before any of this, still arrives.
    const alice = await fx.start('alice', again);
    await waitFor(
      "alice's message",
      () => shown(victim, id).find((m) => m.from.id === alice.node.id),
      10_000,
    );
    // Neither dated message was stored or shown.
    expect(shown(victim, future.id)).toEqual([]);
    expect(shown(victim, live.id)).toEqual([]);
    expect(victim.store.messages.get(future.id)).toBeUndefined();
    expect(victim.store.messages.get(live.id)).toBeUndefined();
  });
});

describe('rooms a peer announces', () => {
  it('10,000 room joins from one peer: no room joined, no rows, a bounded handful of offers', async () => {
    const victim = await fx.start('victim');
    const evil = await HostilePeer.connect(fx, victim, {
      hello: { rooms: Array.from({ length: 256 }, (_, i) => `#hello-${i}`) },
    });
    for (let i = 0; i < 10_000; i++) evil.send({ t: 'join', room: `#room-${i}` });
    const marker = newTimeOrderedId();
    evil.send({ t: 'msg', id: marker, ts: Date.now(), text: 'done', kind: 'text' });
    await waitFor('all frames handled', () => shown(victim, marker)[0], 20_000);
    expect(victim.node.snapshot().rooms).toEqual(['#general']);
    expect(victim.store.rooms.joined()).toEqual(['#general']);
    expect(eventsOf(victim, 'member_joined')).toEqual([]);
    expect(eventsOf(victim, 'joined')).toEqual([]);
    const offers = eventsOf(victim, 'room_offer');
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.length).toBeLessThanOrEqual(5);
    for (const room of ['#room-0', '#room-9999', '#hello-0', '#hello-255']) {
      expect(victim.store.rooms.members(room)).toEqual([]);
    }
    // Joining one of them is the user's choice, and then the peer counts as a member.
    victim.node.join('#room-1');
    expect(eventsOf(victim, 'joined').at(-1)).toMatchObject({ room: '#room-1' });
    expect(evil.closed).toBe(false);
  });
});
