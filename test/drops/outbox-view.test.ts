// Where a DM is, from its delivery row and its drops (the logic behind /outbox).
import { describe, expect, it } from 'vitest';
import { outboxView } from '../../src/core/drops/outbox-view.js';
import type { OutboxEntry } from '../../src/store/store.js';

const ref = (id: string) => ({ id, nick: 'bob', display: 'bob', verified: false });
const base: OutboxEntry = {
  messageId: 'm',
  recipientId: 'B',
  text: 't',
  ts: 1,
  status: 'queued',
  holders: 0,
};

describe('outbox view', () => {
  it('queued, deposited, expired, delivered directly or via relay, read', () => {
    expect(outboxView(base, 10, ref)).toMatchObject({ state: 'queued', holders: 0 });
    const deposited = { ...base, holders: 2, dropExpiresAt: 100 };
    expect(outboxView(deposited, 99, ref)).toMatchObject({ state: 'deposited', holders: 2, expires: 100 });
    expect(outboxView(deposited, 100, ref).state).toBe('expired');
    expect(outboxView({ ...deposited, status: 'delivered', deliveredAt: 50 }, 200, ref)).toMatchObject({
      state: 'delivered',
      via: 'direct',
    });
    expect(outboxView({ ...deposited, status: 'delivered', relayedAt: 50 }, 200, ref)).toMatchObject({
      state: 'delivered',
      via: 'relay',
    });
    expect(outboxView({ ...base, status: 'read' }, 0, ref)).toMatchObject({ state: 'read', via: 'direct' });
  });
});
