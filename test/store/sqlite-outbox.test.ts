import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { ALICE, BOB, CAROL, message, type TempProfile, tempProfile } from './store-fixtures.js';

let profile: TempProfile | undefined;
afterEach(() => profile?.remove());

const outgoing = (to: string, text: string) =>
  message({ conversation: `@${to}`, senderId: ALICE, direction: 'out', text });

describe('outbox and deliveries', () => {
  it('keeps queued messages in send order across a reopen, whatever the clock says', () => {
    profile = tempProfile();
    let now = 5_000;
    let store = profile.open({ now: () => now });
    // Sender timestamps go backwards (clock adjusted mid-stream): send order must still win.
    const sent = [3, 1, 2, 0].map((skew, i) => ({ ...outgoing(BOB, `dm ${i}`), ts: 1_000 + skew }));
    for (const m of sent) {
      expect(store.messages.saveOutgoing(m, [BOB])).toBe(true);
      now += 1;
    }
    store.close();

    store = profile.open();
    expect(store.outbox.pendingRecipients()).toEqual([BOB]);
    expect(store.outbox.pendingFor(BOB).map((m) => m.text)).toEqual(['dm 0', 'dm 1', 'dm 2', 'dm 3']);
    expect(store.outbox.pendingFor(BOB, 2).map((m) => m.text)).toEqual(['dm 0', 'dm 1']);
    expect(store.outbox.markDelivered(sent[0]!.id, BOB)).toBe(true);
    store.close();

    store = profile.open();
    expect(store.outbox.pendingFor(BOB).map((m) => m.text)).toEqual(['dm 1', 'dm 2', 'dm 3']);
    store.close();
  });

  it('makes delivered and read idempotent, with read implying delivered', () => {
    let now = 100;
    const store = openSqliteStore({ path: ':memory:', now: () => now });
    const room = message({ conversation: '#general', direction: 'out' });
    store.messages.saveOutgoing(room, [BOB, CAROL]);
    expect(store.outbox.enqueue(room.id, BOB)).toBe(false);

    now = 200;
    expect(store.outbox.markDelivered(room.id, BOB)).toBe(true);
    now = 250;
    expect(store.outbox.markDelivered(room.id, BOB)).toBe(false);
    now = 300;
    expect(store.outbox.markRead(room.id, CAROL)).toBe(true); // the receipt overtook the ack
    expect(store.outbox.markRead(room.id, CAROL)).toBe(false);
    expect(store.outbox.markDelivered(room.id, CAROL)).toBe(false); // never goes back to delivered

    expect(store.outbox.deliveryState(room.id)).toEqual([
      { messageId: room.id, recipientId: BOB, status: 'delivered', queuedAt: 100, deliveredAt: 200 },
      {
        messageId: room.id,
        recipientId: CAROL,
        status: 'read',
        queuedAt: 100,
        deliveredAt: 300,
        readAt: 300,
      },
    ]);
    expect(store.outbox.pendingRecipients()).toEqual([]);
    expect(store.outbox.deliveryState('unknown')).toEqual([]);
    expect(store.outbox.markDelivered('unknown', BOB)).toBe(false);
    store.close();
  });

  it('queues separately per recipient and refuses to queue an unsaved message', () => {
    const store = openSqliteStore({ path: ':memory:' });
    const toBob = outgoing(BOB, 'for bob');
    const toCarol = outgoing(CAROL, 'for carol');
    store.messages.saveOutgoing(toBob, [BOB]);
    store.messages.saveIncoming(toCarol);
    expect(store.outbox.enqueue(toCarol.id, CAROL)).toBe(true);
    expect(store.outbox.pendingRecipients()).toEqual([BOB, CAROL]);
    expect(store.outbox.pendingFor(CAROL).map((m) => m.id)).toEqual([toCarol.id]);
    expect(() => store.outbox.enqueue('never-saved', BOB)).toThrow(/not stored/);
    store.close();
  });

  it('does not queue a duplicate outgoing id twice', () => {
    const store = openSqliteStore({ path: ':memory:' });
    const m = outgoing(BOB, 'x');
    expect(store.messages.saveOutgoing(m, [BOB])).toBe(true);
    expect(store.messages.saveOutgoing(m, [BOB, CAROL])).toBe(false);
    expect(store.outbox.deliveryState(m.id).map((d) => d.recipientId)).toEqual([BOB]);
    store.close();
  });
});
