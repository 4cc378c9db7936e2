// Sealed drops between whole nodes (in-memory transport, real crypto and SQLite): a DM reaches a
// recipient that is never online at the same time as its sender, exactly once, and the sender
// learns it was delivered from the recipient's signed receipt brought by the holder.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, NodeFixture, onlineIds, type TestNode, waitFor } from '../core/node-fixture.js';

let fx: NodeFixture;
beforeEach(() => {
  fx = new NodeFixture();
});
afterEach(async () => {
  await fx.destroy();
});

/** alice, bob and carol meet once (so alice knows bob), then bob leaves. */
async function meetThenBobLeaves(): Promise<{ a: TestNode; b: TestNode; c: TestNode }> {
  const a = await fx.start('alice');
  const b = await fx.start('bob');
  const c = await fx.start('carol');
  await waitFor('mesh', () => [a, b, c].every((t) => onlineIds(t).length === 2));
  await fx.stop(b);
  await waitFor(
    'bob offline at alice and carol',
    () => onlineIds(a).length === 1 && onlineIds(c).length === 1,
  );
  return { a, b, c };
}

describe('drops: sender and recipient never online together', () => {
  it('a holder hands the DM over exactly once and brings the receipt back to the sender', async () => {
    const { a, b, c } = await meetThenBobLeaves();
    const text = 'the key is under the mat 🗝';
    const id = a.node.sendDirect('bob', text);
    const deposited = await waitFor('deposited with carol', () =>
      eventsOf(a, 'deposited').find((e) => e.id === id),
    );
    expect(deposited.holders).toBe(1);
    expect(a.node.outbox().find((e) => e.id === id)).toMatchObject({ state: 'deposited', holders: 1 });
    await fx.stop(a);

    // The holder holds only ciphertext: the text is nowhere in its database files.
    c.store.transaction(() => undefined);
    for (const suffix of ['', '-wal']) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(c.dbPath + suffix);
      } catch {
        continue;
      }
      expect(bytes.includes(Buffer.from('under the mat'))).toBe(false);
    }

    const b2 = await fx.start('bob', { identity: b.identity, dbPath: b.dbPath });
    const shown = await waitFor('bob shows it', () => eventsOf(b2, 'message').find((m) => m.id === id));
    expect(shown.text).toBe(text);
    expect(shown.from.id).toBe(a.node.id);
    expect(shown.from.nick).toBe('alice');

    // bob leaves again; alice returns and meets only carol, who brings bob's signed receipt.
    await waitFor('bob answered carol', () => c.store.drops.usage('total').count === 0);
    await fx.stop(b2);
    const a2 = await fx.start('alice', { identity: a.identity, dbPath: a.dbPath });
    const delivered = await waitFor('delivered at alice', () =>
      eventsOf(a2, 'delivered').find((e) => e.id === id),
    );
    expect(delivered.via).toBe('relay');
    expect(a2.node.outbox().find((e) => e.id === id)).toMatchObject({ state: 'delivered', via: 'relay' });
    // Delivered: alice stops retrying, so bob, back again, does not see it twice.
    const b3 = await fx.start('bob', { identity: b.identity, dbPath: b.dbPath });
    await waitFor('a2 and b3 meet', () => onlineIds(a2).includes(b3.node.id));
    expect(a2.store.outbox.pendingFor(b.node.id)).toHaveLength(0);
    expect(eventsOf(b3, 'message').filter((m) => m.id === id)).toHaveLength(0);
    expect(b3.store.messages.history(`@${a.node.id}`, { limit: 10 }).filter((m) => m.id === id)).toHaveLength(
      1,
    );
  });

  it('sender and holder both deliver: the recipient shows it once', async () => {
    const { a, b, c } = await meetThenBobLeaves();
    const id = a.node.sendDirect('bob', 'two roads');
    await waitFor('deposited with carol', () => eventsOf(a, 'deposited').find((e) => e.id === id));
    const b2 = await fx.start('bob', { identity: b.identity, dbPath: b.dbPath });
    await waitFor('delivered directly', () => eventsOf(a, 'delivered').find((e) => e.id === id));
    await waitFor('carol handed hers over', () => c.store.drops.usage('total').count === 0);
    expect(eventsOf(b2, 'message').filter((m) => m.id === id)).toHaveLength(1);
  });

  it('a DM to an online peer is not deposited, and room messages never are', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    const c = await fx.start('carol');
    await waitFor('mesh', () => [a, b, c].every((t) => onlineIds(t).length === 2));
    const id = a.node.sendDirect('bob', 'hi');
    a.node.sendRoom('#general', 'hello room');
    await waitFor('delivered', () => eventsOf(a, 'delivered').find((e) => e.id === id));
    expect(eventsOf(a, 'deposited')).toHaveLength(0);
    expect(c.store.drops.usage('total').count).toBe(0);
  });

  it('--no-hold: a node that does not hold is never asked', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    const c = await fx.start('carol', { init: { drops: { hold: false } } });
    await waitFor('mesh', () => [a, b, c].every((t) => onlineIds(t).length === 2));
    await fx.stop(b);
    await waitFor('bob offline', () => onlineIds(a).length === 1);
    const id = a.node.sendDirect('bob', 'later');
    await new Promise((r) => setTimeout(r, 200));
    expect(eventsOf(a, 'deposited')).toHaveLength(0);
    expect(c.store.drops.usage('total').count).toBe(0);
    expect(a.node.outbox().find((e) => e.id === id)).toMatchObject({ state: 'queued', holders: 0 });
  });

  it('prefers holders seen online together with the recipient', async () => {
    const copies = { drops: { copies: 1 } };
    const a = await fx.start('alice', { init: copies });
    // carol is known to alice first (so she comes first in alice's peer table), then leaves.
    const c = await fx.start('carol');
    await waitFor('alice meets carol', () => onlineIds(a).length === 1);
    await fx.stop(c);
    await waitFor('carol gone', () => onlineIds(a).length === 0);
    // bob and dave are online together; bob leaves while dave is on.
    const b = await fx.start('bob');
    const d = await fx.start('dave');
    await waitFor('mesh', () => onlineIds(a).length === 2);
    await fx.stop(b);
    await waitFor('bob gone', () => onlineIds(a).length === 1);
    const c2 = await fx.start('carol', { identity: c.identity, dbPath: c.dbPath });
    await waitFor('carol back', () => onlineIds(a).length === 2);
    const id = a.node.sendDirect('bob', 'for dave to carry');
    await waitFor('deposited', () => eventsOf(a, 'deposited').find((e) => e.id === id));
    expect(d.store.drops.usage('total').count).toBe(1);
    expect(c2.store.drops.usage('total').count).toBe(0);
    expect(a.store.drops.holders(id, b.node.id)).toEqual([d.node.id]);
  });

  it('a holder whose disk fails reports it and keeps its links; the DM stays queued at the sender', async () => {
    const { a, b, c } = await meetThenBobLeaves();
    c.store.drops.hold = () => {
      throw new Error('disk full');
    };
    const id = a.node.sendDirect('bob', 'nowhere to put it');
    const error = await waitFor('carol reports it', () =>
      eventsOf(c, 'error').find((e) => e.code === 'store-failed'),
    );
    expect(error.message).toMatch(/disk full/);
    expect(onlineIds(c)).toEqual([a.node.id]);
    expect(eventsOf(a, 'deposited')).toHaveLength(0);
    expect(a.node.outbox().find((e) => e.id === id)?.state).toBe('queued');
    // Still works for what does not need the disk: a DM between alice and carol.
    const dm = a.node.sendDirect('carol', 'still there?');
    await waitFor('delivered', () => eventsOf(a, 'delivered').find((e) => e.id === dm));
    void b;
  });

  it('a DM sent on a link that then dies unacked is deposited once the recipient is seen offline', async () => {
    const a = await fx.start('alice');
    const b = await fx.start('bob');
    const c = await fx.start('carol');
    await waitFor('mesh', () => [a, b, c].every((t) => onlineIds(t).length === 2));
    fx.network.setLinkDown(b.host, true);
    const id = a.node.sendDirect('bob', 'into the void');
    expect(eventsOf(a, 'sent').find((e) => e.id === id)?.queued).toBe(false);
    await waitFor('bob offline at alice', () => eventsOf(a, 'peer_offline').length > 0);
    await waitFor('deposited with carol', () => eventsOf(a, 'deposited').find((e) => e.id === id));
    expect(c.store.drops.usage('total').count).toBe(1);
  });

  it('read receipts follow the same path: bob reads while alice is away, alice learns it from carol', async () => {
    const { a, b, c } = await meetThenBobLeaves();
    const id = a.node.sendDirect('bob', 'read me');
    await waitFor('deposited', () => eventsOf(a, 'deposited').find((e) => e.id === id));
    await fx.stop(a);
    const b2 = await fx.start('bob', { identity: b.identity, dbPath: b.dbPath });
    await waitFor('bob shows it', () => eventsOf(b2, 'message').find((m) => m.id === id));
    await waitFor('carol handed it over', () => c.store.drops.usage('total').count === 0);
    b2.node.markRead([id], a.node.id);
    await waitFor('carol keeps the read receipt', () =>
      c.store.drops.receiptsFor(a.node.id, 10).some((r) => r.id === id && r.read),
    );
    await fx.stop(b2);
    const a2 = await fx.start('alice', { identity: a.identity, dbPath: a.dbPath });
    const read = await waitFor('alice learns it was read', () =>
      eventsOf(a2, 'read').find((e) => e.id === id),
    );
    expect(read.by.id).toBe(b.node.id);
    expect(eventsOf(a2, 'delivered').find((e) => e.id === id)?.via).toBe('relay');
    expect(a2.node.outbox().find((e) => e.id === id)).toMatchObject({ state: 'read', via: 'relay' });
  });

  it('with --no-read-receipts, no read receipt leaves through holders either', async () => {
    const { a, b, c } = await meetThenBobLeaves();
    const id = a.node.sendDirect('bob', 'do not tell');
    await waitFor('deposited', () => eventsOf(a, 'deposited').find((e) => e.id === id));
    await fx.stop(a);
    const b2 = await fx.start('bob', {
      identity: b.identity,
      dbPath: b.dbPath,
      init: { readReceipts: false },
    });
    await waitFor('bob shows it', () => eventsOf(b2, 'message').find((m) => m.id === id));
    await waitFor('delivery receipt at carol', () => c.store.drops.receiptsFor(a.node.id, 10).length === 1);
    b2.node.markRead([id], a.node.id);
    // A DM to carol afterwards: once it is delivered, carol has handled everything bob sent before.
    const dm = b2.node.sendDirect('carol', 'ping');
    await waitFor('delivered', () => eventsOf(b2, 'delivered').find((e) => e.id === dm));
    expect(c.store.drops.receiptsFor(a.node.id, 10).filter((r) => r.read)).toHaveLength(0);
  });
});
