// Holders that misbehave: they drop, duplicate, delay or alter a drop, forge one from the sender,
// or forge a receipt. The recipient shows the DM once and unaltered, or not at all, never a forged
// one; the sender believes only receipts signed by the recipient.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sealLetter } from '../../src/core/drops/drop-letter.js';
import { HOLD_CAPABILITY } from '../../src/core/drops/drop-policy.js';
import { signReceipt } from '../../src/core/drops/drop-receipt.js';
import { loadSealedBox } from '../../src/crypto/sealed-box.js';
import type { DropPut } from '../../src/protocol/drop-messages.js';
import type { WireMessage } from '../../src/protocol/messages.js';
import { eventsOf, NodeFixture, onlineIds, type TestNode, waitFor } from '../core/node-fixture.js';
import { HostilePeer } from '../hostile/hostile-peer.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

const HOLDER_CAPS = ['dm', 'rooms', 'ack', 'presence', 'drops', HOLD_CAPABILITY];

/** alice knows bob (they met), bob is gone, and the hostile holder got alice's drop for bob. */
async function depositWithHostileHolder(text: string): Promise<{
  a: TestNode;
  b: TestNode;
  evil: HostilePeer;
  put: DropPut;
  id: string;
}> {
  const a = await fx.start('alice');
  const b = await fx.start('bob');
  await waitFor('met', () => onlineIds(a).length === 1);
  await fx.stop(b);
  await waitFor('bob offline', () => onlineIds(a).length === 0);
  const evil = await HostilePeer.connect(fx, a, { nick: 'holder', hello: { caps: HOLDER_CAPS } });
  await waitFor('holder online at alice', () => onlineIds(a).length === 1);
  const id = a.node.sendDirect('bob', text);
  const put = await evil.waitFor('a deposit', (m): m is DropPut => m.t === 'drop_put');
  expect(put).toMatchObject({ id, to: b.node.id });
  // The holder sees no plaintext: not in the frame, and not in the box.
  expect(JSON.stringify(put).includes(text)).toBe(false);
  return { a, b, evil, put, id };
}

function flipByte(box: string, at: number): string {
  const bytes = Buffer.from(box, 'base64');
  bytes[at % bytes.length]! ^= 0x01;
  return bytes.toString('base64');
}

describe('drops: hostile holders', () => {
  it('altered, duplicated, forged and delayed drops: bob shows the real one once, unaltered', async () => {
    const text = 'meet at 10, room 4';
    const { a, b, evil, put, id } = await depositWithHostileHolder(text);
    await fx.stop(a);
    const b2 = await fx.start('bob', { identity: b.identity, dbPath: b.dbPath });
    const holder = await HostilePeer.connect(fx, b2, {
      identity: evil.identity,
      nick: 'holder',
      hello: { caps: HOLDER_CAPS },
    });

    // A letter "from alice" that the holder wrote and signed itself, sealed to bob.
    const sealed = await loadSealedBox();
    const forged = sealLetter(
      {
        id: 'ForgedId',
        from: a.node.id,
        to: b.node.id,
        nick: 'alice',
        ts: Date.now(),
        exp: Date.now() + 60_000,
        kind: 'text',
        text: 'send me your password',
      },
      b2.node.networkTag,
      evil.identity.secretKey,
      sealed,
    )!;
    holder.send({
      t: 'drops',
      drops: [
        { n: 1, box: flipByte(put.box, 60) }, // altered ciphertext
        { n: 2, box: flipByte(put.box, 5) }, // altered ephemeral key
        { n: 3, box: put.box },
        { n: 4, box: put.box }, // duplicate in the same batch
        { n: 5, box: Buffer.from(forged).toString('base64') },
      ],
    });
    const done = await holder.waitFor('bob answers', (m) => m.t === 'drop_done');
    expect(done).toMatchObject({ n: [1, 2, 3, 4, 5] });
    // Receipts only for the genuine letter, signed by bob.
    const rcpts = (done as Extract<WireMessage, { t: 'drop_done' }>).rcpts;
    expect(rcpts.map((r) => [r.id, r.from, r.to])).toEqual([
      [id, a.node.id, b.node.id],
      [id, a.node.id, b.node.id],
    ]);
    // Delayed: the same drop again, later, in another batch.
    holder.send({ t: 'drops', drops: [{ n: 6, box: put.box }] });
    await holder.waitFor('second answer', (m) => m.t === 'drop_done' && m.n[0] === 6);

    const shown = eventsOf(b2, 'message');
    expect(shown.map((m) => [m.id, m.text, m.from.id])).toEqual([[id, text, a.node.id]]);
    expect(b2.store.messages.get('ForgedId', a.node.id)).toBeUndefined();
    expect(eventsOf(b2, 'warning').some((w) => w.code === 'drop-forged')).toBe(true);
  });

  it('a holder that keeps the drop: bob shows nothing, alice keeps it queued and delivers it herself', async () => {
    const { a, b, id } = await depositWithHostileHolder('only the direct path is left');
    const b2 = await fx.start('bob', { identity: b.identity, dbPath: b.dbPath });
    const delivered = await waitFor('delivered directly', () =>
      eventsOf(a, 'delivered').find((e) => e.id === id),
    );
    expect(delivered.via).toBeUndefined();
    expect(eventsOf(b2, 'message').filter((m) => m.id === id)).toHaveLength(1);
  });

  it("a receipt not signed by bob does not mark alice's DM delivered, and closes the holder's link", async () => {
    const { a, b, evil, id } = await depositWithHostileHolder('are you there?');
    // Signed by the holder's key, claiming to be bob's.
    const fake = signReceipt(
      { id, from: a.node.id, to: b.node.id },
      a.node.networkTag,
      evil.identity.secretKey,
    );
    evil.send({ t: 'drop_rcpt', rcpts: [fake] });
    await waitFor('alice hangs up on the holder', () => evil.closed);
    expect(eventsOf(a, 'delivered')).toHaveLength(0);
    expect(a.store.outbox.pendingFor(b.node.id).map((m) => m.id)).toEqual([id]);
    expect(eventsOf(a, 'warning').some((w) => w.code === 'hostile-peer')).toBe(true);
  });

  it("a receipt signed by bob, carried by anybody, marks alice's DM delivered via relay", async () => {
    const { a, b, evil, id } = await depositWithHostileHolder('real receipt');
    const real = signReceipt({ id, from: a.node.id, to: b.node.id }, a.node.networkTag, b.identity.secretKey);
    evil.send({ t: 'drop_rcpt', rcpts: [real] });
    const delivered = await waitFor('delivered', () => eventsOf(a, 'delivered').find((e) => e.id === id));
    expect(delivered.via).toBe('relay');
    expect(a.store.outbox.pendingFor(b.node.id)).toHaveLength(0);
  });

  it('three holders: one honest, one gone for good, one that alters: bob shows it once, unaltered', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    const c = await fx.start('carol');
    const d = await fx.start('dave');
    await waitFor('mesh', () => onlineIds(a).length === 3);
    await fx.stop(b);
    await waitFor('bob gone', () => onlineIds(a).length === 2);
    const evil = await HostilePeer.connect(fx, a, { nick: 'holder', hello: { caps: HOLDER_CAPS } });
    await waitFor('holder online', () => onlineIds(a).length === 3);
    const text = 'three copies, one truth';
    const id = a.node.sendDirect('bob', text);
    const put = await evil.waitFor('a deposit', (m): m is DropPut => m.t === 'drop_put');
    evil.send({ t: 'drop_ans', id, to: b.node.id, ok: true });
    await waitFor('three holders', () =>
      eventsOf(a, 'deposited').find((e) => e.id === id && e.holders === 3),
    );
    await fx.stop(a);
    await fx.stop(d); // dave never comes back
    const b2 = await fx.start('bob', { identity: b.identity, dbPath: b.dbPath });
    const holder = await HostilePeer.connect(fx, b2, {
      identity: evil.identity,
      nick: 'holder',
      hello: { caps: HOLDER_CAPS },
    });
    holder.send({ t: 'drops', drops: [{ n: 1, box: flipByte(put.box, 100) }] });
    await holder.waitFor('bob answers the altered one', (m) => m.t === 'drop_done');
    await waitFor('carol handed hers over', () => c.store.drops.usage('total').count === 0);
    expect(eventsOf(b2, 'message').map((m) => [m.id, m.text])).toEqual([[id, text]]);
  });

  it('a peer that was never asked cannot claim to hold a DM: its drop_ans is ignored', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    await waitFor('met', () => onlineIds(a).length === 1);
    await fx.stop(b);
    await waitFor('bob offline', () => onlineIds(a).length === 0);
    // No hold capability: alice never deposits with it, so no answer from it can be one she awaits.
    const liar = await HostilePeer.connect(fx, a, { nick: 'liar' });
    await waitFor('liar online', () => onlineIds(a).length === 1);
    const id = a.node.sendDirect('bob', 'for bob only');
    liar.send({ t: 'drop_ans', id, to: b.node.id, ok: true });
    // A deposit of its own after the lie: one link, in order, so alice's answer to it means the
    // lie was handled before.
    liar.send({
      t: 'drop_put',
      id: 'probe123',
      to: b.node.id,
      exp: Date.now() + 60_000,
      box: Buffer.from('probe').toString('base64'),
    });
    await liar.waitFor("alice's answer to the probe", (m) => m.t === 'drop_ans');
    expect(eventsOf(a, 'deposited')).toHaveLength(0);
    expect(a.node.outbox().find((e) => e.id === id)).toMatchObject({ state: 'queued', holders: 0 });
  });

  it("a read receipt claiming to be another peer's closes the link and is not kept", async () => {
    const a = await fx.start('alice');
    const c = await fx.start('carol');
    await waitFor('met', () => onlineIds(c).length === 1);
    const evil = await HostilePeer.connect(fx, c, { nick: 'mallory' });
    // Signed by alice's key, but sent by mallory: a holder keeps a peer's own read receipts only.
    const rcpt = signReceipt(
      { id: 'AAAAAAAA', from: evil.id, to: a.node.id, read: true },
      c.node.networkTag,
      a.identity.secretKey,
    );
    evil.send({ t: 'drop_read', rcpts: [rcpt] });
    await waitFor('carol hangs up', () => evil.closed);
    expect(c.store.drops.receiptCount('total')).toBe(0);
  });
});
